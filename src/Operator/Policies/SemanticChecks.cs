using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Policies;

/// <summary>
/// What neither the schema nor the CEL rules check, and the API server does not check for custom resources:
/// label selectors as Kubernetes validates them for its own types (operators, label key and value syntax), and image
/// patterns (<see cref="ImagePatternSyntax"/>).
/// Works on the JSON form of the spec so that raw and typed policies are checked alike.
/// </summary>
internal static partial class SemanticChecks
{
    private static readonly string[] Operators = ["In", "NotIn", "Exists", "DoesNotExist"];

    public static void Check(JsonObject? spec, List<SpecProblem> problems)
    {
        if (spec is null) return;
        if (spec["match"] is JsonObject match)
        {
            CheckSelector(match["namespaceSelector"], "spec.match.namespaceSelector", problems);
            CheckKinds(match["kinds"], problems);
        }

        if (spec["imageScanning"] is JsonObject scanning)
        {
            CheckImagePatterns(scanning["allowedRegistries"], "spec.imageScanning.allowedRegistries", ImagePatternUse.AllowedRegistry, problems);
        }

        if (spec["exemptions"] is JsonArray exemptions)
        {
            for (var i = 0; i < exemptions.Count; i++)
            {
                if (exemptions[i] is not JsonObject exemption) continue;
                CheckSelector(exemption["selector"], $"spec.exemptions[{i}].selector", problems);
                CheckImagePatterns(exemption["images"], $"spec.exemptions[{i}].images", ImagePatternUse.Exemption, problems);
                CheckExemptionRules(exemption["rules"], $"spec.exemptions[{i}].rules", problems);
            }
        }
    }

    /// <summary>
    /// The CRD's enum, again for typed policies (status): a kind the engine does not evaluate would narrow the policy to
    /// nothing, and it would then report compliance it never checked.
    /// </summary>
    private static void CheckKinds(JsonNode? kinds, List<SpecProblem> problems)
    {
        if (kinds is not JsonArray entries) return;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is JsonValue value && value.TryGetValue<string>(out var kind) && !WorkloadView.SupportedKinds.Contains(kind))
            {
                problems.Add(new SpecProblem($"spec.match.kinds[{i}]", $"\"{kind}\" is not one of {string.Join(", ", WorkloadView.SupportedKinds)}"));
            }
        }
    }

    /// <summary>
    /// Each pattern entry (<c>pss.*</c>) matches a rule of the catalog: a misspelt one would exempt nothing while the
    /// policy reads as if it did. Entries without '*' are the CRD's CEL rule's (checked at admission, and by its twin).
    /// </summary>
    private static void CheckExemptionRules(JsonNode? rules, string path, List<SpecProblem> problems)
    {
        if (rules is not JsonArray entries) return;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonValue value || !value.TryGetValue<string>(out var entry) || !entry.Contains('*', StringComparison.Ordinal)) continue;
            var glob = Exemptions.RuleGlob(entry);
            if (RuleCatalog.All.Any(r => glob.IsMatch(r.Id))) continue;
            problems.Add(new SpecProblem($"{path}[{i}]", $"\"{entry}\" matches no rule (did you mean {ClosestRuleId(entry)}? the README's rules table lists them all)"));
        }
    }

    /// <summary>The catalog's id closest to <paramref name="entry"/>, for a suggestion.</summary>
    internal static string ClosestRuleId(string entry) =>
        RuleCatalog.All.Select(r => r.Id).MinBy(id => EditDistance(id, entry.Trim().ToLowerInvariant()))!;

    /// <summary>Levenshtein distance, for the suggestion only.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static void CheckSelector(JsonNode? selector, string path, List<SpecProblem> problems)
    {
        if (selector is not JsonObject obj) return;
        if (obj["matchLabels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                var at = $"{path}.matchLabels[{key}]";
                if (LabelKeyProblem(key) is { } keyProblem) problems.Add(new SpecProblem(at, keyProblem));
                else if (Text(value) is { } text && LabelValueProblem(text) is { } valueProblem) problems.Add(new SpecProblem(at, valueProblem));
            }
        }

        if (obj["matchExpressions"] is not JsonArray expressions) return;
        for (var i = 0; i < expressions.Count; i++)
        {
            if (expressions[i] is not JsonObject requirement) continue;
            var at = $"{path}.matchExpressions[{i}]";
            if (Text(requirement["key"]) is { } key && LabelKeyProblem(key) is { } keyProblem) problems.Add(new SpecProblem($"{at}.key", keyProblem));

            var op = Text(requirement["operator"]);
            if (op is not null && !Operators.Contains(op, StringComparer.Ordinal))
                problems.Add(new SpecProblem($"{at}.operator", $"{JsonKinds.Quote(op)} is not one of {string.Join(", ", Operators)}"));

            if (op is "In" or "NotIn" && requirement["values"] is JsonArray values)
            {
                for (var j = 0; j < values.Count; j++)
                {
                    if (Text(values[j]) is { } text && LabelValueProblem(text) is { } valueProblem)
                        problems.Add(new SpecProblem($"{at}.values[{j}]", valueProblem));
                }
            }
        }
    }

    /// <summary>A label key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters.</summary>
    internal static string? LabelKeyProblem(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        var valid = name.Length is > 0 and <= 63 && LabelName().IsMatch(name)
                    && (prefix is null || (prefix.Length is > 0 and <= 253 && DnsSubdomain().IsMatch(prefix)));
        return valid
            ? null
            : $"{JsonKinds.Quote(key)} is not a valid label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit";
    }

    /// <summary>A label value: empty, or at most 63 characters beginning and ending with a letter or digit.</summary>
    internal static string? LabelValueProblem(string value) =>
        value.Length == 0 || (value.Length <= 63 && LabelName().IsMatch(value))
            ? null
            : $"{JsonKinds.Quote(value)} is not a valid label value: at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit";

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    internal static partial Regex DnsSubdomain();

    /// <summary>An RFC 1123 label (a namespace name), without the 63-character limit.</summary>
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    internal static partial Regex DnsLabel();

    /// <summary>Each pattern of a spec list (allow-list or exemption images), named by field and index when it is not a pattern.</summary>
    private static void CheckImagePatterns(JsonNode? list, string path, ImagePatternUse use, List<SpecProblem> problems)
    {
        if (list is not JsonArray patterns) return;
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String
                && ImagePatternSyntax.TryParse(value.GetValue<string>(), use, out var problem) is null)
            {
                problems.Add(new SpecProblem($"{path}[{i}]", $"{JsonKinds.Quote(value.GetValue<string>())} is not an image pattern: {problem}"));
            }
        }
    }
}
