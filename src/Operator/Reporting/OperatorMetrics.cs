using System.Text;
using EksHardening.Operator.Admission;
using EksHardening.Operator.Aws;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The operator's own metrics in the Prometheus text exposition format (version 0.0.4): counts the runtime pieces
/// keep (reconciles, queue, informers, Kubernetes and AWS requests, caches, admission) and gauges read when scraped.
/// Families are written sorted by name, their samples sorted by label values.
/// </summary>
public sealed class OperatorMetrics
{
    public const string ContentType = PrometheusTextWriter.ContentType;

    private readonly IReadOnlyList<IMetricFamily> _families;

    public OperatorMetrics(ClusterInformers informers, PolicyReconciler reconciler, PolicyController controller, ViolationEvents events,
        KubernetesApiMetrics kubernetesApi, AwsCallCounters? awsCalls = null, AwsFactCollector? awsFacts = null, AdmissionEndpoint? admission = null,
        PolicyReportWriter? policyReports = null)
    {
        List<IMetricFamily> families =
        [
            new ObservedFamily("eks_hardening_leader", "1 when this replica leads and reconciles.", MetricType.Gauge, () => controller.IsLeader ? 1 : 0),
            new ObservedFamily("eks_hardening_workqueue_depth", "Policies waiting to be reconciled.", MetricType.Gauge, () => controller.QueueDepth),
            new ObservedFamily("eks_hardening_status_writes_total", "Status patches sent.", MetricType.Counter, () => reconciler.StatusWrites),
            new ObservedFamily("eks_hardening_reconciles_unchanged_total", "Reconciles that found the status already true.", MetricType.Counter,
                () => reconciler.UnchangedReconciles),
            new ObservedFamily("eks_hardening_events_sent_total", "Violation events created.", MetricType.Counter, () => events.Sent),
            PerInformer("eks_hardening_informer_objects", "Objects in each informer's cache.", MetricType.Gauge, informers, i => i.Count),
            PerInformer("eks_hardening_informer_synced", "1 once the informer has listed.", MetricType.Gauge, informers, i => i.HasSynced ? 1 : 0),
            PerInformer("eks_hardening_informer_lists_total", "List requests made.", MetricType.Counter, informers, i => i.Lists),
            PerInformer("eks_hardening_watch_restarts_total", "Watches opened after the first.", MetricType.Counter, informers, i => Math.Max(0, i.Watches - 1)),
            PerInformer("eks_hardening_informer_relists_total", "Relists after 410 Gone.", MetricType.Counter, informers, i => i.Relists),
            .. controller.Metrics.Families,
            kubernetesApi.Requests,
            .. CacheFamilies(reconciler, awsFacts),
            // Only the leader evaluates: a follower's counts would be stale and add up twice across replicas.
            new ObservedFamily("eks_hardening_violations", "Failing findings of each policy's latest evaluation, by policy, row, rule and severity.",
                MetricType.Gauge, ["policy", "row", "rule", "severity"], emit =>
                {
                    if (!controller.IsLeader) return;
                    foreach (var (policy, v) in reconciler.Violations.All()) emit(v.Count, [policy, v.Row.ToString(), v.Rule, ReportTerms.Name(v.Severity)]);
                }),
        ];
        if (awsCalls is not null) families.AddRange(AwsFamilies(awsCalls));
        if (policyReports is not null) families.AddRange(PolicyReportFamilies(policyReports));
        if (admission is not null) families.AddRange(admission.Metrics.Families);
        _families = families;
    }

    public string Render() => PrometheusTextWriter.Render(_families.Concat(ProcessMetrics.Families()));

    /// <summary>The outcome label of an AWS call: <c>success</c>, or the error kind in snake case (<c>access_denied</c>, <c>throttled</c>, …; <c>error</c> when unknown).</summary>
    public static string AwsOutcome(string outcome) => outcome switch
    {
        AwsCallCounters.Success => "success",
        nameof(AwsErrorKind.Unknown) => "error",
        _ => SnakeCase(outcome),
    };

    private static ObservedFamily PerInformer(string name, string help, MetricType type, ClusterInformers informers, Func<IInformer, double> value) =>
        new(name, help, type, ["resource"], emit =>
        {
            foreach (var informer in informers.All) emit(value(informer), [informer.Resource]);
        });

    private static IEnumerable<IMetricFamily> PolicyReportFamilies(PolicyReportWriter reports) =>
    [
        new ObservedFamily("eks_hardening_policy_report_writes_total", "PolicyReport and ClusterPolicyReport writes, by operation (create, patch, delete).",
            MetricType.Counter, ["operation"], emit =>
            {
                emit(reports.Created, ["create"]);
                emit(reports.Patched, ["patch"]);
                emit(reports.Deleted, ["delete"]);
            }),
        new ObservedFamily("eks_hardening_policy_report_failures_total", "PolicyReport requests that failed (the policy's status is unaffected).",
            MetricType.Counter, () => reports.Failures),
        new ObservedFamily("eks_hardening_policy_reports_served", "1 when the cluster serves the wgpolicyk8s.io/v1alpha2 kind (learned by discovery).",
            MetricType.Gauge, ["kind"], emit =>
            {
                emit(reports.PolicyReportsServed ? 1 : 0, ["PolicyReport"]);
                emit(reports.ClusterPolicyReportsServed ? 1 : 0, ["ClusterPolicyReport"]);
            }),
    ];

    private static IEnumerable<IMetricFamily> AwsFamilies(AwsCallCounters calls) =>
    [
        new ObservedFamily("eks_hardening_aws_calls_total",
            "AWS API calls finished, by service, operation and outcome (success, throttled, access_denied, not_found, timeout, invalid, server_error, error).",
            MetricType.Counter, ["service", "operation", "outcome"], emit =>
            {
                foreach (var (key, count) in calls.Snapshot()) emit(count, [key.Service, key.Operation, AwsOutcome(key.Outcome)]);
            }),
        new ObservedFamily("eks_hardening_aws_retries_total", "AWS API attempts retried, by service, operation and the error retried (throttled, timeout, server_error).",
            MetricType.Counter, ["service", "operation", "reason"], emit =>
            {
                foreach (var (key, count) in calls.RetrySnapshot()) emit(count, [key.Service, key.Operation, AwsOutcome(key.Outcome)]);
            }),
    ];

    /// <summary>Hits and misses of the findings cache and of each AWS fact cache; the hit ratio where there were lookups.</summary>
    private static IEnumerable<IMetricFamily> CacheFamilies(PolicyReconciler reconciler, AwsFactCollector? awsFacts)
    {
        IEnumerable<(string Cache, long Hits, long Misses)> Caches() =>
            [("findings", reconciler.FindingsCacheHits, reconciler.FindingsCacheMisses), .. awsFacts?.CacheCounts() ?? []];

        return
        [
            new ObservedFamily("eks_hardening_cache_hits_total", "Lookups answered from a cache: workload findings, or an AWS fact.", MetricType.Counter, ["cache"],
                emit => { foreach (var c in Caches()) emit(c.Hits, [c.Cache]); }),
            new ObservedFamily("eks_hardening_cache_misses_total", "Lookups a cache could not answer (the findings were computed, the AWS fact fetched).", MetricType.Counter, ["cache"],
                emit => { foreach (var c in Caches()) emit(c.Misses, [c.Cache]); }),
            new ObservedFamily("eks_hardening_cache_hit_ratio", "Hits over lookups since the start, for each cache that had lookups.", MetricType.Gauge, ["cache"],
                emit =>
                {
                    foreach (var c in Caches())
                    {
                        if (c.Hits + c.Misses > 0) emit((double)c.Hits / (c.Hits + c.Misses), [c.Cache]);
                    }
                }),
        ];
    }

    private static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }

        return text.ToString();
    }
}
