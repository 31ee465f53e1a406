using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EksHardening.Entities;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Rules;
using k8s;
using k8s.Models;

namespace EksHardening.Operator.Reporting;

/// <summary>One report the evaluation calls for: a PolicyReport for a namespace, or the ClusterPolicyReport (namespace null).</summary>
/// <param name="ContentHash">Hash of everything but the result timestamps: equal hashes mean nothing to write.</param>
public sealed record DesiredPolicyReport(string? Namespace, IPolicyReport Report, string ContentHash)
{
    public bool IsCluster => Namespace is null;
}

/// <summary>
/// Turns a policy's evaluation into wgpolicyk8s.io/v1alpha2 reports (pure): one PolicyReport per namespace with
/// findings on its resources, and one ClusterPolicyReport for findings on cluster-scoped objects (namespace-level
/// rules sit on the Namespace) and on the cluster itself. Every finding is one result, passes included, so that a
/// report's summary counts what the policy's status counts.
/// <para>
/// Mapping: pass→pass, fail→fail in every mode (the mode is a property; <c>warn</c> means "not scored" in the
/// report's vocabulary, which our rules never are), exempt→skip (the exemption's name is a property), error→error.
/// Severities keep their names. A report keeps at most <c>maxResults</c> results, failures and errors first; the
/// summary still counts every finding, and an annotation says what was left out.
/// </para>
/// </summary>
public static class PolicyReportBuilder
{
    public const string Source = "eks-hardening";
    public const string NamePrefix = "rpol-";
    /// <summary>Set on a report whose results were cut to the cap; absent otherwise.</summary>
    public const string TruncatedAnnotation = "eks-hardening.io/results-truncated";
    public const int DefaultMaxResults = 1000;
    private const int MaxNameLength = 253;

    /// <summary>The name of every report of a policy (one per namespace, and the cluster report): <c>rpol-&lt;policy&gt;</c>.</summary>
    public static string ReportName(string policyName) => PolicyOwnership.Shorten(NamePrefix + policyName, MaxNameLength);

    public static PolicyReportOutcome Outcome(FindingResult result) => result switch
    {
        FindingResult.Pass => PolicyReportOutcome.Pass,
        FindingResult.Fail => PolicyReportOutcome.Fail,
        FindingResult.Exempt => PolicyReportOutcome.Skip,
        FindingResult.Error => PolicyReportOutcome.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    public static PolicyReportSeverity ReportSeverity(Severity severity) => severity switch
    {
        Severity.Critical => PolicyReportSeverity.Critical,
        Severity.High => PolicyReportSeverity.High,
        Severity.Medium => PolicyReportSeverity.Medium,
        Severity.Low => PolicyReportSeverity.Low,
        _ => PolicyReportSeverity.Info,
    };

    /// <summary>The reports the evaluation calls for, namespaces in order, the cluster report last; none without an evaluation.</summary>
    public static IReadOnlyList<DesiredPolicyReport> Build(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, DateTimeOffset now, int maxResults = DefaultMaxResults)
    {
        if (evaluation is null) return [];
        var timestamp = new PolicyReportTimestamp { Seconds = now.ToUnixTimeSeconds() };
        var mode = policy.Spec.Mode.ToString();
        var reports = new List<DesiredPolicyReport>();

        var byNamespace = evaluation.Resources.Where(r => r.Resource.Namespace is not null)
            .GroupBy(r => r.Resource.Namespace!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in byNamespace)
        {
            var results = group.SelectMany(r => r.Findings.Select(f => Result(policy, f, r.Resource, mode, timestamp)));
            reports.Add(Desired(policy, group.Key, new PolicyReport(), results, maxResults));
        }

        var clusterName = policy.Spec.Cluster?.Name;
        var clusterResults = evaluation.Resources.Where(r => r.Resource.Namespace is null)
            .SelectMany(r => r.Findings.Select(f => Result(policy, f, r.Resource, mode, timestamp)))
            .Concat(evaluation.ClusterFindings.Select(f => Result(policy, f, null, mode, timestamp, clusterName)))
            .ToList();
        if (clusterResults.Count > 0) reports.Add(Desired(policy, null, new ClusterPolicyReport(), clusterResults, maxResults));
        return reports;
    }

    /// <summary>
    /// A hash of what the operator writes into a report, leaving out the result timestamps and whatever the server or
    /// others add (other labels and annotations, uid, resourceVersion), so a report read back from a list hashes as
    /// the same report built from the same findings.
    /// </summary>
    public static string ContentHash(IPolicyReport report)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(report))!.AsObject();
        var metadata = report.Metadata;
        var labels = new JsonObject();
        foreach (var key in new[] { PolicyOwnership.ManagedByLabel, PolicyOwnership.PolicyLabel })
        {
            if (metadata.Labels?.TryGetValue(key, out var value) == true) labels[key] = value;
        }

        var owners = new JsonArray();
        foreach (var owner in metadata.OwnerReferences ?? [])
        {
            if (owner.Kind != ResponsibilityPolicy.KindName) continue;
            owners.Add(new JsonObject { ["name"] = owner.Name, ["uid"] = owner.Uid, ["controller"] = owner.Controller == true });
        }

        var results = node["results"] as JsonArray ?? [];
        foreach (var result in results.OfType<JsonObject>()) result.Remove("timestamp");
        var canonical = new JsonObject
        {
            ["labels"] = labels,
            ["truncated"] = TruncationNote(metadata),
            ["owners"] = owners,
            ["scope"] = node["scope"]?.DeepClone(),
            ["scopeSelector"] = node["scopeSelector"]?.DeepClone(),
            ["summary"] = node["summary"]?.DeepClone(),
            ["results"] = results.DeepClone(),
        };
        var text = Canonical(canonical)!.ToJsonString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The truncation annotation's value, or null when the report holds every result.</summary>
    public static string? TruncationNote(V1ObjectMeta metadata) =>
        metadata.Annotations is { } annotations && annotations.TryGetValue(TruncatedAnnotation, out var note) ? note : null;

    private static DesiredPolicyReport Desired(ResponsibilityPolicy policy, string? ns, IPolicyReport report, IEnumerable<PolicyReportResult> results, int maxResults)
    {
        var all = results.ToList();
        var kept = all.OrderBy(r => Priority(r.Result))
            .ThenByDescending(r => r.Severity)
            .ThenBy(r => r.Resources?[0].Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Resources?[0].Name, StringComparer.Ordinal)
            .ThenBy(r => r.Rule, StringComparer.Ordinal)
            .ThenBy(r => r.Message, StringComparer.Ordinal)
            .Take(Math.Max(0, maxResults))
            .ToList();
        report.Metadata = new V1ObjectMeta
        {
            Name = ReportName(policy.Metadata.Name),
            NamespaceProperty = ns,
            Labels = PolicyOwnership.Labels(policy.Metadata.Name),
            Annotations = kept.Count < all.Count
                ? new Dictionary<string, string> { [TruncatedAnnotation] = $"{kept.Count} of {all.Count} results kept, failures and errors first; the summary counts all" }
                : null,
            OwnerReferences = [PolicyOwnership.OwnerReference(policy)],
        };
        report.Summary = new PolicyReportSummary
        {
            Pass = all.Count(r => r.Result == PolicyReportOutcome.Pass),
            Fail = all.Count(r => r.Result == PolicyReportOutcome.Fail),
            Warn = all.Count(r => r.Result == PolicyReportOutcome.Warn),
            Error = all.Count(r => r.Result == PolicyReportOutcome.Error),
            Skip = all.Count(r => r.Result == PolicyReportOutcome.Skip),
        };
        report.Results = kept;
        return new DesiredPolicyReport(ns, report, ContentHash(report));
    }

    private static PolicyReportResult Result(ResponsibilityPolicy policy, Finding finding, ResourceRef? resource, string mode, PolicyReportTimestamp timestamp, string? clusterName = null)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["mode"] = mode };
        if (finding.Path is { Length: > 0 } path) properties["path"] = path;
        if (finding.Image is { Length: > 0 } image) properties["image"] = image;
        if (finding.Exemption is { Length: > 0 } exemption) properties["exemption"] = exemption;
        if (clusterName is { Length: > 0 }) properties["cluster"] = clusterName;
        if (finding.Result == FindingResult.Fail && finding.Rule.Remediation.Length > 0) properties["remediation"] = finding.Rule.Remediation;
        return new PolicyReportResult
        {
            Source = Source,
            Policy = policy.Metadata.Name,
            Rule = finding.Rule.Id,
            Category = finding.Rule.Row.ToString(),
            Severity = ReportSeverity(finding.Rule.Severity),
            Timestamp = timestamp,
            Result = Outcome(finding.Result),
            Scored = true,
            Resources = resource is null ? null :
            [
                new V1ObjectReference { ApiVersion = resource.ApiVersion, Kind = resource.Kind, NamespaceProperty = resource.Namespace, Name = resource.Name, Uid = resource.Uid },
            ],
            Message = ComplianceStatus.Cut(finding.Message),
            Properties = properties,
        };
    }

    /// <summary>What a capped report keeps first: what needs attention.</summary>
    private static int Priority(PolicyReportOutcome? outcome) => outcome switch
    {
        PolicyReportOutcome.Fail => 0,
        PolicyReportOutcome.Error => 1,
        PolicyReportOutcome.Warn => 2,
        PolicyReportOutcome.Skip => 3,
        _ => 4,
    };

    /// <summary>The same JSON with object keys sorted, so that map order (labels, properties) does not change the hash.</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Where(p => p.Value is not null)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        _ => node?.DeepClone(),
    };
}
