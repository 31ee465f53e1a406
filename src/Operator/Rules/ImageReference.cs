using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// A container image reference parsed by the grammar the kubelet uses (github.com/distribution/reference:
/// <c>ParseNormalizedNamed</c>, with go-digest's digest checks): <c>[domain/]path[:tag][@digest]</c>, normalized the
/// way the runtime resolves it (a name without a domain is Docker Hub: <c>docker.io/library/NAME</c>).
/// A reference the kubelet would refuse (InvalidImageName) does not parse; the problem says which part is wrong.
/// </summary>
public sealed partial class ImageReference
{
    public const string DockerHub = "docker.io";

    /// <summary>distribution's RepositoryNameTotalLengthMax: the path, without the domain.</summary>
    public const int MaxPathLength = 255;

    /// <summary>The tag grammar <c>[\w][\w.-]{0,127}</c>.</summary>
    public const int MaxTagLength = 128;

    private const string LegacyDockerHub = "index.docker.io";
    private const string OfficialPrefix = "library/";

    private ImageReference(string written, string registry, string repository, string? tag, ImageDigest? digest)
    {
        Written = written;
        Registry = registry;
        Repository = repository;
        Tag = tag;
        ParsedDigest = digest;
        NormalizedName = registry + "/" + repository;
    }

    /// <summary>The reference exactly as written in the manifest.</summary>
    public string Written { get; }

    /// <summary>
    /// The registry host (with port) the runtime contacts, as written except for Docker Hub (<c>docker.io</c> for a name
    /// without a domain and for <c>index.docker.io</c>). Hosts compare case-insensitively.
    /// </summary>
    public string Registry { get; }

    /// <summary>Repository path, normalized (<c>library/nginx</c> for official Docker Hub images). Always lowercase.</summary>
    public string Repository { get; }

    public string? Tag { get; }

    /// <summary>The digest as written, e.g. <c>sha256:…</c>.</summary>
    public string? Digest => ParsedDigest?.Value;

    public ImageDigest? ParsedDigest { get; }

    /// <summary>Name normalized, without tag or digest: <c>docker.io/library/nginx</c>.</summary>
    public string NormalizedName { get; }

    /// <summary>A digest is present; every digest a parsed reference carries is well formed (see <see cref="ImageDigest"/>).</summary>
    public bool HasValidDigest => ParsedDigest is not null;

    /// <summary>The tag the runtime pulls: the written tag, or <c>latest</c> when no tag is given.</summary>
    public string EffectiveTag => Tag ?? "latest";

    /// <summary>Where the image lives, as the image facts are looked up: by its valid digest, else by its effective tag.</summary>
    public ImageLocation Location => new(Written, Registry, Repository, HasValidDigest ? Digest : null, EffectiveTag);

    private const int CacheLimit = 100_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ImageReference? Image, string? Problem)> Parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// Parses a reference; returns null (with a reason) for one the kubelet would refuse. Results are cached:
    /// a cluster runs few distinct images in many pods.
    /// </summary>
    public static ImageReference? TryParse(string? image, out string? problem)
    {
        if (image is null) return Parse(image, out problem);
        if (Parsed.TryGetValue(image, out var cached))
        {
            problem = cached.Problem;
            return cached.Image;
        }

        var parsed = Parse(image, out problem);
        if (Parsed.Count >= CacheLimit) Parsed.Clear();
        Parsed[image] = (parsed, problem);
        return parsed;
    }

    public override string ToString() => Written;

    private static ImageReference? Parse(string? image, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(image))
        {
            problem = "no image is set";
            return null;
        }

        var reason = Split(image, out var registry, out var path, out var tag, out var digest);
        problem = reason is null ? null : $"image '{image}' is not a valid reference: {reason}";
        return reason is null ? new ImageReference(image, registry!, path!, tag, digest) : null;
    }

    /// <summary>
    /// distribution's <c>ParseNormalizedNamed</c>, part by part so that the problem can name the part: the domain is
    /// split off as <c>splitDockerDomain</c> does, then the path, tag and digest are checked against their grammars.
    /// </summary>
    private static string? Split(string image, out string? registry, out string? path, out string? tag, out ImageDigest? digest)
    {
        (registry, path, tag, digest) = (null, null, null, null);
        if (image.Any(char.IsWhiteSpace)) return "it contains whitespace";
        if (Identifier().IsMatch(image)) return "a 64-character hexadecimal string cannot be a repository name";
        if (image[0] is ':' or '@') return "it has no repository name";

        var (domain, remainder) = SplitDockerDomain(image);

        // In the remainder (path[:tag][@digest]) neither the path nor the tag holds '@' or ':'.
        var at = remainder.IndexOf('@', StringComparison.Ordinal);
        var digestText = at < 0 ? null : remainder[(at + 1)..];
        var nameAndTag = at < 0 ? remainder : remainder[..at];
        var colon = nameAndTag.IndexOf(':', StringComparison.Ordinal);
        var tagText = colon < 0 ? null : nameAndTag[(colon + 1)..];
        var remote = colon < 0 ? nameAndTag : nameAndTag[..colon];

        if (!DomainAndPort().IsMatch(domain))
        {
            // The grammar then reads the whole name as a path: "foo_bar.com/app" has no domain, yet the runtime
            // contacts foo_bar.com, so that stays the registry for matching; the length limit covers the whole name.
            if (!PathComponent().IsMatch(domain)) return $"registry host '{domain}' is invalid: expected a DNS name, an IPv4 address or a bracketed IPv6 address, optionally with :port";
            if (PathProblem(remote, domain.Length + 1) is { } problem) return problem;
        }
        else if (PathProblem(remote, 0) is { } problem)
        {
            return problem;
        }

        if (tagText is not null && TagProblem(tagText) is { } tagProblem) return tagProblem;
        ImageDigest? parsedDigest = null;
        if (digestText is not null && !ImageDigest.TryParse(digestText, out parsedDigest, out var digestProblem)) return digestProblem;

        (registry, path, tag, digest) = (domain, remote, tagText, parsedDigest);
        return null;
    }

    /// <summary>distribution's <c>splitDockerDomain</c>: the first component is a domain when it has '.' or ':', is localhost or has uppercase.</summary>
    private static (string Domain, string Remainder) SplitDockerDomain(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return (DockerHub, OfficialPrefix + image);

        var first = image[..slash];
        var rest = image[(slash + 1)..];
        string domain, remainder;
        if (first == "localhost" || first.Contains('.') || first.Contains(':') || !first.Equals(first.ToLowerInvariant(), StringComparison.Ordinal))
        {
            (domain, remainder) = (first == LegacyDockerHub ? DockerHub : first, rest);
        }
        else
        {
            (domain, remainder) = (DockerHub, image);
        }

        // "docker.io/nginx" is docker.io/library/nginx; "docker.io/team/app" keeps its path.
        if (domain == DockerHub && !remainder.Contains('/')) remainder = OfficialPrefix + remainder;
        return (domain, remainder);
    }

    /// <param name="prefixLength">Characters of the name before the path that count toward the length limit.</param>
    private static string? PathProblem(string remote, int prefixLength)
    {
        if (!remote.Equals(remote.ToLowerInvariant(), StringComparison.Ordinal)) return $"repository path '{remote}' must be lowercase";
        foreach (var component in remote.Split('/'))
        {
            if (component.Length == 0) return "the repository path has an empty component (a leading, trailing or doubled '/')";
            if (!PathComponent().IsMatch(component))
            {
                return $"repository path component '{component}' is invalid: lowercase letters and digits, separated by one '.', one or two '_', or dashes";
            }
        }

        var length = prefixLength + remote.Length;
        return length > MaxPathLength ? $"repository path is {length} characters, more than {MaxPathLength}" : null;
    }

    private static string? TagProblem(string tag)
    {
        if (tag.Length == 0) return "the tag after ':' is empty";
        if (tag.Length > MaxTagLength) return $"tag is {tag.Length} characters, more than {MaxTagLength}";
        return TagGrammar().IsMatch(tag) ? null : $"tag '{tag}' is invalid: letters, digits, '_', '.' and '-', not starting with '.' or '-'";
    }

    // distribution/reference regexp.go, anchored with \z (.NET's $ also matches before a final newline) and with
    // ASCII classes (Go's \w is ASCII, .NET's is not).
    [GeneratedRegex(@"^[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainAndPort();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    internal static partial Regex PathComponent();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagGrammar();
}
