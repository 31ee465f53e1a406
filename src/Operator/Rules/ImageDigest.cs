namespace EksHardening.Operator.Rules;

/// <summary>
/// The digest of an image reference (<c>algorithm:encoded</c>), accepted only where both grammars that apply accept it:
/// distribution's reference grammar (algorithm components start with a letter; the encoded part is at least 32 hex
/// characters — the kubelet refuses anything else) and the OCI image spec 1.1 descriptor grammar (a lowercase
/// algorithm). Algorithms with a defined encoding must match it exactly: the OCI-registered <c>sha256</c> and
/// <c>blake3</c> (64 lowercase hex) and <c>sha512</c> (128), and <c>sha384</c> (96), which the kubelet's go-digest checks.
/// </summary>
public sealed partial record ImageDigest(string Value, string Algorithm, string Encoded)
{
    /// <summary>The OCI image spec 1.1 registered algorithms and the length of their lowercase hex encodings.</summary>
    private static readonly Dictionary<string, int> Registered = new(StringComparer.Ordinal) { ["sha256"] = 64, ["sha512"] = 128, ["blake3"] = 64 };

    /// <summary>Not OCI-registered, but go-digest (the kubelet's digest library) checks its encoding.</summary>
    private static readonly Dictionary<string, int> KnownToGoDigest = new(StringComparer.Ordinal) { ["sha384"] = 96 };

    /// <summary>distribution's digest: at least 128 bits of hex.</summary>
    private const int MinHexLength = 32;

    /// <summary>One of the OCI image spec's registered algorithms (sha256, sha512, blake3).</summary>
    public bool IsRegistered => Registered.ContainsKey(Algorithm);

    /// <summary>What kind of digest this is, for messages: "registered sha256" or "unregistered algorithm foo, …".</summary>
    public string Kind { get; } = Registered.ContainsKey(Algorithm) ? $"registered {Algorithm}" : $"unregistered algorithm {Algorithm}, accepted by the OCI generic grammar";

    public override string ToString() => Value;

    public static bool TryParse(string text, out ImageDigest? digest, out string? problem)
    {
        digest = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            problem = $"'{text}' after '@' is not a digest: expected algorithm:hex, e.g. sha256:<64 hex characters>";
            return false;
        }

        var algorithm = text[..colon];
        var encoded = text[(colon + 1)..];
        problem = AlgorithmProblem(algorithm) ?? EncodingProblem(algorithm, encoded);
        if (problem is not null) return false;
        digest = new ImageDigest(text, algorithm, encoded);
        return true;
    }

    private static string? AlgorithmProblem(string algorithm)
    {
        if (algorithm.Length == 0) return "the digest has no algorithm before ':'";
        if (!DistributionAlgorithm().IsMatch(algorithm))
        {
            return $"digest algorithm '{algorithm}' is invalid: letters and digits, each part starting with a letter, parts separated by '+', '.', '_' or '-'";
        }

        return algorithm.Any(char.IsUpper) ? $"digest algorithm '{algorithm}' must be lowercase" : null;
    }

    private static string? EncodingProblem(string algorithm, string encoded)
    {
        if (!encoded.All(char.IsAsciiHexDigit)) return $"the {algorithm} digest is not hexadecimal, as a digest in an image reference must be";
        if (encoded.Length < MinHexLength) return $"the {algorithm} digest has {encoded.Length} hex characters, fewer than {MinHexLength}";
        if (!Registered.TryGetValue(algorithm, out var length) && !KnownToGoDigest.TryGetValue(algorithm, out length)) return null;
        if (encoded.Length != length) return $"a {algorithm} digest is {length} lowercase hex characters, not {encoded.Length}";
        return encoded.Any(char.IsAsciiLetterUpper) ? $"a {algorithm} digest is lowercase hex (A-F is not allowed)" : null;
    }

    // distribution/reference regexp.go: digest-algorithm-component [A-Za-z][A-Za-z0-9]*, separators [-_+.].
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DistributionAlgorithm();
}
