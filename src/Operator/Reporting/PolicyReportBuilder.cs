using EksHardening.Operator.Policies;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>One report the evaluation calls for: a PolicyReport for a namespace, or the ClusterPolicyReport (namespace null).</summary>
/// <param name="ContentHash">Hash of everything but the result timestamps: equal hashes mean nothing to write.</param>
public sealed record DesiredPolicyReport(string? Namespace, PolicyReportBase Report, string ContentHash)
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
    public static IReadOnlyList<DesiredPolicyReport> Build(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, DateTimeOffset now, int maxResults = DefaultMaxResults) =>
        [.. Plan(policy, evaluation, maxResults).Select(input => input.Build(now))];

    /// <summary>
    /// The findings each report will hold, grouped but not yet turned into results (cheap), each with a fingerprint of
    /// everything that goes into the report but the time: an unchanged fingerprint means an unchanged report, so a
    /// reconcile on a quiet cluster need not build (nor hash) any report.
    /// </summary>
    public static IReadOnlyList<PolicyReportInput> Plan(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, int maxResults = DefaultMaxResults)
    {
        if (evaluation is null) return [];
        var context = new ResultContext(policy, policy.Spec.Cluster?.Name, Math.Max(0, maxResults));
        // Plain loops: an evaluation of a large cluster holds tens of thousands of findings. The inputs refer to the
        // evaluation's resources, which it keeps anyway, rather than copy out one item per finding.
        var byNamespace = new SortedDictionary<string, List<ResourceEvaluation>>(StringComparer.Ordinal);
        List<ResourceEvaluation> clusterResources = [];
        foreach (var resource in evaluation.Resources)
        {
            var resources = resource.Resource.Namespace is not { } ns ? clusterResources
                : byNamespace.TryGetValue(ns, out var namespaceResources) ? namespaceResources
                : byNamespace[ns] = [];
            resources.Add(resource);
        }

        var inputs = new List<PolicyReportInput>(byNamespace.Count + 1);
        foreach (var (ns, resources) in byNamespace) inputs.Add(new PolicyReportInput(context, ns, resources, []));
        var cluster = new PolicyReportInput(context, null, clusterResources, evaluation.ClusterFindings);
        if (cluster.Count > 0) inputs.Add(cluster);
        return inputs;
    }

    /// <summary>
    /// A hash of what the operator writes into a report, leaving out the result timestamps and whatever the server or
    /// others add (other labels and annotations, uid, resourceVersion), so a report read back from a list hashes as
    /// the same report built from the same findings. Written field by field in a fixed order (maps by key), which is
    /// much cheaper than serializing and canonicalizing the whole report on every reconcile.
    /// </summary>
    public static string ContentHash(PolicyReportBase report)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            var metadata = report.Metadata;
            foreach (var key in new[] { PolicyOwnership.ManagedByLabel, PolicyOwnership.PolicyLabel })
            {
                json.WriteStringValue(metadata.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null);
            }

            json.WriteStringValue(TruncationNote(metadata));
            foreach (var owner in metadata.OwnerReferences ?? [])
            {
                if (owner.Kind != ResponsibilityPolicy.KindName) continue;
                json.WriteStringValue(owner.Name);
                json.WriteStringValue(owner.Uid);
                json.WriteBooleanValue(owner.Controller == true);
            }

            json.WriteStringValue(report.Scope is null ? null : KubernetesJson.Serialize(report.Scope));
            json.WriteStringValue(report.ScopeSelector is null ? null : KubernetesJson.Serialize(report.ScopeSelector));
            var summary = report.Summary ?? new PolicyReportSummary();
            foreach (var count in new[] { summary.Pass, summary.Fail, summary.Warn, summary.Error, summary.Skip }) json.WriteNumberValue(count);
            foreach (var result in report.Results ?? []) WriteResult(json, result);
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The truncation annotation's value, or null when the report holds every result.</summary>
    public static string? TruncationNote(V1ObjectMeta metadata) =>
        metadata.Annotations is { } annotations && annotations.TryGetValue(TruncatedAnnotation, out var note) ? note : null;

    /// <summary>One result without its timestamp, every field in a fixed place.</summary>
    private static void WriteResult(Utf8JsonWriter json, PolicyReportResult result)
    {
        json.WriteStartArray();
        json.WriteStringValue(result.Source);
        json.WriteStringValue(result.Policy);
        json.WriteStringValue(result.Rule);
        json.WriteStringValue(result.Category);
        json.WriteNumberValue(result.Severity is { } severity ? (int)severity : -1);
        json.WriteNumberValue(result.Result is { } outcome ? (int)outcome : -1);
        json.WriteNumberValue(result.Scored is { } scored ? (scored ? 1 : 0) : -1);
        json.WriteStringValue(result.Message);
        json.WriteStartArray();
        foreach (var resource in result.Resources ?? [])
        {
            foreach (var field in new[] { resource.ApiVersion, resource.FieldPath, resource.Kind, resource.Name, resource.NamespaceProperty, resource.ResourceVersion, resource.Uid })
            {
                json.WriteStringValue(field);
            }
        }

        json.WriteEndArray();
        json.WriteStringValue(result.ResourceSelector is null ? null : KubernetesJson.Serialize(result.ResourceSelector));
        json.WriteStartArray();
        foreach (var (key, value) in (result.Properties ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteStringValue(key);
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
        json.WriteEndArray();
    }

    internal static PolicyReportResult Result(ResultContext context, ReportItem item, PolicyReportTimestamp timestamp)
    {
        var (resource, finding) = item;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["mode"] = context.Mode };
        if (finding.Path is { Length: > 0 } path) properties["path"] = path;
        if (finding.Image is { Length: > 0 } image) properties["image"] = image;
        if (finding.Exemption is { Length: > 0 } exemption) properties["exemption"] = exemption;
        if (resource is null && context.ClusterName is { Length: > 0 } clusterName) properties["cluster"] = clusterName;
        if (finding.Result == FindingResult.Fail && finding.Rule.Remediation.Length > 0) properties["remediation"] = finding.Rule.Remediation;
        return new PolicyReportResult
        {
            Source = Source,
            Policy = context.Policy.Metadata.Name,
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
    internal static int Priority(FindingResult result) => result switch
    {
        FindingResult.Fail => 0,
        FindingResult.Error => 1,
        FindingResult.Exempt => 2,
        _ => 3,
    };
}

/// <summary>One finding and the resource it is on (null for a cluster finding).</summary>
internal readonly record struct ReportItem(ResourceRef? Resource, Finding Finding);

/// <summary>What every result of one policy's reports shares.</summary>
internal sealed record ResultContext(ResponsibilityPolicy Policy, string? ClusterName, int MaxResults)
{
    public string Mode { get; } = Policy.Spec.Mode.ToString();
}

/// <summary>The findings of one report before they become results, and their fingerprint.</summary>
public sealed class PolicyReportInput
{
    private readonly ResultContext _context;
    private readonly List<ResourceEvaluation> _resources;
    private readonly IReadOnlyList<Finding> _clusterFindings;

    /// <param name="clusterFindings">The control plane's findings, which the ClusterPolicyReport holds after its resources'.</param>
    internal PolicyReportInput(ResultContext context, string? ns, List<ResourceEvaluation> resources, IReadOnlyList<Finding> clusterFindings)
    {
        _context = context;
        _resources = resources;
        _clusterFindings = clusterFindings;
        Namespace = ns;
        Count = clusterFindings.Count;
        foreach (var resource in resources) Count += resource.Findings.Count;
        Fingerprint = FingerprintOf(context, ns, resources, clusterFindings);
    }

    /// <summary>The findings the report holds: one result each, up to the cap.</summary>
    public int Count { get; }

    /// <summary>The namespace of a PolicyReport; null for the ClusterPolicyReport.</summary>
    public string? Namespace { get; }

    /// <summary>Equal for equal inputs (findings, policy identity and mode, cap): the report would have the same content.</summary>
    public ulong Fingerprint { get; }

    /// <summary>The report itself, its results stamped with <paramref name="now"/>; the summary counts every finding, the results stop at the cap.</summary>
    public DesiredPolicyReport Build(DateTimeOffset now)
    {
        var timestamp = new PolicyReportTimestamp { Seconds = now.ToUnixTimeSeconds() };
        var kept = Items().OrderBy(i => PolicyReportBuilder.Priority(i.Finding.Result))
            .ThenByDescending(i => i.Finding.Rule.Severity)
            .ThenBy(i => i.Resource?.Kind, StringComparer.Ordinal)
            .ThenBy(i => i.Resource?.Name, StringComparer.Ordinal)
            .ThenBy(i => i.Finding.Rule.Id, StringComparer.Ordinal)
            .ThenBy(i => i.Finding.Message, StringComparer.Ordinal)
            .Take(_context.MaxResults)
            .Select(i => PolicyReportBuilder.Result(_context, i, timestamp))
            .ToList();
        var policyName = _context.Policy.Metadata.Name;
        PolicyReportBase report = Namespace is null ? new ClusterPolicyReport() : new PolicyReport();
        report.Metadata = new V1ObjectMeta
        {
            Name = PolicyReportBuilder.ReportName(policyName),
            NamespaceProperty = Namespace,
            Labels = PolicyOwnership.Labels(policyName),
            Annotations = kept.Count < Count
                ? new Dictionary<string, string> { [PolicyReportBuilder.TruncatedAnnotation] = $"{kept.Count} of {Count} results kept, failures and errors first; the summary counts all" }
                : null,
            OwnerReferences = [PolicyOwnership.OwnerReference(_context.Policy)],
        };
        var summary = new PolicyReportSummary();
        foreach (var item in Items())
        {
            switch (item.Finding.Result)
            {
                case FindingResult.Pass: summary.Pass++; break;
                case FindingResult.Fail: summary.Fail++; break;
                case FindingResult.Exempt: summary.Skip++; break;
                case FindingResult.Error: summary.Error++; break;
            }
        }

        report.Summary = summary;
        report.Results = kept;
        return new DesiredPolicyReport(Namespace, report, PolicyReportBuilder.ContentHash(report));
    }

    /// <summary>
    /// FNV-1a (64 bits) over every input of the report, in order. Strings enter as their length and their (vectorized,
    /// per-process) hash code: the fingerprint is only ever compared within one process, and it runs on every reconcile.
    /// </summary>
    private static ulong FingerprintOf(ResultContext context, string? ns, List<ResourceEvaluation> resources, IReadOnlyList<Finding> clusterFindings)
    {
        var hash = new Fnv64();
        var policy = context.Policy;
        hash.Add(policy.Metadata.Name);
        hash.Add(policy.Metadata.Uid);
        hash.Add(policy.ApiVersion);
        hash.Add(context.Mode);
        hash.Add(context.ClusterName);
        hash.Add(context.MaxResults);
        hash.Add(ns);
        foreach (var resource in resources)
        {
            for (var i = 0; i < resource.Findings.Count; i++) Add(ref hash, resource.Resource, resource.Findings[i]);
        }

        for (var i = 0; i < clusterFindings.Count; i++) Add(ref hash, null, clusterFindings[i]);
        return hash.Value;

        static void Add(ref Fnv64 hash, ResourceRef? resource, Finding finding)
        {
            hash.Add(resource?.ApiVersion);
            hash.Add(resource?.Kind);
            hash.Add(resource?.Name);
            hash.Add(resource?.Uid);
            hash.Add(finding.Rule.Id);
            hash.Add((int)finding.Result);
            hash.Add(finding.Message);
            hash.Add(finding.Path);
            hash.Add(finding.Image);
            hash.Add(finding.Exemption);
        }
    }

    /// <summary>Each finding with the resource it is on (none for the control plane's), in report order before sorting.</summary>
    private IEnumerable<ReportItem> Items()
    {
        foreach (var resource in _resources)
        {
            foreach (var finding in resource.Findings) yield return new ReportItem(resource.Resource, finding);
        }

        foreach (var finding in _clusterFindings) yield return new ReportItem(null, finding);
    }

    private struct Fnv64
    {
        private const ulong Prime = 1099511628211;

        public Fnv64() => Value = 14695981039346656037;

        public ulong Value { get; private set; }

        public void Add(int value)
        {
            Add((char)(value & 0xFFFF));
            Add((char)(value >> 16));
        }

        public void Add(string? text)
        {
            if (text is null)
            {
                Add(-1);
                return;
            }

            Add(text.Length);
            Add(StringComparer.Ordinal.GetHashCode(text));
        }

        private void Add(char c)
        {
            Value = (Value ^ c) * Prime;
        }
    }
}
