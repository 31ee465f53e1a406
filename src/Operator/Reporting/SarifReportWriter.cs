using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, rule metadata for every
/// rule the scan evaluated, one result per fail, error and exempt finding (passes are not results) that the report's
/// filter keeps.
/// </summary>
/// <remarks>
/// Mapping decisions:
/// <list type="bullet">
/// <item>fail: <c>kind: fail</c>, level from severity (critical/high error, medium warning, low note).</item>
/// <item>error (a fact could not be learned): <c>kind: open</c>, <c>level: none</c>. SARIF §3.27.10 allows a
/// level other than none only with kind fail, and an error is neither a pass nor a fail.</item>
/// <item>exempt: a fail result carrying <c>suppressions: [{kind: external, status: accepted}]</c>.</item>
/// <item>Every result has a physical location, since GitHub rejects the whole upload otherwise:
/// the resource's manifest; for a Namespace known only from its workloads, the first manifest in that
/// namespace; else a stand-in path <c>kubernetes/&lt;namespace&gt;/&lt;kind&gt;/&lt;name&gt;</c> (<c>eks/cluster</c>
/// for cluster findings) without a region.</item>
/// </list>
/// </remarks>
/// <param name="baseDirectory">Absolute manifest paths under this directory are written relative to it (GitHub wants repository-relative paths).</param>
public sealed class SarifReportWriter(string? baseDirectory = null) : IScanReportWriter
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    public const string InformationUri = "https://eks-hardening.io/";

    /// <summary>Key of the partial fingerprint: rule and resource identity, never line numbers or message text.</summary>
    public const string FingerprintKey = "eksHardeningFinding/v1";

    private readonly string? _baseDirectory = baseDirectory;

    public void Write(ScanReport report, TextWriter output)
    {
        var rules = UsedRules(report);
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++) ruleIndex[rules[i].Id] = i;
        var namespaceSources = FirstSourcePerNamespace(report);

        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", ScanReport.ToolName);
            json.WriteString("version", report.Version);
            json.WriteString("informationUri", InformationUri);
            json.WriteStartArray("rules");
            foreach (var rule in rules) WriteRule(json, rule);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            WriteInvocation(json, report);

            json.WriteStartArray("results");
            foreach (var policy in report.Policies)
            {
                foreach (var resource in policy.Resources)
                {
                    var location = LocationOf(resource, namespaceSources);
                    foreach (var finding in resource.Findings)
                    {
                        if (finding.Result == FindingResult.Pass || !report.Filter.Includes(finding)) continue;
                        WriteResult(json, policy, finding, resource.Resource, location, ruleIndex[finding.Rule.Id]);
                    }
                }

                foreach (var finding in policy.ClusterFindings)
                {
                    if (finding.Result == FindingResult.Pass || !report.Filter.Includes(finding)) continue;
                    WriteResult(json, policy, finding, null, new Location("eks/cluster", null), ruleIndex[finding.Rule.Id]);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// Notes about the scan itself (SARIF §3.20.21 toolExecutionNotifications): one per policy whose namespace selector
    /// met namespaces with unknown labels, and one per resource read from a removed API version; written only when
    /// there is one, so that a clean run stays as it was.
    /// </summary>
    private static void WriteInvocation(Utf8JsonWriter json, ScanReport report)
    {
        var notes = report.Policies.Select(p => (Policy: p, Text: UndecidedNamespacesNote.For(p))).Where(n => n.Text is not null).ToList();
        var resourceNotes = report.ResourceNotes;
        if (notes.Count == 0 && resourceNotes.Count == 0) return;
        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        json.WriteStartArray("toolExecutionNotifications");
        foreach (var (policy, text) in notes)
        {
            json.WriteStartObject();
            json.WriteStartObject("descriptor");
            json.WriteString("id", UndecidedNamespacesNote.Id);
            json.WriteEndObject();
            json.WriteString("level", "warning");
            WriteText(json, "message", text!);
            json.WriteStartObject("properties");
            json.WriteString("policy", policy.PolicyName);
            json.WriteStartArray("namespaces");
            foreach (var ns in policy.UndecidedNamespaces) json.WriteStringValue(ns);
            json.WriteEndArray();
            json.WriteNumber("resources", policy.UndecidedResources);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var note in resourceNotes)
        {
            json.WriteStartObject();
            json.WriteString("level", "note");
            WriteText(json, "message", note);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>Every rule with a finding (passes count: the rule was evaluated), in catalog order, unknown ids after, by id.</summary>
    private static List<RuleDefinition> UsedRules(ScanReport report)
    {
        var catalogOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < RuleCatalog.All.Count; i++) catalogOrder.TryAdd(RuleCatalog.All[i].Id, i);

        var used = new Dictionary<string, RuleDefinition>(StringComparer.Ordinal);
        foreach (var policy in report.Policies)
        {
            foreach (var finding in policy.AllFindings) used.TryAdd(finding.Rule.Id, finding.Rule);
        }

        return used.Values
            .OrderBy(r => catalogOrder.GetValueOrDefault(r.Id, int.MaxValue))
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }

    private static void WriteRule(Utf8JsonWriter json, RuleDefinition rule)
    {
        var severity = ReportTerms.Name(rule.Severity);
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("name", PascalName(rule.Id));
        WriteText(json, "shortDescription", rule.Title);
        WriteText(json, "fullDescription", $"{Sentence(rule.Title)} Responsibility row {rule.Row}, severity {severity}; checked when the policy sets {rule.Duty}.");

        json.WriteStartObject("help");
        json.WriteString("text", $"{Sentence(rule.Title)} Remediation: {rule.Remediation}");
        json.WriteString("markdown", $"**{rule.Title}**\n\nRemediation: {rule.Remediation}\n\n| row | severity | turned on by |\n|---|---|---|\n| {rule.Row} | {severity} | `{rule.Duty}` |");
        json.WriteEndObject();

        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.Severity));
        json.WriteEndObject();

        json.WriteStartObject("properties");
        json.WriteString("row", rule.Row.ToString());
        json.WriteString("severity", severity);
        json.WriteString("security-severity", SecuritySeverity(rule.Severity));
        json.WriteString("precision", "very-high");
        json.WriteStartArray("tags");
        foreach (var tag in Tags(rule)) json.WriteStringValue(tag);
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, PolicyEvaluation policy, Finding finding, ResourceRef? resource, Location location, int ruleIndex)
    {
        var subject = resource?.ToString() ?? "cluster";
        json.WriteStartObject();
        json.WriteString("ruleId", finding.Rule.Id);
        json.WriteNumber("ruleIndex", ruleIndex);

        if (finding.Result == FindingResult.Error)
        {
            json.WriteString("kind", "open");
            json.WriteString("level", "none");
            WriteText(json, "message", $"{subject}: could not be evaluated: {finding.Message}");
        }
        else
        {
            json.WriteString("kind", "fail");
            json.WriteString("level", Level(finding.Rule.Severity));
            WriteText(json, "message", $"{subject}: {finding.Message}");
        }

        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", location.Uri);
        json.WriteEndObject();
        if (location.Line is { } line)
        {
            json.WriteStartObject("region");
            json.WriteNumber("startLine", line);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("logicalLocations");
        json.WriteStartObject();
        json.WriteString("name", resource?.Name ?? "cluster");
        json.WriteString("fullyQualifiedName", subject);
        json.WriteString("kind", "resource");
        json.WriteEndObject();
        if (finding.Path is not null)
        {
            json.WriteStartObject();
            json.WriteString("name", finding.Path);
            json.WriteString("fullyQualifiedName", $"{subject}:{finding.Path}");
            json.WriteString("kind", "property");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartObject("partialFingerprints");
        json.WriteString(FingerprintKey, Fingerprint(finding, resource));
        json.WriteEndObject();

        if (finding.Result == FindingResult.Exempt)
        {
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "external");
            json.WriteString("status", "accepted");
            json.WriteString("justification", finding.Exemption is null
                ? $"exempted by policy {policy.PolicyName}"
                : $"exemption {finding.Exemption} of policy {policy.PolicyName}");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("properties");
        json.WriteString("policy", policy.PolicyName);
        json.WriteString("mode", policy.Mode.ToString());
        json.WriteString("result", ReportTerms.Name(finding.Result));
        json.WriteString("row", finding.Rule.Row.ToString());
        json.WriteString("severity", ReportTerms.Name(finding.Rule.Severity));
        if (finding.Image is not null) json.WriteString("image", finding.Image);
        json.WriteEndObject();

        json.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter json, string property, string text)
    {
        json.WriteStartObject(property);
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private Location LocationOf(ResourceEvaluation resource, Dictionary<string, SourceLocation> namespaceSources)
    {
        var id = resource.Resource;
        var source = resource.Source;
        if (source is null && id.Namespace is null && id.Kind == "Namespace") source = namespaceSources.GetValueOrDefault(id.Name);
        if (source is not null) return new Location(ArtifactUri(source.File), source.Line >= 1 ? source.Line : null);

        return new Location(EscapeRelative($"kubernetes/{id.Namespace ?? "_cluster"}/{id.Kind}/{id.Name}"), null);
    }

    /// <summary>Where a namespace known only from its workloads points: the first manifest of a resource in it.</summary>
    private static Dictionary<string, SourceLocation> FirstSourcePerNamespace(ScanReport report)
    {
        var sources = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var policy in report.Policies)
        {
            foreach (var resource in policy.Resources)
            {
                if (resource.Resource.Namespace is { } ns && resource.Source is { } source) sources.TryAdd(ns, source);
            }
        }

        return sources;
    }

    /// <summary>A relative URI with forward slashes for repository files; <c>file://</c> for absolute paths outside the base directory.</summary>
    internal string ArtifactUri(string file)
    {
        var path = file;
        if (Path.IsPathRooted(path) && _baseDirectory is not null)
        {
            var relative = Path.GetRelativePath(_baseDirectory, path);
            if (!Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal) && !relative.StartsWith("..\\", StringComparison.Ordinal))
            {
                path = relative;
            }
        }

        if (Path.IsPathRooted(path)) return new Uri(path).AbsoluteUri;

        path = path.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        return EscapeRelative(path);
    }

    private static string EscapeRelative(string path) =>
        string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Fingerprint(Finding finding, ResourceRef? resource)
    {
        var identity = string.Join('\n',
            finding.Rule.Id,
            resource?.ApiVersion ?? "",
            resource?.Kind ?? "cluster",
            resource?.Namespace ?? "",
            resource?.Name ?? "",
            finding.Path ?? "",
            finding.Image ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>GitHub's scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below 4.0 low.</summary>
    private static string SecuritySeverity(Severity severity) => (severity switch
    {
        Severity.Critical => 9.5,
        Severity.High => 8.0,
        Severity.Medium => 5.5,
        _ => 3.0,
    }).ToString("0.0", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Tags(RuleDefinition rule)
    {
        var family = rule.Id.Split('.')[0];
        return new[] { "security", "kubernetes", "eks", family, rule.Row.ToString() }.Distinct(StringComparer.Ordinal);
    }

    /// <summary><c>image.tag-not-latest</c> becomes <c>ImageTagNotLatest</c>.</summary>
    internal static string PascalName(string id)
    {
        var name = new StringBuilder(id.Length);
        var upper = true;
        foreach (var c in id)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            name.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return name.ToString();
    }

    private static string Sentence(string text) => text.EndsWith('.') ? text : text + ".";

    private readonly record struct Location(string Uri, int? Line);
}
