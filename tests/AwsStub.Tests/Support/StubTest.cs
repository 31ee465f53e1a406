using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;

namespace EksHardening.AwsStub.Tests.Support;

/// <summary>A test with its own stub, an HTTP client for hand-signed calls, and real SDK clients pointing at it.</summary>
public abstract class StubTest : IAsyncLifetime
{
    protected AwsEndpointStub Stub { get; private set; } = null!;

    protected HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    protected HandClient Hand { get; private set; } = null!;

    protected virtual void Configure(AwsStubOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var options = new AwsStubOptions();
        Configure(options);
        Stub = await AwsEndpointStub.StartNewAsync(options);
        Hand = new HandClient(Stub, Http);
        await InitializeAsyncCore();
    }

    /// <summary>Per-class setup that runs once the stub is up.</summary>
    public virtual Task InitializeAsyncCore() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Stub.DisposeAsync();
    }

    /// <summary>The official KMS client, signing with <paramref name="credentials"/> (default: the stub's test keys).</summary>
    protected AmazonKeyManagementServiceClient Kms(StubCredentials? credentials = null, int maxErrorRetry = 0) =>
        new(SdkCredentials(credentials ?? Stub.Credentials), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Stub.BaseUrl,
            AuthenticationRegion = Stub.Region,
            MaxErrorRetry = maxErrorRetry,
            Timeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>The official EC2 client, signing for <paramref name="region"/> (default: the stub's).</summary>
    protected AmazonEC2Client Ec2(StubCredentials? credentials = null, int maxErrorRetry = 0, string? region = null) =>
        new(SdkCredentials(credentials ?? Stub.Credentials), new AmazonEC2Config
        {
            ServiceURL = Stub.BaseUrl,
            AuthenticationRegion = region ?? Stub.Region,
            MaxErrorRetry = maxErrorRetry,
            Timeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>The official Systems Manager client.</summary>
    protected AmazonSimpleSystemsManagementClient Ssm(StubCredentials? credentials = null, int maxErrorRetry = 0) =>
        new(SdkCredentials(credentials ?? Stub.Credentials), new AmazonSimpleSystemsManagementConfig
        {
            ServiceURL = Stub.BaseUrl,
            AuthenticationRegion = Stub.Region,
            MaxErrorRetry = maxErrorRetry,
            Timeout = TimeSpan.FromSeconds(10),
        });

    /// <summary>The official STS client.</summary>
    protected AmazonSecurityTokenServiceClient Sts(StubCredentials? credentials = null, int maxErrorRetry = 0) =>
        new(SdkCredentials(credentials ?? Stub.Credentials), new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = Stub.BaseUrl,
            AuthenticationRegion = Stub.Region,
            MaxErrorRetry = maxErrorRetry,
            Timeout = TimeSpan.FromSeconds(10),
        });

    protected static AWSCredentials SdkCredentials(StubCredentials credentials) =>
        credentials.SessionToken is { } token
            ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
            : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);
}
