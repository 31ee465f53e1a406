using System.Text.RegularExpressions;

namespace EksHardening.Operator.Rules;

/// <summary>
/// A container image reference split the way container runtimes split it:
/// <c>[registry[:port]/]repository[:tag][@digest]</c>, plus the normalized Docker Hub form.
/// </summary>
public sealed partial class ImageReference
{
    public const string DockerHub = "docker.io";

    private ImageReference(string written, string? registry, string repository, string? tag, string? digest)
    {
        Written = written;
        WrittenRegistry = registry;
        Tag = tag;
        Digest = digest;
        Registry = registry is null or "index.docker.io" or "registry-1.docker.io" ? DockerHub : registry;
        Repository = Registry == DockerHub && !repository.Contains('/') ? "library/" + repository : repository;
        WrittenName = registry is null ? repository : registry + "/" + repository;
        NormalizedName = Registry + "/" + Repository;
    }

    /// <summary>The reference exactly as written in the manifest.</summary>
    public string Written { get; }
    /// <summary>The registry host as written, or null when none was given (Docker Hub).</summary>
    public string? WrittenRegistry { get; }
    /// <summary>Registry host with port, normalized (<c>docker.io</c> for Docker Hub).</summary>
    public string Registry { get; }
    /// <summary>Repository path, normalized (<c>library/nginx</c> for official Docker Hub images).</summary>
    public string Repository { get; }
    public string? Tag { get; }
    public string? Digest { get; }
    /// <summary>Name as written, without tag or digest: <c>nginx</c>, <c>host:5000/app</c>.</summary>
    public string WrittenName { get; }
    /// <summary>Name normalized, without tag or digest: <c>docker.io/library/nginx</c>.</summary>
    public string NormalizedName { get; }

    /// <summary>A digest in valid OCI form: <c>sha256:</c> + 64 or <c>sha512:</c> + 128 lowercase hex.</summary>
    public bool HasValidDigest => Digest is not null && ValidDigest().IsMatch(Digest);

    /// <summary>The tag the runtime pulls: the written tag, or <c>latest</c> when no tag is given.</summary>
    public string EffectiveTag => Tag ?? "latest";

    private const int CacheLimit = 100_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ImageReference? Image, string? Problem)> Parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// Splits a reference; returns null (with a reason) for one no runtime could pull. Results are cached:
    /// a cluster runs few distinct images in many pods.
    /// </summary>
    public static ImageReference? TryParse(string? image, out string? problem)
    {
        if (image is null) return Split(image, out problem);
        if (Parsed.TryGetValue(image, out var cached))
        {
            problem = cached.Problem;
            return cached.Image;
        }

        var parsed = Split(image, out problem);
        if (Parsed.Count >= CacheLimit) Parsed.Clear();
        Parsed[image] = (parsed, problem);
        return parsed;
    }

    private static ImageReference? Split(string? image, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(image))
        {
            problem = "no image is set";
            return null;
        }

        if (image.Any(char.IsWhiteSpace))
        {
            problem = $"image '{image}' contains whitespace";
            return null;
        }

        var rest = image;
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        // A ':' after the last '/' starts a tag; one before it is a registry port.
        string? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.IndexOf(':', lastSlash + 1);
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (tag.Length == 0)
            {
                problem = $"image '{image}' has an empty tag";
                return null;
            }
        }

        string? registry = null;
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0)
        {
            var first = rest[..firstSlash];
            // Docker's rule: the first component is a registry when it looks like a host.
            if (first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsUpper))
            {
                registry = first.ToLowerInvariant();
                rest = rest[(firstSlash + 1)..];
            }
        }

        if (rest.Length == 0 || rest.StartsWith('/') || rest.EndsWith('/') || rest.Contains("//", StringComparison.Ordinal))
        {
            problem = $"image '{image}' has no valid repository name";
            return null;
        }

        return new ImageReference(image, registry, rest, tag, digest);
    }

    public override string ToString() => Written;

    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidDigest();
}

/// <summary>
/// An image or registry pattern (DESIGN §4): <c>*</c> matches within one <c>/</c>-separated segment,
/// <c>**</c> across segments; a pattern without wildcards matches that registry host or that repository exactly.
/// Matching is case-insensitive, as registry hosts are.
/// </summary>
public sealed class ImagePattern(string pattern)
{
    private readonly bool _isHostPattern = !pattern.Trim().Contains('/');

    public string Pattern { get; } = pattern.Trim();

    /// <summary>Matches the image name (without tag and digest) as written or normalized, or its registry host.</summary>
    public bool MatchesName(ImageReference image) =>
        Glob(image.WrittenName)
        || Glob(image.NormalizedName)
        || (_isHostPattern && Glob(image.Registry));

    /// <summary>Matches the full reference including tag and digest (exemptions name <c>repo:*</c>).</summary>
    public bool MatchesReference(ImageReference image)
    {
        if (MatchesName(image) || Glob(image.Written)) return true;
        var suffix = (image.Tag is null ? "" : ":" + image.Tag) + (image.Digest is null ? "" : "@" + image.Digest);
        return Glob(image.NormalizedName + suffix);
    }

    public override string ToString() => Pattern;

    private bool Glob(string text) => Glob(Pattern, 0, text, 0);

    private static bool Glob(string pattern, int p, string text, int t)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == '*')
            {
                var crossesSegments = p + 1 < pattern.Length && pattern[p + 1] == '*';
                p += crossesSegments ? 2 : 1;
                for (var k = t; ; k++)
                {
                    if (Glob(pattern, p, text, k)) return true;
                    if (k == text.Length || (!crossesSegments && text[k] == '/')) return false;
                }
            }

            if (t >= text.Length || char.ToLowerInvariant(pattern[p]) != char.ToLowerInvariant(text[t])) return false;
            p++;
            t++;
        }

        return t == text.Length;
    }
}
