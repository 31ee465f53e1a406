using System.Diagnostics.Metrics;
using EksHardening.Operator.Aws;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// The policy controller's state, read when scraped, as instruments of the <see cref="MeterName"/> meter: leadership
/// and queue depth, status writes and events, the findings and AWS fact caches, each policy's violations (exported by
/// the leader only) and the PolicyReport writes.
/// </summary>
public sealed class PolicyMetrics
{
    public const string MeterName = "EksHardening.Controllers";

    /// <summary>The name of the violations instrument, whose series count can reach policies × rules.</summary>
    public const string Violations = "eks_hardening_violations";

    public PolicyMetrics(IMeterFactory meters, PolicyController controller, PolicyReconciler reconciler, ViolationEvents events,
        PolicyReportWriter? reports = null, AwsFactCollector? awsFacts = null)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("eks_hardening_leader", () => controller.IsLeader ? 1 : 0, description: "1 when this replica leads and reconciles.");
        meter.CreateObservableGauge("eks_hardening_workqueue_depth", () => controller.QueueDepth, description: "Policies waiting to be reconciled.");
        meter.CreateObservableCounter("eks_hardening_status_writes_total", () => reconciler.StatusWrites, description: "Status patches sent.");
        meter.CreateObservableCounter("eks_hardening_reconciles_unchanged_total", () => reconciler.UnchangedReconciles,
            description: "Reconciles that found the status already true.");
        meter.CreateObservableCounter("eks_hardening_events_sent_total", () => events.Sent, description: "Violation events created.");

        IEnumerable<(string Cache, long Hits, long Misses)> Caches() =>
            [("findings", reconciler.FindingsCacheHits, reconciler.FindingsCacheMisses), .. awsFacts?.CacheCounts() ?? []];
        meter.CreateObservableCounter("eks_hardening_cache_hits_total", () => Caches().Select(c => new Measurement<long>(c.Hits, Cache(c.Cache))),
            description: "Lookups answered from a cache: workload findings, or an AWS fact.");
        meter.CreateObservableCounter("eks_hardening_cache_misses_total", () => Caches().Select(c => new Measurement<long>(c.Misses, Cache(c.Cache))),
            description: "Lookups a cache could not answer (the findings were computed, the AWS fact fetched).");
        meter.CreateObservableGauge("eks_hardening_cache_hit_ratio",
            () => Caches().Where(c => c.Hits + c.Misses > 0).Select(c => new Measurement<double>((double)c.Hits / (c.Hits + c.Misses), Cache(c.Cache))),
            description: "Hits over lookups since the start, for each cache that had lookups.");

        // Only the leader evaluates: a follower's counts would be stale and add up twice across replicas.
        meter.CreateObservableGauge(Violations, () => controller.IsLeader
                ? reconciler.Violations.All()
                    // One measurement per series: the exporter must never see one label set twice in a callback.
                    .GroupBy(p => (p.Policy, Row: p.Violations.Row.ToString(), p.Violations.Rule, Severity: ReportTerms.Name(p.Violations.Severity)))
                    .Select(g => new Measurement<long>(g.Sum(p => (long)p.Violations.Count),
                        new KeyValuePair<string, object?>("policy", g.Key.Policy), new KeyValuePair<string, object?>("row", g.Key.Row),
                        new KeyValuePair<string, object?>("rule", g.Key.Rule), new KeyValuePair<string, object?>("severity", g.Key.Severity)))
                : [],
            description: "Failing findings of each policy's latest evaluation, by policy, row, rule and severity.");

        if (reports is null) return;
        meter.CreateObservableCounter<long>("eks_hardening_policy_report_writes_total", () =>
            [
                new Measurement<long>(reports.Created, Operation("create")),
                new Measurement<long>(reports.Patched, Operation("patch")),
                new Measurement<long>(reports.Deleted, Operation("delete")),
            ],
            description: "PolicyReport and ClusterPolicyReport writes, by operation (create, patch, delete).");
        meter.CreateObservableCounter("eks_hardening_policy_report_failures_total", () => reports.Failures,
            description: "PolicyReport requests that failed (the policy's status is unaffected).");
        meter.CreateObservableGauge<int>("eks_hardening_policy_reports_served", () =>
            [
                new Measurement<int>(reports.PolicyReportsServed ? 1 : 0, new KeyValuePair<string, object?>("kind", "PolicyReport")),
                new Measurement<int>(reports.ClusterPolicyReportsServed ? 1 : 0, new KeyValuePair<string, object?>("kind", "ClusterPolicyReport")),
            ],
            description: "1 when the cluster serves the wgpolicyk8s.io/v1alpha2 kind (learned by discovery).");
    }

    private static KeyValuePair<string, object?> Cache(string name) => new("cache", name);

    private static KeyValuePair<string, object?> Operation(string name) => new("operation", name);
}
