using System.Diagnostics.Metrics;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// What a controller's reconciles and its work queue did, as instruments of the <see cref="MeterName"/> meter. It
/// outlives the controller and queue of one leadership term, so the counts keep rising across terms as counters must.
/// </summary>
public sealed class ControllerMetrics
{
    public const string MeterName = "EksHardening.Kubernetes";

    /// <summary>The <c>result</c> label: a reconcile that was done, asked for a visit later, asked for a retry, or threw.</summary>
    public const string Success = "success";
    public const string RequeueAfter = "requeue_after";
    public const string Requeue = "requeue";
    public const string Error = "error";

    /// <summary>From 5 ms (cached findings, nothing to write) to a minute (a cold AWS lookup behind throttling).</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly string _keyLabel;
    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _queueAdds;
    private readonly Counter<long> _queueRetries;

    /// <param name="keyLabel">The label the reconciled key goes in (<c>policy</c>).</param>
    public ControllerMetrics(IMeterFactory meters, string keyLabel)
    {
        var meter = meters.Create(MeterName);
        _keyLabel = keyLabel;
        _reconciles = meter.CreateCounter<long>("eks_hardening_reconciles_total",
            description: "Reconciles finished, by key and result (success, requeue_after, requeue, error).");
        _duration = meter.CreateHistogram("eks_hardening_reconcile_duration_seconds", unit: null, description: "Time spent in one reconcile, by key.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _queueAdds = meter.CreateCounter<long>("eks_hardening_workqueue_adds_total",
            description: "Keys added to the work queue (adds of a key already waiting are not counted).");
        _queueRetries = meter.CreateCounter<long>("eks_hardening_workqueue_retries_total",
            description: "Keys re-added with backoff after a failed or unfinished reconcile.");
        // Unlabelled counters are served from the start, at zero.
        _queueAdds.Add(0);
        _queueRetries.Add(0);
    }

    internal void Reconciled(string key, string result, TimeSpan duration)
    {
        _reconciles.Add(1, new KeyValuePair<string, object?>(_keyLabel, key), new KeyValuePair<string, object?>("result", result));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(_keyLabel, key));
    }

    internal void QueueAdded() => _queueAdds.Add(1);

    internal void QueueRetried() => _queueRetries.Add(1);
}
