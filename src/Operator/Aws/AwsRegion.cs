namespace EksHardening.Operator.Aws;

/// <summary>Which region to talk to, and which partition (DNS suffix, global endpoints) that region lives in.</summary>
public static class AwsRegion
{
    /// <summary>The explicit region if given, else <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>; null when none is set.</summary>
    public static string? Resolve(string? explicitRegion = null, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitRegion)) return explicitRegion.Trim();
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var variable in (string[])["AWS_REGION", "AWS_DEFAULT_REGION"])
        {
            if (environment(variable) is { } value && !string.IsNullOrWhiteSpace(value)) return value.Trim();
        }

        return null;
    }

    public static AwsPartition PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? AwsPartition.China
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? AwsPartition.GovCloud
        : AwsPartition.Aws;
}

/// <summary>An AWS partition: its DNS suffix and where its global IAM endpoint lives and is signed for.</summary>
public sealed record AwsPartition(string Name, string DnsSuffix, string IamHost, string IamSigningRegion)
{
    public static readonly AwsPartition Aws = new("aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1");
    public static readonly AwsPartition China = new("aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1");
    public static readonly AwsPartition GovCloud = new("aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1");
}
