using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The machine-readable scan report. Key order is fixed and part of the contract; fields are
/// only ever added after the existing ones. Every finding is listed, passes included, unless the report's filter narrows
/// the list: then a resource appears only with the findings the filter keeps (none: not at all), the summaries still
/// count every finding, and a trailing <c>filter</c> object says what was kept.
/// </summary>
public sealed class JsonReportWriter : IScanReportWriter
{
    public void Write(ScanReport report, TextWriter output) => JsonOutput.Write(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("tool", ScanReport.ToolName);
        json.WriteString("version", report.Version);
        json.WriteStartArray("policies");
        foreach (var policy in report.Policies) WritePolicy(json, policy, report.Filter);
        json.WriteEndArray();
        json.WriteStartObject("skipped");
        foreach (var (kind, count) in report.SkippedKinds.OrderBy(k => k.Key, StringComparer.Ordinal)) json.WriteNumber(kind, count);
        json.WriteEndObject();
        if (!report.Filter.ShowsEverything)
        {
            json.WriteStartObject("filter");
            json.WriteBoolean("onlyFailed", report.Filter.OnlyFailed);
            WriteNullable(json, "minSeverity", report.Filter.MinSeverity is { } min ? ReportTerms.Name(min) : null);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    });

    private static void WritePolicy(Utf8JsonWriter json, PolicyEvaluation policy, FindingFilter filter)
    {
        json.WriteStartObject();
        json.WriteString("name", policy.PolicyName);
        json.WriteString("mode", policy.Mode.ToString());

        var summary = policy.Summary;
        json.WriteStartObject("summary");
        json.WriteNumber("resources", summary.Resources);
        json.WriteNumber("compliant", summary.Compliant);
        json.WriteNumber("violating", summary.Violating);
        json.WriteNumber("exempt", summary.Exempt);
        json.WriteNumber("errors", summary.Errors);
        json.WriteEndObject();

        json.WriteStartArray("resources");
        foreach (var resource in policy.Resources)
        {
            var findings = resource.Findings.Where(filter.Includes).ToList();
            if (findings.Count > 0 || filter.ShowsEverything) WriteResource(json, resource, findings);
        }

        json.WriteEndArray();

        json.WriteStartArray("clusterFindings");
        foreach (var finding in policy.ClusterFindings.Where(filter.Includes)) WriteFinding(json, finding);
        json.WriteEndArray();

        json.WriteStartArray("expiredExemptions");
        foreach (var expired in policy.ExpiredExemptions)
        {
            json.WriteStartObject();
            json.WriteString("name", expired.Name);
            json.WriteString("expires", ReportTerms.Timestamp(expired.Expires));
            json.WriteString("reason", expired.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("undecidedNamespaces");
        foreach (var ns in policy.UndecidedNamespaces) json.WriteStringValue(ns);
        json.WriteEndArray();
        json.WriteNumber("undecidedResources", policy.UndecidedResources);
        WriteNullable(json, "note", UndecidedNamespacesNote.For(policy));
        json.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter json, ResourceEvaluation resource, List<Finding> findings)
    {
        var id = resource.Resource;
        json.WriteStartObject();
        json.WriteString("apiVersion", id.ApiVersion);
        json.WriteString("kind", id.Kind);
        WriteNullable(json, "namespace", id.Namespace);
        json.WriteString("name", id.Name);
        WriteNullable(json, "source", resource.Source?.ToString());
        json.WriteString("verdict", ReportTerms.Name(resource.Verdict));
        if (resource.Notes.Count > 0)
        {
            json.WriteStartArray("notes");
            foreach (var note in resource.Notes) json.WriteStringValue(note);
            json.WriteEndArray();
        }

        json.WriteStartArray("findings");
        foreach (var finding in findings) WriteFinding(json, finding);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, Finding finding)
    {
        json.WriteStartObject();
        json.WriteString("rule", finding.Rule.Id);
        json.WriteString("row", finding.Rule.Row.ToString());
        json.WriteString("severity", ReportTerms.Name(finding.Rule.Severity));
        json.WriteString("result", ReportTerms.Name(finding.Result));
        json.WriteString("message", finding.Message);
        WriteNullable(json, "path", finding.Path);
        if (finding.Image is not null) json.WriteString("image", finding.Image);
        if (finding.Exemption is not null) json.WriteString("exemption", finding.Exemption);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}
