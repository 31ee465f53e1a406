namespace EksHardening.ApiEmulator.Semantics;

/// <summary>Small server rules on object shape: names, timestamps, which part of an object is its spec.</summary>
internal static class ObjectRules
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string GenerateName(string prefix, Random random)
    {
        var suffix = new char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = NameAlphabet[random.Next(NameAlphabet.Length)];
        }

        return prefix + new string(suffix);
    }

    /// <summary>The name error the server gives, or null when the name is valid for the resource.</summary>
    public static string? NameError(ResourceType type, string name)
    {
        // Roles and bindings take any path segment (ValidateRBACName is path.IsValidPathSegmentName): system:node, eks:addon-manager.
        if (type.Group == "rbac.authorization.k8s.io")
        {
            if (name is "." or "..") return $"may not be '{name}'";
            return name.IndexOfAny(['/', '%']) is var at and >= 0 ? $"may not contain '{name[at]}'" : null;
        }

        if (type == BuiltInResources.Namespaces)
        {
            return IsDnsLabel(name) ? null
                : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
        }

        if (name.Length > 253 || !name.Split('.').All(IsDnsLabel))
        {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
        }

        return null;
    }

    /// <summary>Whether anything outside metadata (and status, when status is a subresource) differs.</summary>
    public static bool SpecChanged(ResourceType type, JsonObject before, JsonObject after)
    {
        bool Counts(string key) => key is not ("metadata" or "kind" or "apiVersion") && !(key == "status" && type.HasStatusSubresource);
        var keys = before.Select(p => p.Key).Concat(after.Select(p => p.Key)).Where(Counts).Distinct(StringComparer.Ordinal);
        return keys.Any(k => !JsonNode.DeepEquals(before[k], after[k]));
    }

    public static IReadOnlyList<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray)?.Select(f => Text(f) ?? "").ToList() ?? [];

    private static bool IsDnsLabel(string label) =>
        label.Length is > 0 and <= 63
        && (char.IsAsciiLetterLower(label[0]) || char.IsAsciiDigit(label[0]))
        && (char.IsAsciiLetterLower(label[^1]) || char.IsAsciiDigit(label[^1]))
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
