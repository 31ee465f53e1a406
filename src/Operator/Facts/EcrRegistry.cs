namespace EksHardening.Operator.Facts;

/// <summary>A private ECR registry: the account that owns it and its region, as named by an image's host.</summary>
public sealed partial record EcrRegistry(string AccountId, string Region, bool Fips = false)
{
    /// <summary>
    /// Reads <c>&lt;account&gt;.dkr.ecr[-fips].&lt;region&gt;.amazonaws.com[.cn]</c> (and the dual-stack
    /// <c>&lt;account&gt;.dkr-ecr[-fips].&lt;region&gt;.on.aws</c>) from a host or a whole image reference.
    /// </summary>
    public static bool TryParse(string? hostOrImage, [NotNullWhen(true)] out EcrRegistry? registry)
    {
        registry = null;
        if (string.IsNullOrWhiteSpace(hostOrImage)) return false;
        var host = hostOrImage.Trim();
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) host = host[..slash];
        var match = HostPattern().Match(host);
        if (!match.Success) return false;
        registry = new EcrRegistry(match.Groups["account"].Value, match.Groups["region"].Value.ToLowerInvariant(), match.Groups["fips"].Success);
        return true;
    }

    public static EcrRegistry? Parse(string? hostOrImage) => TryParse(hostOrImage, out var registry) ? registry : null;

    [GeneratedRegex(@"^(?<account>[0-9]{12})\.(?:dkr\.ecr(?<fips>-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|dkr-ecr(?<fips>-fips)?\.(?<region>[a-z0-9-]+)\.on\.aws)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex HostPattern();
}
