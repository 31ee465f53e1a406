namespace EksHardening.Operator.Rules;

/// <summary>
/// The major.minor of a Kubernetes version as the API server's <c>/version</c> gitVersion and a node's
/// <c>status.nodeInfo.kubeletVersion</c> give it ("v1.31.2-eks-7f9249a"), or as a user writes it ("1.31", "v1.31").
/// The version skew policy compares minor versions only.
/// </summary>
public readonly partial record struct KubernetesMinorVersion(int Major, int Minor)
{
    public static bool TryParse(string? text, out KubernetesMinorVersion version)
    {
        version = default;
        var match = text is null ? null : Syntax().Match(text.Trim());
        if (match is not { Success: true }) return false;
        if (!int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var minor)) return false;
        version = new KubernetesMinorVersion(major, minor);
        return true;
    }

    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>An optional "v", major and minor, then an optional patch and any pre-release or build suffix (semver).</summary>
    [GeneratedRegex(@"^v?(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
