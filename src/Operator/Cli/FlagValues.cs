using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Cli;

/// <summary>
/// The value syntax of flags and their variables, each error naming the flag. Only the syntax is checked here;
/// ranges are the options' validators' (Hosting), so that a value from a variable is checked the same way.
/// </summary>
internal static class FlagValues
{
    public static int WholeNumber(string flag, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"{flag} must be a whole number, not '{value}'");

    public static bool Boolean(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new UsageException($"{flag} must be true or false, not '{value}'"),
    };

    /// <summary>Go's duration syntax (<c>30s</c>, <c>10m</c>, <c>1h30m</c>), as Kubernetes flags take it.</summary>
    public static TimeSpan Duration(string flag, string value) =>
        DurationParser.TryParse(value, out var d) ? d : throw new UsageException($"{flag} must be a duration such as 30s or 10m, not '{value}'");

    /// <summary>
    /// A Kubernetes version as a user writes it (<c>1.31</c>, <c>v1.31</c>) or as the API server's <c>/version</c> gives it
    /// (<c>v1.31.2-eks-7f9249a</c>); returned trimmed.
    /// </summary>
    public static string KubernetesVersion(string flag, string value) =>
        KubernetesMinorVersion.TryParse(value, out _)
            ? value.Trim()
            : throw new UsageException($"{flag} must be a Kubernetes version such as 1.31, v1.31 or v1.31.2-eks-7f9249a, not '{value}'");

    /// <summary>One of <paramref name="names"/> (looked up with the dictionary's comparer); the error lists them.</summary>
    public static T OneOf<T>(string flag, string value, IReadOnlyDictionary<string, T> names) =>
        names.TryGetValue(value, out var v) ? v : throw new UsageException($"{flag} must be {Alternatives(names.Keys)}, not '{value}'");

    /// <summary><c>a, b or c</c>.</summary>
    public static string Alternatives(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 1 ? list[0] : $"{string.Join(", ", list.SkipLast(1))} or {list[^1]}";
    }
}
