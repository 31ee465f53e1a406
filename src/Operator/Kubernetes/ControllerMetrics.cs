namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// What a controller's reconciles and its work queue did, as instruments of the <see cref="MeterName"/> meter. It
/// outlives the controller and queue of one leadership term, so the counts keep rising across terms as counters must.
/// Several controllers share the instruments, each through its own <see cref="For"/> view: their series differ by the
/// <c>controller</c> label.
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

    /// <summary>The label that names the controller, when several share the instruments.</summary>
    public const string ControllerLabel = "controller";

    private readonly Instruments _instruments;
    private readonly string _keyLabel;
    private readonly KeyValuePair<string, object?>[] _controller;

    /// <param name="keyLabel">The label the reconciled key goes in (<c>policy</c>).</param>
    /// <param name="serveUnlabelled">Serve the queue counters at zero without a <c>controller</c> label (a lone controller); false when only <see cref="For"/> views count.</param>
    public ControllerMetrics(IMeterFactory meters, string keyLabel, bool serveUnlabelled = true)
        : this(new Instruments(meters), keyLabel, [], serveUnlabelled)
    {
    }

    private ControllerMetrics(Instruments instruments, string keyLabel, KeyValuePair<string, object?>[] controller, bool serveZero)
    {
        _instruments = instruments;
        _keyLabel = keyLabel;
        _controller = controller;
        // The queue's counters have no key label: each controller's series is served from the start, at zero. The shared
        // root serves none once controllers count through views (a series without the label would mix label sets).
        if (serveZero)
        {
            _instruments.QueueAdds.Add(0, _controller);
            _instruments.QueueRetries.Add(0, _controller);
        }
    }

    /// <summary>The same instruments, counting for one named controller (its <c>controller</c> label).</summary>
    public ControllerMetrics For(string controller)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controller);
        return new ControllerMetrics(_instruments, _keyLabel, [new KeyValuePair<string, object?>(ControllerLabel, controller)], serveZero: true);
    }

    internal void Reconciled(string key, string result, TimeSpan duration)
    {
        var keyTag = new KeyValuePair<string, object?>(_keyLabel, key);
        _instruments.Reconciles.Add(1, [keyTag, new KeyValuePair<string, object?>("result", result), .. _controller]);
        _instruments.Duration.Record(duration.TotalSeconds, [keyTag, .. _controller]);
    }

    internal void QueueAdded() => _instruments.QueueAdds.Add(1, _controller);

    internal void QueueRetried() => _instruments.QueueRetries.Add(1, _controller);

    /// <summary>The instruments, created once however many controllers count in them.</summary>
    private sealed class Instruments
    {
        public Instruments(IMeterFactory meters)
        {
            var meter = meters.Create(MeterName);
            Reconciles = meter.CreateCounter<long>("eks_hardening_reconciles_total",
                description: "Reconciles finished, by key and result (success, requeue_after, requeue, error).");
            Duration = meter.CreateHistogram("eks_hardening_reconcile_duration_seconds", unit: null, description: "Time spent in one reconcile, by key.",
                tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
            QueueAdds = meter.CreateCounter<long>("eks_hardening_workqueue_adds_total",
                description: "Keys added to the work queue (adds of a key already waiting are not counted).");
            QueueRetries = meter.CreateCounter<long>("eks_hardening_workqueue_retries_total",
                description: "Keys re-added with backoff after a failed or unfinished reconcile.");
        }

        public Counter<long> Reconciles { get; }
        public Histogram<double> Duration { get; }
        public Counter<long> QueueAdds { get; }
        public Counter<long> QueueRetries { get; }
    }
}
