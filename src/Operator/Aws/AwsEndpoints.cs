namespace EksHardening.Operator.Aws;

/// <summary>The signing names of the services the operator talks to; also their endpoint variable suffixes.</summary>
public static class AwsServices
{
    public const string CloudTrail = "cloudtrail";
    public const string Ec2 = "ec2";
    public const string Ecr = "ecr";
    public const string Eks = "eks";
    public const string GuardDuty = "guardduty";
    public const string Iam = "iam";
    public const string Kms = "kms";
    public const string Ssm = "ssm";
    public const string Sts = "sts";
}

/// <summary>Where one service is reached and what its requests are signed for.</summary>
public sealed record AwsServiceEndpoint(string Service, Uri Uri, string SigningRegion, bool IsOverride);

/// <summary>
/// Endpoint resolution as the AWS SDKs do it: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then <c>AWS_ENDPOINT_URL</c>
/// (both ignored when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>), else the standard regional endpoint.
/// IAM is global per partition: <c>iam.amazonaws.com</c> signed for us-east-1, China's signed for cn-north-1.
/// </summary>
public sealed class AwsEndpoints(Func<string, string?>? environment = null)
{
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;
    private readonly ConcurrentDictionary<(string Service, string Region, bool Fips), AwsServiceEndpoint> _cache = new();

    /// <param name="fips">Use the service's FIPS endpoint (ECR registries named <c>dkr.ecr-fips</c>); overrides still win.</param>
    public AwsServiceEndpoint Resolve(string service, string region, bool fips = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        return _cache.GetOrAdd((service.ToLowerInvariant(), region, fips), key => Compute(key.Service, key.Region, key.Fips));
    }

    private AwsServiceEndpoint Compute(string service, string region, bool fips)
    {
        var partition = AwsRegion.PartitionOf(region);
        var signingRegion = service == AwsServices.Iam ? partition.IamSigningRegion : region;
        if (ConfiguredOverride(service) is { } configured) return new AwsServiceEndpoint(service, configured, signingRegion, IsOverride: true);

        var host = service switch
        {
            AwsServices.Iam => partition.IamHost,
            AwsServices.Ecr => $"api.ecr{(fips ? "-fips" : "")}.{region}.{partition.DnsSuffix}",
            _ => $"{service}{(fips ? "-fips" : "")}.{region}.{partition.DnsSuffix}",
        };
        return new AwsServiceEndpoint(service, new Uri($"https://{host}/"), signingRegion, IsOverride: false);
    }

    private Uri? ConfiguredOverride(string service)
    {
        if (string.Equals(_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.Trim(), "true", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var variable in (string[])[$"AWS_ENDPOINT_URL_{service.ToUpperInvariant()}", "AWS_ENDPOINT_URL"])
        {
            if (_environment(variable) is not { } value || string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{variable}={value} is not an absolute http or https URL.");
            }

            return uri;
        }

        return null;
    }
}
