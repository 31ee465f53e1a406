using System.Reflection;
using EksHardening.Operator.Manifests;
using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Policies;

/// <summary>
/// Checks ResponsibilityPolicies against the CRD: the structural schema as the API server and kubectl's strict
/// field validation apply it, the CEL rules through their C# twins, and the semantic checks that neither covers.
/// Problems come in document order, at most one per field.
/// </summary>
public static class PolicyValidator
{
    private static readonly HashSet<string> RootFieldsCheckedApart = new(StringComparer.Ordinal) { "metadata" };

    private static readonly HashSet<string> MetadataFields = typeof(V1ObjectMeta).GetProperties()
        .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The check <see cref="ManifestReader"/> runs on each document before typing it: a ResponsibilityPolicy against
    /// the CRD (the first problem's path, every problem summarized); other kinds pass.
    /// </summary>
    public static DocumentProblem? CheckDocument(string apiVersion, string kind, JsonObject document)
    {
        if (apiVersion != ResponsibilityPolicy.ApiVersionName || kind != ResponsibilityPolicy.KindName) return null;
        var problems = Validate(document);
        return problems.Count == 0 ? null : new DocumentProblem(problems[0].Path, Summarize(problems));
    }

    /// <summary>Full check of a raw policy object (apiVersion, kind, metadata, spec and, if present, status).</summary>
    public static IReadOnlyList<SpecProblem> Validate(JsonObject policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var problems = new List<SpecProblem>();
        CheckTypeField(policy, "apiVersion", ResponsibilityPolicy.ApiVersionName, problems);
        CheckTypeField(policy, "kind", ResponsibilityPolicy.KindName, problems);
        CheckMetadata(policy["metadata"], problems);

        var schema = new SchemaValidator(checkStructure: true);
        schema.Validate(ResponsibilityPolicyCrd.Schema, policy, "", RootFieldsCheckedApart);
        problems.AddRange(schema.Problems);
        SemanticChecks.Check(policy["spec"] as JsonObject, problems);
        return FirstPerPath(problems);
    }

    /// <summary>
    /// The CEL-equivalent and semantic checks on a typed policy, whose shape the API server has already checked
    /// against the schema: what the operator reports as Ready=False, reason InvalidSpec.
    /// </summary>
    public static IReadOnlyList<SpecProblem> ValidateSemantics(ResponsibilityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Spec is null) return [new SpecProblem("spec", "is required")];

        var spec = JsonSerializer.SerializeToNode(policy.Spec, OperatorJson.TypeInfo<ResponsibilityPolicySpec>()) as JsonObject ?? new JsonObject();
        var problems = new List<SpecProblem>();
        var cel = new SchemaValidator(checkStructure: false);
        cel.Validate(ResponsibilityPolicyCrd.Schema, new JsonObject { ["spec"] = spec }, "");
        problems.AddRange(cel.Problems);
        SemanticChecks.Check(spec, problems);
        return FirstPerPath(problems);
    }

    /// <summary>One line for a condition message: the first few problems and how many more there are.</summary>
    public static string Summarize(IReadOnlyList<SpecProblem> problems, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var shown = string.Join("; ", problems.Take(max));
        return problems.Count > max ? $"{shown} (and {problems.Count - max} more)" : shown;
    }

    private static void CheckTypeField(JsonObject policy, string field, string expected, List<SpecProblem> problems)
    {
        var value = policy[field];
        if (value is null) problems.Add(new SpecProblem(field, $"is required (must be {expected})"));
        else if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != expected)
            problems.Add(new SpecProblem(field, $"must be {expected}, got {JsonKinds.Describe(value)}"));
    }

    /// <summary>The API server checks ObjectMeta itself; this is what kubectl and the server would reject.</summary>
    private static void CheckMetadata(JsonNode? metadata, List<SpecProblem> problems)
    {
        if (metadata is null)
        {
            problems.Add(new SpecProblem("metadata.name", "is required"));
            return;
        }

        if (metadata is not JsonObject meta)
        {
            problems.Add(new SpecProblem("metadata", $"must be an object, got {JsonKinds.Describe(metadata)}"));
            return;
        }

        foreach (var (key, _) in meta)
        {
            if (!MetadataFields.Contains(key)) problems.Add(new SpecProblem($"metadata.{key}", "unknown field"));
        }

        var name = meta["name"];
        if (name is null)
        {
            if (meta["generateName"] is null) problems.Add(new SpecProblem("metadata.name", "is required"));
        }
        else if (name is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String)
        {
            problems.Add(new SpecProblem("metadata.name", $"must be a string, got {JsonKinds.Describe(name)}"));
        }
        else if (nameValue.GetValue<string>() is var text && (text.Length > 253 || !SemanticChecks.DnsSubdomain().IsMatch(text)))
        {
            problems.Add(new SpecProblem("metadata.name",
                $"{JsonKinds.Quote(text)} is not a valid name: at most 253 lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit"));
        }

        CheckStringMap(meta["labels"], "metadata.labels", checkValues: true, problems);
        CheckStringMap(meta["annotations"], "metadata.annotations", checkValues: false, problems);
    }

    private static void CheckStringMap(JsonNode? node, string path, bool checkValues, List<SpecProblem> problems)
    {
        if (node is null) return;
        if (node is not JsonObject map)
        {
            problems.Add(new SpecProblem(path, $"must be an object, got {JsonKinds.Describe(node)}"));
            return;
        }

        foreach (var (key, value) in map)
        {
            var at = $"{path}[{key}]";
            if (SemanticChecks.LabelKeyProblem(key) is { } keyProblem) problems.Add(new SpecProblem(at, keyProblem.Replace("label key", "key", StringComparison.Ordinal)));
            else if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                problems.Add(new SpecProblem(at, value is null ? "must be a string, got null" : $"must be a string, got {JsonKinds.Describe(value)}"));
            else if (checkValues && SemanticChecks.LabelValueProblem(v.GetValue<string>()) is { } valueProblem) problems.Add(new SpecProblem(at, valueProblem));
        }
    }

    private static List<SpecProblem> FirstPerPath(List<SpecProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return problems.Where(p => seen.Add(p.Path)).ToList();
    }
}
