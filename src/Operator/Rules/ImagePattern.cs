namespace EksHardening.Operator.Rules;

/// <summary>
/// An image pattern (<see cref="ImagePatternSyntax"/>) matched against a parsed reference, part by part: the host part
/// against the registry host, the path part against the normalized repository path, so that no wildcard crosses from
/// one into the other. In the host <c>*</c> matches within one label and <c>**</c> across labels, and neither matches
/// ':' (a pattern without a port matches only hosts without one; <c>host:*</c> matches any port) nor '[' or ']' (IPv6
/// literals match exactly); hosts compare case-insensitively. In the path <c>*</c> matches within one '/' segment and
/// <c>**</c> across segments. Tag and digest parts (exemptions) match the written tag and digest.
/// A pattern that does not parse (policy validation rejects it first) matches nothing.
/// </summary>
public sealed class ImagePattern
{
    private static readonly ConditionalWeakTable<List<string>, IReadOnlyList<ImagePattern>> AllowLists = [];
    private static readonly ConditionalWeakTable<List<string>, IReadOnlyList<ImagePattern>> ExemptionLists = [];

    private const string HostLabelStops = ".:[]";
    private const string HostStops = ":[]";
    private const string PathSegmentStops = "/";

    private readonly ImagePatternParts? _parts;

    private ImagePattern(string pattern, ImagePatternUse use)
    {
        Pattern = pattern;
        _parts = ImagePatternSyntax.TryParse(pattern, use, out var problem);
        Problem = problem;
    }

    public string Pattern { get; }

    /// <summary>Why the pattern matches nothing, when it is not a valid pattern.</summary>
    public string? Problem { get; }

    public static ImagePattern Compile(string pattern, ImagePatternUse use) => new(pattern, use);

    /// <summary>A policy's list of patterns, compiled once per list instance (not per workload or container).</summary>
    /// <remarks>Static factories, one per use: a lambda capturing the use would be allocated on every call, i.e. per workload.</remarks>
    public static IReadOnlyList<ImagePattern> CompileAll(List<string> patterns, ImagePatternUse use) =>
        use == ImagePatternUse.AllowedRegistry
            ? AllowLists.GetValue(patterns, static list => CompileList(list, ImagePatternUse.AllowedRegistry))
            : ExemptionLists.GetValue(patterns, static list => CompileList(list, ImagePatternUse.Exemption));

    private static ImagePattern[] CompileList(List<string> patterns, ImagePatternUse use) =>
        patterns.Select(p => new ImagePattern(p, use)).ToArray();

    /// <summary>Whether any pattern of the list matches the image's name (<see cref="MatchesName"/>), without allocating.</summary>
    public static bool AnyMatchesName(IReadOnlyList<ImagePattern> patterns, ImageReference image)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns[i].MatchesName(image)) return true;
        }

        return false;
    }

    /// <summary>Whether any pattern of the list matches the reference (<see cref="MatchesReference"/>), without allocating.</summary>
    public static bool AnyMatchesReference(IReadOnlyList<ImagePattern> patterns, ImageReference image)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns[i].MatchesReference(image)) return true;
        }

        return false;
    }

    /// <summary>Matches the normalized registry host and, when the pattern has a path, the normalized repository path.</summary>
    public bool MatchesName(ImageReference image)
    {
        // Every template that runs an image asks again, with the parser's one instance for that image text.
        if (_nameVerdicts.TryGetValue(image, out var known)) return known;
        var matches = _parts is { } parts
            && Glob.Matches(parts.Host, image.Registry, HostLabelStops, HostStops, ignoreCase: true)
            && (parts.Path is null || Glob.Matches(parts.Path, image.Repository, PathSegmentStops, "", ignoreCase: false));
        if (_nameVerdicts.Count >= NameVerdictLimit) _nameVerdicts.Clear();
        _nameVerdicts[image] = matches;
        return matches;
    }

    private const int NameVerdictLimit = 4_096;

    /// <summary>
    /// <see cref="MatchesName"/> verdicts by reference instance (immutable, as this pattern is): a verdict depends on the
    /// two alone, so it can never answer for another image. The glob was a tenth of a compliant template's evaluation.
    /// </summary>
    private readonly ConcurrentDictionary<ImageReference, bool> _nameVerdicts = new(ReferenceEqualityComparer.Instance);

    /// <summary>As <see cref="MatchesName"/>, and the pattern's tag and digest, when it has them, match those written.</summary>
    public bool MatchesReference(ImageReference image) =>
        MatchesName(image)
        && (_parts!.Tag is not { } tag || (image.Tag is not null && Glob.Matches(tag, image.Tag, "", "", ignoreCase: false)))
        && (_parts.Digest is not { } digest || (image.Digest is not null && Glob.Matches(digest, image.Digest, "", "", ignoreCase: false)));

    public override string ToString() => Pattern;

    /// <summary>Wildcard matching in O(pattern × text), whatever the number of stars.</summary>
    private static class Glob
    {
        private const int StackLimit = 512;

        /// <param name="oneSegmentStops">Characters a single <c>*</c> does not match.</param>
        /// <param name="anySegmentStops">Characters <c>**</c> does not match.</param>
        public static bool Matches(string pattern, string text, string oneSegmentStops, string anySegmentStops, bool ignoreCase)
        {
            var size = text.Length + 1;
            Span<bool> current = size <= StackLimit ? stackalloc bool[size] : new bool[size];
            Span<bool> next = size <= StackLimit ? stackalloc bool[size] : new bool[size];
            current.Clear();
            current[0] = true;
            var p = 0;
            while (p < pattern.Length)
            {
                next.Clear();
                var any = false;
                if (pattern[p] == '*')
                {
                    var crossesSegments = p + 1 < pattern.Length && pattern[p + 1] == '*';
                    var stops = crossesSegments ? anySegmentStops : oneSegmentStops;
                    p += crossesSegments ? 2 : 1;
                    // A star extends every match reached so far over any run of characters that are not stops.
                    var running = false;
                    for (var t = 0; t < size; t++)
                    {
                        running |= current[t];
                        next[t] = running;
                        any |= running;
                        if (t < text.Length && stops.Contains(text[t])) running = false;
                    }
                }
                else
                {
                    var c = pattern[p++];
                    for (var t = 0; t < text.Length; t++)
                    {
                        if (!current[t] || !Same(c, text[t], ignoreCase)) continue;
                        next[t + 1] = true;
                        any = true;
                    }
                }

                if (!any) return false;
                var swap = current;
                current = next;
                next = swap;
            }

            return current[text.Length];
        }

        private static bool Same(char a, char b, bool ignoreCase) =>
            a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
    }
}
