using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// What a controller's reconciles and its work queue did, for the metrics endpoint. It outlives the controller and
/// queue of one leadership term, so the counts keep rising across terms as counters must.
/// </summary>
public sealed class ControllerMetrics
{
    /// <summary>The <c>result</c> label: a reconcile that was done, asked for a visit later, asked for a retry, or threw.</summary>
    public const string Success = "success";
    public const string RequeueAfter = "requeue_after";
    public const string Requeue = "requeue";
    public const string Error = "error";

    /// <summary>From 5 ms (cached findings, nothing to write) to a minute (a cold AWS lookup behind throttling).</summary>
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter _queueAdds = new();
    private readonly Counter _queueRetries = new();

    /// <param name="keyLabel">The label the reconciled key goes in (<c>policy</c>).</param>
    public ControllerMetrics(string keyLabel)
    {
        Reconciles = new CounterFamily("eks_hardening_reconciles_total", "Reconciles finished, by key and result (success, requeue_after, requeue, error).", keyLabel, "result");
        ReconcileDuration = new HistogramFamily("eks_hardening_reconcile_duration_seconds", "Time spent in one reconcile, by key.", DurationBuckets, keyLabel);
    }

    public CounterFamily Reconciles { get; }
    public HistogramFamily ReconcileDuration { get; }
    public long QueueAdds => _queueAdds.Value;
    public long QueueRetries => _queueRetries.Value;

    public IEnumerable<IMetricFamily> Families =>
    [
        Reconciles,
        ReconcileDuration,
        new ObservedFamily("eks_hardening_workqueue_adds_total", "Keys added to the work queue (adds of a key already waiting are not counted).", MetricType.Counter, () => QueueAdds),
        new ObservedFamily("eks_hardening_workqueue_retries_total", "Keys re-added with backoff after a failed or unfinished reconcile.", MetricType.Counter, () => QueueRetries),
    ];

    internal void Reconciled(string key, string result, TimeSpan duration)
    {
        Reconciles.WithLabels(key, result).Inc();
        ReconcileDuration.WithLabels(key).Observe(duration);
    }

    internal void QueueAdded() => _queueAdds.Inc();

    internal void QueueRetried() => _queueRetries.Inc();
}
