namespace EksHardening.Operator.Rules;

/// <summary>
/// A Pod Security Standards version as Pod Security Admission reads it (<c>latest</c> or <c>v1.N</c>, the
/// <c>pod-security.kubernetes.io/enforce-version</c> label and <c>podSecurity.version</c>), resolved to the
/// Kubernetes minor version whose check definitions apply.
/// </summary>
/// <remarks>
/// Syntax and meaning follow k8s.io/pod-security-admission <c>api.ParseVersion</c> and the check registry: only
/// <c>v1.</c> followed by a minor without leading zeros is valid; a version newer than the newest one known is
/// evaluated as that newest one, as Pod Security Admission evaluates versions newer than its own release.
/// </remarks>
public readonly record struct PodSecurityVersion
{
    /// <summary>
    /// The newest Kubernetes release whose Pod Security Standards this code implements: <c>latest</c> means this.
    /// Kubernetes v1.37 is the newest release (v1.38 is in alpha); its check definitions are those of
    /// k8s.io/pod-security-admission at release-1.37. Raise it, with the new definitions, when a release changes them.
    /// </summary>
    public const int NewestKnownMinor = 37;

    /// <summary><see cref="NewestKnownMinor"/> as Pod Security Admission writes it.</summary>
    public const string NewestKnown = "v1.37";

    public const string Latest = "latest";

    /// <summary>Why a string is not a version, in Pod Security Admission's words.</summary>
    public const string SyntaxProblem = "must be \"latest\" or \"v1.x\"";

    private PodSecurityVersion(int? minor) => Minor = minor;

    /// <summary>The pinned minor version as written; null for <c>latest</c>.</summary>
    public int? Minor { get; }

    public bool IsLatest => Minor is null;

    /// <summary>The minor version whose definitions apply: the pinned one, at most <see cref="NewestKnownMinor"/>.</summary>
    public int EffectiveMinor => Minor is { } minor && minor < NewestKnownMinor ? minor : NewestKnownMinor;

    public static PodSecurityVersion LatestVersion => new(null);

    /// <summary>Parses <c>latest</c> or <c>v1.N</c>; null (absent) is <c>latest</c>.</summary>
    public static bool TryParse(string? text, out PodSecurityVersion version)
    {
        version = LatestVersion;
        if (text is null || text == Latest) return true;
        if (!text.StartsWith("v1.", StringComparison.Ordinal)) return false;
        var digits = text.AsSpan(3);
        if (digits.Length == 0 || (digits.Length > 1 && digits[0] == '0')) return false;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9') return false;
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor)) return false;
        version = new PodSecurityVersion(minor);
        return true;
    }

    /// <summary>The version of a policy's <c>podSecurity.version</c>; an invalid one (the schema rejects it) counts as latest, as in Pod Security Admission.</summary>
    public static PodSecurityVersion OfPolicy(string? text) => TryParse(text, out var version) ? version : LatestVersion;

    /// <summary>True when the definitions of minor version <paramref name="minor"/> (a check's MinimumVersion) apply.</summary>
    public bool AtLeast(int minor) => EffectiveMinor >= minor;

    public override string ToString() => Minor is { } minor ? $"v1.{minor}" : Latest;

    /// <summary>How messages name the version: <c>latest (v1.37)</c> or <c>v1.30</c>.</summary>
    public string Describe() => IsLatest ? $"{Latest} ({NewestKnown})" : ToString();
}
