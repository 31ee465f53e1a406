namespace EksHardening.Operator.Rules;

/// <summary>Where an image pattern is written: an allow-list names registries and repositories; an exemption may add a tag or digest.</summary>
public enum ImagePatternUse
{
    AllowedRegistry,
    Exemption,
}

/// <summary>
/// An image pattern split like an image reference. <see cref="Host"/> is matched against the registry host,
/// <see cref="Path"/> (null: any repository) against the repository path, <see cref="Tag"/> and <see cref="Digest"/>
/// (exemptions only; null: any) against the written tag and digest. Wildcards stay in the parts as written.
/// </summary>
public sealed record ImagePatternParts(string Host, string? Path, string? Tag, string? Digest);

/// <summary>
/// The syntax of <c>imageScanning.allowedRegistries</c> and <c>exemptions[].images</c>:
/// <c>host[:port][/path[:tag]][@digest]</c>. Text without '/' is a host pattern; with one, what precedes the first '/' is
/// the host and the rest the repository path. In each part <c>*</c> matches within one segment and <c>**</c> across
/// segments. Patterns are normalized as references are: <c>index.docker.io</c> is <c>docker.io</c>, and a Docker Hub
/// path of one segment is an official image (<c>docker.io/nginx</c> is <c>docker.io/library/nginx</c>).
/// </summary>
public static class ImagePatternSyntax
{
    private const string DockerHub = "docker.io";
    private const string LegacyDockerHub = "index.docker.io";

    /// <summary>Splits and checks a pattern; null with the reason when it is not one.</summary>
    public static ImagePatternParts? TryParse(string pattern, ImagePatternUse use, out string? problem)
    {
        problem = Split(pattern, use, out var parts);
        return problem is null ? parts : null;
    }

    private static string? Split(string pattern, ImagePatternUse use, out ImagePatternParts? parts)
    {
        parts = null;
        if (pattern.Length == 0) return "it is empty";
        if (pattern.Contains("***", StringComparison.Ordinal)) return "'*' (within one segment) and '**' (across segments) are the only wildcards";

        var at = pattern.IndexOf('@', StringComparison.Ordinal);
        var digest = at < 0 ? null : pattern[(at + 1)..];
        var rest = at < 0 ? pattern : pattern[..at];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? rest : rest[..slash];
        string? path = null, tag = null;
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            var colon = path.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0) (path, tag) = (path[..colon], path[(colon + 1)..]);
        }

        if (use == ImagePatternUse.AllowedRegistry && (tag is not null || digest is not null))
        {
            return "an allowed-registry pattern matches image names, without tag or digest";
        }

        if (digest is not null && path is null) return "a digest needs a repository path before '@'";
        var problem = HostProblem(host, hasPath: path is not null, pattern)
                      ?? (path is null ? null : PathProblem(path))
                      ?? (tag is null ? null : PartProblem(tag, "tag", IsTagCharacter))
                      ?? (digest is null ? null : PartProblem(digest, "digest", IsDigestCharacter));
        if (problem is not null) return problem;

        if (string.Equals(host, LegacyDockerHub, StringComparison.OrdinalIgnoreCase)) host = DockerHub;
        // As for references: a Docker Hub path of one segment is an official image. "**" may span segments, so it stays.
        if (string.Equals(host, DockerHub, StringComparison.OrdinalIgnoreCase) && path is not null
            && !path.Contains('/') && !path.Contains("**", StringComparison.Ordinal))
        {
            path = "library/" + path;
        }

        parts = new ImagePatternParts(host, path, tag, digest);
        return null;
    }

    private static string? HostProblem(string host, bool hasPath, string pattern)
    {
        if (host.Length == 0) return "it has no registry host before '/'";
        if (host[0] == '[')
        {
            // IPv6 literals are matched exactly (a port may be '*').
            var close = host.IndexOf(']', StringComparison.Ordinal);
            var address = close < 0 ? "" : host[1..close];
            var after = close < 0 ? "" : host[(close + 1)..];
            var valid = address.Length > 0 && address.All(c => char.IsAsciiHexDigit(c) || c == ':')
                        && (after.Length == 0 || (after[0] == ':' && PortIsValid(after[1..])));
            return valid ? null : $"registry host '{host}' is not a bracketed IPv6 address with an optional :port";
        }

        var colon = host.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? host : host[..colon];
        if (colon >= 0 && !PortIsValid(host[(colon + 1)..]))
        {
            return hasPath
                ? $"the port in registry host '{host}' must be digits or '*'"
                : $"a pattern without '/' names a registry host, so '{host[(colon + 1)..]}' would be its port, which must be digits or '*' (for a Docker Hub image and tag write docker.io/library/{pattern})";
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0) return $"registry host '{host}' has an empty label";
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '*')) return $"registry host '{host}' may hold only letters, digits, '-', '.' and wildcards";
        }

        // What splitDockerDomain would not take as a domain can never be an image's registry host: a likely mistake.
        var couldBeHost = name.Contains('.') || colon >= 0 || name.Contains('*') || name == "localhost" || name.Any(char.IsAsciiLetterUpper);
        if (couldBeHost) return null;
        return hasPath
            ? $"'{host}' before the first '/' is not a registry host (a host has a '.' or ':' or is localhost); for Docker Hub write docker.io/{pattern}"
            : $"a pattern without '/' names a registry host, and '{host}' is not one (a host has a '.' or ':' or is localhost); for the Docker Hub image write docker.io/library/{pattern}";
    }

    private static string? PathProblem(string path)
    {
        foreach (var component in path.Split('/'))
        {
            if (component.Length == 0) return "the repository path has an empty segment (a leading, trailing or doubled '/')";
            if (component.Any(char.IsAsciiLetterUpper)) return $"repository path '{path}' must be lowercase, as repository paths are";
            if (!component.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '*'))
            {
                return $"repository path '{path}' may hold only lowercase letters, digits, '.', '_', '-', '/' and wildcards";
            }
        }

        return null;
    }

    private static string? PartProblem(string part, string what, Func<char, bool> allowed)
    {
        if (part.Length == 0) return $"the {what} is empty";
        return part.All(c => allowed(c) || c == '*') ? null : $"{what} '{part}' has a character no {what} can hold";
    }

    private static bool PortIsValid(string port) => port.Length > 0 && port.All(c => char.IsAsciiDigit(c) || c == '*');

    private static bool IsTagCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static bool IsDigestCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is ':' or '+' or '.' or '_' or '-';
}
