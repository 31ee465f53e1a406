using EksHardening.Operator.Controllers;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Hosting;

/// <summary>
/// The most series each exported instrument holds, sized from its labels. The exporter allocates a stream's points up
/// front at its limit (2,000 by default, for each of some forty instruments), so a limit sized to the labels keeps its
/// share of the heap small. A series past a limit is not lost: its measurements are summed under
/// <c>otel_metric_overflow="true"</c>. Every instrument the host exports has a line here (a test holds it to that), so a
/// new label set is sized when it is added.
/// </summary>
public static class MetricSeriesLimits
{
    /// <summary>Policies counted one by one in the per-policy series; a cluster holds a few dozen, written by its platform team.</summary>
    public const int Policies = 200;

    // controller label: status, remediation, reports, events.
    private const int Controllers = 4;
    // A series of its own and the overflow series, with room to spare.
    private const int Unlabelled = 2;

    private static readonly FrozenDictionary<string, int> ByInstrument = new Dictionary<string, int>
    {
        // key (one per policy) × result (success, requeue_after, requeue, error) × controller.
        ["eks_hardening_reconciles_total"] = Policies * 4 * Controllers,
        // key × controller.
        ["eks_hardening_reconcile_duration_seconds"] = Policies * Controllers,
        ["eks_hardening_workqueue_adds_total"] = 16,
        ["eks_hardening_workqueue_retries_total"] = 16,
        ["eks_hardening_workqueue_depth"] = 16,
        // verb (8) × resource with subresource (the ~40 the operator may touch) × HTTP code (a handful seen per pair).
        ["eks_hardening_kubernetes_requests_total"] = 1024,
        // resource: one per informer (~30 kinds).
        ["eks_hardening_informer_objects"] = 64,
        ["eks_hardening_informer_synced"] = 64,
        ["eks_hardening_informer_lists_total"] = 64,
        ["eks_hardening_watch_restarts_total"] = 64,
        ["eks_hardening_informer_relists_total"] = 64,
        // operation: create, patch, delete.
        ["eks_hardening_policy_report_writes_total"] = 8,
        ["eks_hardening_policy_report_failures_total"] = 8,
        ["eks_hardening_policy_reports_served"] = 4,
        ["eks_hardening_leader"] = Unlabelled,
        ["eks_hardening_status_writes_total"] = Unlabelled,
        ["eks_hardening_reconciles_unchanged_total"] = Unlabelled,
        ["eks_hardening_events_sent_total"] = Unlabelled,
        // cache: findings and one per AWS fact cache.
        ["eks_hardening_cache_hits_total"] = 32,
        ["eks_hardening_cache_misses_total"] = 32,
        ["eks_hardening_cache_hit_ratio"] = 32,
        // One series per policy and rule (a rule has one row and one severity).
        [PolicyMetrics.Violations] = Policies * RuleCatalog.All.Count,
        // One series per policy and namespace with violations: a policy matches some namespaces of a cluster of hundreds.
        [PolicyMetrics.NamespaceViolations] = 8192,
        // One series per policy.
        [PolicyMetrics.PolicyReady] = Policies,
        // service × operation (~25 the operator calls) × outcome (8) or retried error (3).
        ["eks_hardening_aws_calls_total"] = 256,
        ["eks_hardening_aws_retries_total"] = 128,
        // operation (4) × kind (~20 judged, and other) × decision (4).
        ["eks_hardening_admission_requests_total"] = 512,
        ["eks_hardening_admission_duration_seconds"] = Unlabelled,
        // HTTP code of a refused request.
        ["eks_hardening_admission_rejected_total"] = 16,
        ["process_resident_memory_bytes"] = Unlabelled,
        ["process_virtual_memory_bytes"] = Unlabelled,
        ["process_cpu_seconds_total"] = Unlabelled,
        ["process_start_time_seconds"] = Unlabelled,
        ["process_open_fds"] = Unlabelled,
        ["dotnet_gc_heap_size_bytes"] = Unlabelled,
        ["dotnet_gc_committed_bytes"] = Unlabelled,
        ["dotnet_gc_allocated_bytes_total"] = Unlabelled,
        // generation 0..2.
        ["dotnet_gc_collections_total"] = 8,
        ["dotnet_gc_pause_seconds_total"] = Unlabelled,
        ["dotnet_threadpool_threads"] = Unlabelled,
        ["dotnet_threadpool_queue_length"] = Unlabelled,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The limit of an instrument, or null for one that has none here (it keeps the exporter's default).</summary>
    public static int? Of(string instrument) => ByInstrument.TryGetValue(instrument, out var limit) ? limit : null;

    public static IEnumerable<string> Instruments => ByInstrument.Keys;
}
