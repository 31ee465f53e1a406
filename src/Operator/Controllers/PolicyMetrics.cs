using EksHardening.Operator.Aws;
using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Controllers.Reports;
using EksHardening.Operator.Controllers.Status;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// The policy controller's state, read when scraped, as instruments of the <see cref="MeterName"/> meter: leadership
/// and queue depth, the findings and AWS fact caches, each policy's violations (exported by the leader only), and
/// whether PolicyReports are served. What is counted as it happens (status writes, report writes) is counted by the
/// component that does it, in the same meter.
/// </summary>
public sealed class PolicyMetrics
{
    public const string MeterName = "EksHardening.Controllers";

    /// <summary>The name of the violations instrument, whose series count can reach policies × rules.</summary>
    public const string Violations = "eks_hardening_violations";

    /// <summary>The name of the violations-by-namespace instrument, whose series count can reach policies × namespaces.</summary>
    public const string NamespaceViolations = "eks_hardening_namespace_violations";

    /// <summary>
    /// The namespace of the violating objects. Not <c>namespace</c>: Prometheus scrapes add that label (the operator's
    /// namespace) and would rename a scraped one to <c>exported_namespace</c>.
    /// </summary>
    public const string ResourceNamespaceLabel = "resource_namespace";

    /// <summary>The name of the gauge of each policy's Ready condition.</summary>
    public const string PolicyReady = "eks_hardening_policy_ready";

    public PolicyMetrics(IMeterFactory meters, PolicyController controller, PolicyEvaluations evaluations,
        PolicyReportCaches? reports = null, AwsFactCollector? awsFacts = null, StatusController? status = null)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("eks_hardening_leader", () => controller.IsLeader ? 1 : 0, description: "1 when this replica leads and reconciles.");
        meter.CreateObservableGauge("eks_hardening_workqueue_depth",
            () => controller.Controllers.Select(c => new Measurement<int>(c.QueueDepth, new KeyValuePair<string, object?>(ControllerMetrics.ControllerLabel, c.Name))),
            description: "Policies waiting in each controller's work queue.");

        IEnumerable<(string Cache, long Hits, long Misses)> Caches() =>
            [("findings", evaluations.FindingsCacheHits, evaluations.FindingsCacheMisses), .. awsFacts?.CacheCounts() ?? []];
        meter.CreateObservableCounter("eks_hardening_cache_hits_total", () => Caches().Select(c => new Measurement<long>(c.Hits, Cache(c.Cache))),
            description: "Lookups answered from a cache: workload findings, or an AWS fact.");
        meter.CreateObservableCounter("eks_hardening_cache_misses_total", () => Caches().Select(c => new Measurement<long>(c.Misses, Cache(c.Cache))),
            description: "Lookups a cache could not answer (the findings were computed, the AWS fact fetched).");
        meter.CreateObservableGauge("eks_hardening_cache_hit_ratio",
            () => Caches().Where(c => c.Hits + c.Misses > 0).Select(c => new Measurement<double>((double)c.Hits / (c.Hits + c.Misses), Cache(c.Cache))),
            description: "Hits over lookups since the start, for each cache that had lookups.");

        // Only the leader evaluates: a follower's counts would be stale and add up twice across replicas.
        meter.CreateObservableGauge(Violations, () => controller.IsLeader
                ? evaluations.Violations.All()
                    // One measurement per series: the exporter must never see one label set twice in a callback.
                    .GroupBy(p => (p.Policy, Row: p.Violations.Row.ToString(), p.Violations.Rule, Severity: ReportTerms.Name(p.Violations.Severity)))
                    .Select(g => new Measurement<long>(g.Sum(p => (long)p.Violations.Count),
                        new KeyValuePair<string, object?>("policy", g.Key.Policy), new KeyValuePair<string, object?>("row", g.Key.Row),
                        new KeyValuePair<string, object?>("rule", g.Key.Rule), new KeyValuePair<string, object?>("severity", g.Key.Severity)))
                : [],
            description: "Failing findings of each policy's latest evaluation, by policy, row, rule and severity.");

        meter.CreateObservableGauge(NamespaceViolations, () => controller.IsLeader
                ? evaluations.Violations.AllByNamespace().Select(p => new Measurement<long>(p.Violations.Count,
                    new KeyValuePair<string, object?>("policy", p.Policy), new KeyValuePair<string, object?>(ResourceNamespaceLabel, p.Violations.Namespace)))
                : [],
            description: "Failing findings of each policy's latest evaluation in each namespace (objects in it and the Namespace itself).");

        // Like the violations: the leader's status controller writes the conditions, a follower's view is stale.
        if (status is not null)
        {
            meter.CreateObservableGauge(PolicyReady, () => controller.IsLeader
                    ? status.Readiness.Select(r => new Measurement<int>(r.Ready ? 1 : 0, new KeyValuePair<string, object?>("policy", r.Policy)))
                    : [],
                description: "1 when the policy's Ready condition is True, 0 when False (an invalid spec), as the leader last wrote it.");
        }

        if (reports is null) return;
        meter.CreateObservableGauge<int>("eks_hardening_policy_reports_served", () =>
            [
                new Measurement<int>(reports.PolicyReportsServed ? 1 : 0, new KeyValuePair<string, object?>("kind", "PolicyReport")),
                new Measurement<int>(reports.ClusterPolicyReportsServed ? 1 : 0, new KeyValuePair<string, object?>("kind", "ClusterPolicyReport")),
            ],
            description: "1 when the cluster serves the wgpolicyk8s.io/v1alpha2 kind (learned by discovery).");
    }

    /// <summary>An unlabelled counter of this meter, served from the start at zero (a scrape before the first count shows 0, not nothing).</summary>
    internal static Counter<long> ServedCounter(IMeterFactory meters, string name, string description)
    {
        var counter = meters.Create(MeterName).CreateCounter<long>(name, description: description);
        counter.Add(0);
        return counter;
    }

    private static KeyValuePair<string, object?> Cache(string name) => new("cache", name);
}
