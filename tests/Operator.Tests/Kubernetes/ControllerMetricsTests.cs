using static EksHardening.Operator.Tests.Support.TestMeters;

namespace EksHardening.Operator.Tests.Kubernetes;

public sealed class ControllerMetricsTests
{
    [Fact]
    public void The_queue_counts_adds_that_were_not_already_waiting_and_every_rate_limited_retry()
    {
        var meters = TestMeters.Create();
        using var adds = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_workqueue_adds_total");
        using var retries = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_workqueue_retries_total");
        var metrics = new ControllerMetrics(meters, "policy");
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, new FakeTimeProvider(), metrics: metrics);

        queue.Add("a");
        queue.Add("a");   // already waiting: deduplicated, not an add
        queue.Add("b");
        Assert.Equal(2, adds.GetMeasurementSnapshot().EvaluateAsCounter());

        queue.AddRateLimited("a");
        queue.AddRateLimited("c");
        Assert.Equal(2, retries.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_key_added_while_processing_counts_as_an_add()
    {
        var meters = TestMeters.Create();
        using var adds = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_workqueue_adds_total");
        var metrics = new ControllerMetrics(meters, "policy");
        using var queue = new WorkQueue<string>(timeProvider: new FakeTimeProvider(), metrics: metrics);
        queue.Add("a");
        var (key, _) = await queue.GetAsync();

        queue.Add(key);   // processing: marked dirty, handed out again after Done
        queue.Add(key);   // already dirty
        queue.Done(key);

        Assert.Equal(2, adds.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Each_reconcile_is_counted_by_key_and_result_with_its_duration()
    {
        var time = new FakeTimeProvider();
        var meters = TestMeters.Create();
        using var reconciles = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_reconciles_total");
        using var durations = new MetricCollector<double>(meters, ControllerMetrics.MeterName, "eks_hardening_reconcile_duration_seconds");
        using var retries = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_workqueue_retries_total");
        var metrics = new ControllerMetrics(meters, "policy");
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, time, metrics: metrics);
        var results = new Dictionary<string, Func<ReconcileResult>>
        {
            ["done"] = () => ReconcileResult.Done,
            ["later"] = () => ReconcileResult.After(TimeSpan.FromMinutes(10)),
            ["retry"] = () => ReconcileResult.Retry,
            ["broken"] = () => throw new InvalidOperationException("boom"),
            ["terminal"] = () => throw new TerminalReconcileException("bad spec"),
        };
        // Only the first reconcile takes (fake) time, so no backoff delay of a later one runs out during the test.
        var reconciler = new FuncReconciler(key =>
        {
            if (key == "done") time.Advance(TimeSpan.FromMilliseconds(300));
            return results[key]();
        });
        var controller = new Controller<string>("policy", queue, reconciler, new RecordingLogger(), time, metrics);
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(1, stop.Token);
        foreach (var key in results.Keys) queue.Add(key);
        await Eventually.True(() => controller.Reconciles == results.Count, "every key reconciled once");
        await stop.CancelAsync();
        await run;

        long Count(string policy, string result) =>
            reconciles.GetMeasurementSnapshot().Where(m => m.MatchesTags(Tag("policy", policy), Tag("result", result))).Sum(m => m.Value);
        Assert.Equal(1, Count("done", ControllerMetrics.Success));
        Assert.Equal(1, Count("later", ControllerMetrics.RequeueAfter));
        Assert.Equal(1, Count("retry", ControllerMetrics.Requeue));
        Assert.Equal(1, Count("broken", ControllerMetrics.Error));
        Assert.Equal(1, Count("terminal", ControllerMetrics.Error));
        Assert.Equal(5, reconciles.GetMeasurementSnapshot().EvaluateAsCounter());
        var done = Assert.Single(durations.GetMeasurementSnapshot(), m => m.MatchesTags(Tag("policy", "done")));
        Assert.Equal(0.3, done.Value, 6);
        // The exporter sorts each duration into these buckets: 0.3 s lands in (0.25, 0.5].
        Assert.Equal(ControllerMetrics.DurationBuckets, Buckets(durations.Instrument));
        Assert.Equal(5, durations.GetMeasurementSnapshot().Count);
        // The two failures went back with backoff.
        Assert.Equal(2, retries.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    private sealed class FuncReconciler(Func<string, ReconcileResult> reconcile) : IReconciler<string>
    {
        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken) => Task.FromResult(reconcile(key));
    }
}
