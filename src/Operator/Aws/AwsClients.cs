namespace EksHardening.Operator.Aws;

/// <summary>Settings of the AWS access layer.</summary>
public sealed class AwsClientOptions
{
    /// <summary>The default region (and, for IAM, the partition); else <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>.</summary>
    public string? Region { get; init; }

    public AwsRetryOptions Retry { get; init; } = new();

    /// <summary>Environment lookup for endpoints and region; default: the process environment.</summary>
    public Func<string, string?>? Environment { get; init; }
}

/// <summary>The AWS clients built over one credentials source, endpoint resolver, HTTP pipeline and set of counters.</summary>
public sealed class AwsClients : IDisposable
{
    private readonly KmsClient _kms;
    private readonly Ec2Client _ec2;
    private readonly SsmClient _ssm;
    private readonly AwsCredentialsSource? _ownedCredentials;

    /// <param name="credentials">Default: <see cref="AwsCredentialsSource"/> over the SDK's default chain.</param>
    /// <param name="handler">HTTP handler for every client (tests); default: real sockets.</param>
    /// <param name="meters">Where the call counts are published as metrics; none: counted only.</param>
    public AwsClients(AwsClientOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null,
        IAwsCredentialsSource? credentials = null, HttpMessageHandler? handler = null, IMeterFactory? meters = null)
    {
        options ??= new AwsClientOptions();
        time ??= TimeProvider.System;
        if (credentials is null)
        {
            var source = new AwsCredentialsSource(time);
            _ownedCredentials = source;
            credentials = source;
        }

        Credentials = credentials;
        Region = AwsRegion.Resolve(options.Region, options.Environment);
        Endpoints = new AwsEndpoints(options.Environment);
        Counters = new AwsCallCounters(meters);
        Http = new AwsHttpClient(credentials, Endpoints, options.Retry, time, handler, Counters, loggers?.CreateLogger<AwsHttpClient>());
        Ecr = new EcrClient(Http);
        Eks = new EksClient(Http);
        Iam = new IamClient(Http, Region);
        GuardDuty = new GuardDutyClient(Http);
        CloudTrail = new CloudTrailClient(Http);
        _kms = new KmsClient(credentials, Endpoints, options.Retry, Counters, handler);
        _ec2 = new Ec2Client(credentials, Endpoints, options.Retry, Counters, handler);
        _ssm = new SsmClient(credentials, Endpoints, options.Retry, Counters, handler);
    }

    /// <summary>The default region, or null when none is configured.</summary>
    public string? Region { get; }

    public IAwsCredentialsSource Credentials { get; }
    public AwsEndpoints Endpoints { get; }
    public AwsCallCounters Counters { get; }
    public AwsHttpClient Http { get; }
    public IEcrClient Ecr { get; }
    public IEksClient Eks { get; }
    public IIamClient Iam { get; }
    public IKmsClient Kms => _kms;
    public IGuardDutyClient GuardDuty { get; }
    public ICloudTrailClient CloudTrail { get; }
    public IEc2Client Ec2 => _ec2;
    public ISsmClient Ssm => _ssm;

    public void Dispose()
    {
        _kms.Dispose();
        _ec2.Dispose();
        _ssm.Dispose();
        Http.Dispose();
        _ownedCredentials?.Dispose();
    }
}

/// <summary>Registers the AWS clients as singletons.</summary>
public static class AwsServiceCollectionExtensions
{
    public static IServiceCollection AddAwsClients(this IServiceCollection services, AwsClientOptions? options = null)
    {
        services.AddSingleton(sp => new AwsClients(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>(), meters: sp.GetService<IMeterFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Ecr);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Eks);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Iam);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Kms);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().GuardDuty);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().CloudTrail);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Ec2);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Ssm);
        services.AddSingleton(sp => sp.GetRequiredService<AwsClients>().Counters);
        return services;
    }
}
