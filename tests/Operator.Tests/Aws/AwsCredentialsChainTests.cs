using Amazon.Runtime;

namespace EksHardening.Operator.Tests.Aws;

/// <summary>
/// The SDK's default chain behind <see cref="AwsCredentialsSource"/>: environment variables, IRSA web identity
/// against an in-test STS, EKS Pod Identity against an in-test agent. These tests change process environment
/// variables, so they run alone and put every variable back.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsCredentialsChainTests : IDisposable
{
    private static readonly string[] ChainVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_REGION", "AWS_DEFAULT_REGION",
    ];

    private readonly ProcessEnvironment _environment = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("aws-chain-").FullName;

    public AwsCredentialsChainTests()
    {
        foreach (var variable in ChainVariables) _environment.Set(variable, null);
        // Keep the chain away from this machine's ~/.aws and from instance metadata.
        _environment.Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(_directory, "credentials"));
        _environment.Set("AWS_CONFIG_FILE", Path.Combine(_directory, "config"));
        _environment.Set("AWS_EC2_METADATA_DISABLED", "true");
    }

    public void Dispose()
    {
        _environment.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Credentials_from_environment_variables()
    {
        _environment.Set("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE").Set("AWS_SECRET_ACCESS_KEY", "env-secret").Set("AWS_SESSION_TOKEN", "env-token");
        using var source = new AwsCredentialsSource();

        var credentials = await source.GetAsync();

        Assert.Equal(new AwsCredentials("AKIAENVEXAMPLE", "env-secret", "env-token", null), credentials);
        Assert.DoesNotContain("env-secret", credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_from_a_web_identity_token_file_through_STS()
    {
        var expiration = DateTimeOffset.UtcNow.AddHours(1);
        using var sts = new LocalHttpStub(request => (HttpStatusCode.OK, "text/xml", $"""
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:eks-hardening-system:operator</SubjectFromWebIdentityToken>
                <Audience>sts.amazonaws.com</Audience>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/eks-hardening/botocore-session-1</Arn>
                  <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:botocore-session-1</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <SessionToken>IQoJb3JpZ2luX2VjEXAMPLETOKEN</SessionToken>
                  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                  <Expiration>{expiration:yyyy-MM-ddTHH:mm:ssZ}</Expiration>
                  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                </Credentials>
                <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE</Provider>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>
            """));
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVYQU1QTEUifQ.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln");
        _environment
            .Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks-hardening")
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile)
            .Set("AWS_REGION", "eu-west-1")
            .Set("AWS_ENDPOINT_URL_STS", sts.Url);
        using var source = new AwsCredentialsSource();

        var credentials = await source.GetAsync();

        Assert.Equal("ASIAIOSFODNN7EXAMPLE", credentials.AccessKeyId);
        Assert.Equal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", credentials.SecretAccessKey);
        Assert.Equal("IQoJb3JpZ2luX2VjEXAMPLETOKEN", credentials.SessionToken);
        Assert.NotNull(credentials.Expiration);
        Assert.InRange(credentials.Expiration.Value, expiration.AddSeconds(-1), expiration.AddSeconds(1));

        var call = Assert.Single(sts.Requests);
        Assert.Equal("POST", call.Method);
        var form = call.Form();
        Assert.Equal("AssumeRoleWithWebIdentity", form["Action"]);
        Assert.Equal("arn:aws:iam::123456789012:role/eks-hardening", form["RoleArn"]);
        Assert.Equal("eyJhbGciOiJSUzI1NiIsImtpZCI6IkVYQU1QTEUifQ.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln", form["WebIdentityToken"]);

        // The credentials are kept until shortly before they expire.
        await source.GetAsync();
        Assert.Single(sts.Requests);
    }

    [Fact]
    public async Task Credentials_from_the_EKS_Pod_Identity_agent()
    {
        var expiration = DateTimeOffset.UtcNow.AddHours(6);
        using var agent = new LocalHttpStub(request => request.Authorization == "pod-identity-token"
            ? (HttpStatusCode.OK, "application/json",
                $$"""{"AccessKeyId":"ASIAPODIDENTITY","SecretAccessKey":"pod-secret","Token":"pod-token","AccountId":"123456789012","Expiration":"{{expiration:yyyy-MM-ddTHH:mm:ssZ}}"}""")
            : (HttpStatusCode.Unauthorized, "application/json", """{"message":"bad token"}"""));
        var tokenFile = Path.Combine(_directory, "eks-pod-identity-token");
        await File.WriteAllTextAsync(tokenFile, "pod-identity-token");
        _environment
            .Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.Url + "v1/credentials")
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
            .Set("AWS_REGION", "eu-west-1");
        using var source = new AwsCredentialsSource();

        var credentials = await source.GetAsync();

        Assert.Equal("ASIAPODIDENTITY", credentials.AccessKeyId);
        Assert.Equal("pod-secret", credentials.SecretAccessKey);
        Assert.Equal("pod-token", credentials.SessionToken);
        Assert.Equal("/v1/credentials", Assert.Single(agent.Requests).Path);
    }

    [Fact]
    public async Task No_credentials_anywhere_is_an_access_error_that_is_tried_again_later()
    {
        using var source = new AwsCredentialsSource();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => source.GetAsync().AsTask());
        Assert.Equal(AwsErrorKind.AccessDenied, error.Kind);
        Assert.Equal("CredentialsUnavailable", error.ErrorCode);

        _environment.Set("AWS_ACCESS_KEY_ID", "AKIALATER").Set("AWS_SECRET_ACCESS_KEY", "later");
        Assert.Equal("AKIALATER", (await source.GetAsync()).AccessKeyId);
    }

    [Fact]
    public async Task The_clients_sign_with_the_chain_and_follow_the_environment()
    {
        _environment
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE").Set("AWS_SECRET_ACCESS_KEY", "env-secret")
            .Set("AWS_REGION", "eu-central-1")
            .Set("AWS_ENDPOINT_URL_EKS", "http://127.0.0.1:4566");
        var handler = new FakeAwsHandler().Json("""{"cluster":{"name":"prod","arn":"arn:aws:eks:eu-central-1:123456789012:cluster/prod"}}""");
        using var clients = new AwsClients(handler: handler);

        await clients.Eks.DescribeClusterAsync(clients.Region!, "prod");

        var request = handler.Single();
        Assert.Equal("eu-central-1", clients.Region);
        Assert.Equal("http://127.0.0.1:4566/clusters/prod", request.Uri.AbsoluteUri);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAENVEXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("/eu-central-1/eks/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(1, clients.Counters.Count("eks", "DescribeCluster", AwsCallCounters.Success));
    }
}
