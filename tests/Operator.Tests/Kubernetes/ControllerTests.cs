namespace EksHardening.Operator.Tests.Kubernetes;

public sealed class ControllerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly WorkQueue<string> _queue;

    public ControllerTests()
    {
        _queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, _time);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _queue.Dispose();
    }

    private Controller<string> Start(IReconciler<string> reconciler, int workers, out Task run)
    {
        var controller = new Controller<string>("policy", _queue, reconciler, _log, _time);
        run = controller.RunAsync(workers, _stop.Token);
        return controller;
    }

    /// <summary>Reconciles by calling a function and keeps each call's key and (fake) time.</summary>
    private sealed class ScriptedReconciler(TimeProvider time, Func<string, int, CancellationToken, Task<ReconcileResult>> script) : IReconciler<string>
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();

        public ConcurrentQueue<(string Key, DateTimeOffset At)> Calls { get; } = new();

        public int CallsFor(string key) => _calls.GetValueOrDefault(key);

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            int call = _calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            Calls.Enqueue((key, time.GetUtcNow()));
            return script(key, call, cancellationToken);
        }
    }

    [Fact]
    public async Task Reconciles_of_one_key_never_overlap_and_the_last_update_is_always_seen()
    {
        string[] keys = ["a", "b", "c"];
        var version = new ConcurrentDictionary<string, int>();
        var seen = new ConcurrentDictionary<string, int>();
        var running = new ConcurrentDictionary<string, int>();
        int overlaps = 0;
        var reconciler = new ScriptedReconciler(TimeProvider.System, async (key, _, ct) =>
        {
            if (running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            // Level-triggered: read the current state, take a while, record what was acted on.
            int current = version.GetValueOrDefault(key);
            await Task.Delay(1, ct);
            seen[key] = current;
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
            return ReconcileResult.Done;
        });
        var controller = Start(reconciler, workers: 8, out var run);

        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                string key = keys[(p + i) % keys.Length];
                version.AddOrUpdate(key, 1, (_, n) => n + 1);
                _queue.Add(key);
                if (i % 50 == 0)
                {
                    await Task.Yield();
                }
            }
        })).ToArray();
        await Task.WhenAll(producers);

        await Eventually.True(
            () => keys.All(k => seen.GetValueOrDefault(k) == version[k]) && _queue.Count == 0 && _queue.InFlight == 0,
            "every key was reconciled at its last version");
        Assert.Equal(0, overlaps);
        Assert.Equal(2400, keys.Sum(k => version[k]));
        Assert.True(controller.Successes >= keys.Length);

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_growing_backoff_and_forgotten_after_success()
    {
        const int Failures = 4;
        var reconciler = new ScriptedReconciler(_time, (_, call, _) =>
            call <= Failures
                ? Task.FromException<ReconcileResult>(new HttpRequestException("API server unavailable"))
                : Task.FromResult(ReconcileResult.Done));
        var controller = Start(reconciler, workers: 2, out var run);

        _queue.Add("a");
        for (int failure = 1; failure <= Failures; failure++)
        {
            await Eventually.True(() => reconciler.CallsFor("a") == failure && _queue.Delayed == 1, $"attempt {failure} failed and was requeued");
            Assert.Equal(failure, _queue.NumRequeues("a"));
            var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5)).Nominal(failure - 1);

            _time.Advance(backoff - TimeSpan.FromMilliseconds(1));
            await Eventually.Settle();
            Assert.Equal(failure, reconciler.CallsFor("a"));

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Eventually.True(() => controller.Successes == 1, "the fifth attempt succeeded");
        var times = reconciler.Calls.Select(c => c.At).ToArray();
        var gaps = times.Zip(times.Skip(1), (earlier, later) => (later - earlier).TotalMilliseconds);
        Assert.Equal([50, 100, 200, 400], gaps);
        await Eventually.True(() => _queue.InFlight == 0, "the key is done");
        Assert.Equal(0, _queue.NumRequeues("a"));
        Assert.Equal(Failures, controller.Errors);
        Assert.Equal(0, _queue.Delayed);

        var errors = _log.Entries.Where(e => e.Level == LogLevel.Error).ToArray();
        Assert.Equal(Failures, errors.Length);
        Assert.All(errors, e =>
        {
            Assert.IsType<HttpRequestException>(e.Exception);
            Assert.Equal("a", e.ScopeValues["Key"]);
            Assert.Equal("policy", e.ScopeValues["Controller"]);
        });

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Retry_delays_follow_the_limiter_with_jitter()
    {
        var options = new WorkQueueOptions { JitterFactor = 0.3 };
        var random = new ReplayRandom(0.9, 0.1, 0.5);
        using var queue = new WorkQueue<string>(options, _time, random: random);
        var reconciler = new ScriptedReconciler(_time, (_, call, _) =>
            call <= 3 ? throw new InvalidOperationException("boom") : Task.FromResult(ReconcileResult.Done));
        var controller = new Controller<string>("policy", queue, reconciler, _log, _time);
        var run = controller.RunAsync(1, _stop.Token);

        queue.Add("a");
        double[] draws = [0.9, 0.1, 0.5];
        for (int failure = 1; failure <= 3; failure++)
        {
            await Eventually.True(() => reconciler.CallsFor("a") == failure && queue.Delayed == 1, $"attempt {failure} was requeued");
            _time.Advance(options.Backoff.Delay(failure - 1, draws[failure - 1]));
        }

        await Eventually.True(() => controller.Successes == 1, "the fourth attempt succeeded");
        var times = reconciler.Calls.Select(c => c.At).ToArray();
        for (int i = 1; i < times.Length; i++)
        {
            Assert.Equal(options.Backoff.Delay(i - 1, draws[i - 1]), times[i] - times[i - 1]);
        }

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Requeue_is_rate_limited_and_counted_as_a_retry()
    {
        var reconciler = new ScriptedReconciler(_time, (_, call, _) =>
            Task.FromResult(call <= 2 ? ReconcileResult.Retry : ReconcileResult.Done));
        var controller = Start(reconciler, workers: 1, out var run);

        _queue.Add("a");
        await Eventually.True(() => reconciler.CallsFor("a") == 1 && _queue.Delayed == 1, "the first pass asked for a retry");
        Assert.Equal(1, _queue.NumRequeues("a"));
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.True(() => reconciler.CallsFor("a") == 2 && _queue.Delayed == 1, "the second pass asked for a retry");
        Assert.Equal(2, _queue.NumRequeues("a"));
        _time.Advance(TimeSpan.FromMilliseconds(100));

        await Eventually.True(() => controller.Successes == 1, "the third pass finished");
        Assert.Equal(2, controller.Requeues);
        Assert.Equal(0, controller.Errors);
        Assert.Equal(0, _queue.NumRequeues("a"));

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RequeueAfter_brings_the_key_back_after_that_time_and_resets_the_backoff()
    {
        var reconciler = new ScriptedReconciler(_time, (_, call, _) => call switch
        {
            1 => throw new InvalidOperationException("first pass fails"),
            2 => Task.FromResult(ReconcileResult.After(TimeSpan.FromSeconds(30))),
            _ => Task.FromResult(ReconcileResult.Done),
        });
        var controller = Start(reconciler, workers: 1, out var run);

        _queue.Add("a");
        await Eventually.True(() => reconciler.CallsFor("a") == 1 && _queue.Delayed == 1, "the first pass failed");
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.True(() => controller.RequeuesAfter == 1 && _queue.InFlight == 0, "the second pass asked for a visit in 30 s");
        Assert.Equal(0, _queue.NumRequeues("a"));

        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        await Eventually.Settle();
        Assert.Equal(2, reconciler.CallsFor("a"));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.True(() => controller.Successes == 1, "the timed visit happened");
        var times = reconciler.Calls.Select(c => c.At).ToArray();
        Assert.Equal(TimeSpan.FromSeconds(30), times[2] - times[1]);

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_timed_requeue_survives_an_event_that_arrived_during_the_reconcile()
    {
        // The first pass writes status, whose watch event adds the key again while it is processing.
        var reconciler = new ScriptedReconciler(_time, (key, call, _) =>
        {
            if (call == 1)
            {
                _queue.Add(key);
            }

            return Task.FromResult(ReconcileResult.After(TimeSpan.FromMinutes(1)));
        });
        var controller = Start(reconciler, workers: 2, out var run);

        _queue.Add("a");
        await Eventually.True(() => reconciler.CallsFor("a") == 2 && _queue.InFlight == 0, "the event's reconcile ran");
        Assert.Equal(1, _queue.Delayed);

        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.True(() => reconciler.CallsFor("a") == 3 && controller.RequeuesAfter == 3, "the timed requeue still fired");

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_terminal_error_is_logged_once_and_not_retried()
    {
        var reconciler = new ScriptedReconciler(_time, (key, call, _) => (key, call) switch
        {
            ("a", 1) => throw new InvalidOperationException("transient"),
            ("a", _) => throw new TerminalReconcileException("spec.rules is empty"),
            _ => throw new InvalidOperationException("wrapped", new TerminalReconcileException("bad selector")),
        });
        var controller = Start(reconciler, workers: 2, out var run);

        _queue.Add("a");
        _queue.Add("b");
        await Eventually.True(() => reconciler.CallsFor("a") == 1 && reconciler.CallsFor("b") == 1 && _queue.InFlight == 0, "both keys were reconciled");
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.True(() => controller.TerminalErrors == 2 && _queue.InFlight == 0, "both keys failed terminally");

        _time.Advance(TimeSpan.FromHours(1));
        await Eventually.Settle();
        Assert.Equal(2, reconciler.CallsFor("a"));
        Assert.Equal(1, reconciler.CallsFor("b"));
        Assert.Equal(0, _queue.NumRequeues("a"));
        Assert.Equal(0, _queue.Delayed);
        Assert.Equal(1, controller.Errors);
        Assert.Equal(2, _log.Entries.Count(e => e.Level == LogLevel.Error && e.Message.Contains("terminal", StringComparison.Ordinal)));

        // A later change adds the key again and it is reconciled as usual.
        _queue.Add("b");
        await Eventually.True(() => reconciler.CallsFor("b") == 2, "a new add reconciles the key again");

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Stopping_lets_reconciles_in_flight_finish_and_takes_no_new_keys()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new ScriptedReconciler(_time, async (_, _, _) =>
        {
            await release.Task; // ignores the token, like a status patch that must complete
            return ReconcileResult.Done;
        });
        var controller = Start(reconciler, workers: 1, out var run);

        _queue.Add("a");
        await Eventually.True(() => controller.ActiveReconciles == 1, "a is in flight");
        _queue.Add("b");

        await _stop.CancelAsync();
        await Eventually.Settle();
        Assert.False(run.IsCompleted);
        Assert.True(_queue.IsShuttingDown);

        release.SetResult();
        await run;
        Assert.Equal(1, controller.Successes);
        Assert.Equal(0, reconciler.CallsFor("b"));
        Assert.Equal(0, _queue.InFlight);
    }

    [Fact]
    public async Task A_reconcile_cancelled_by_stopping_is_not_retried_or_logged_as_an_error()
    {
        var reconciler = new ScriptedReconciler(_time, async (_, _, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ReconcileResult.Done;
        });
        var controller = Start(reconciler, workers: 2, out var run);

        _queue.Add("a");
        await Eventually.True(() => controller.ActiveReconciles == 1, "a is in flight");
        await _stop.CancelAsync();
        await run;

        Assert.Equal(1, controller.Cancellations);
        Assert.Equal(0, controller.Errors);
        Assert.Equal(0, _queue.NumRequeues("a"));
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_cancellation_that_is_not_a_stop_counts_as_an_error_and_is_retried()
    {
        var reconciler = new ScriptedReconciler(_time, (_, call, _) =>
            call == 1 ? throw new TaskCanceledException("HTTP request timed out") : Task.FromResult(ReconcileResult.Done));
        var controller = Start(reconciler, workers: 1, out var run);

        _queue.Add("a");
        await Eventually.True(() => controller.Errors == 1 && _queue.Delayed == 1, "the timeout was treated as an error");
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.True(() => controller.Successes == 1, "the retry succeeded");

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Counters_report_outcomes_reconcile_time_and_queue_depth()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new ScriptedReconciler(_time, async (key, _, _) =>
        {
            if (key == "slow")
            {
                await gate.Task;
                _time.Advance(TimeSpan.FromSeconds(2));
            }

            return ReconcileResult.Done;
        });
        var controller = Start(reconciler, workers: 1, out var run);

        _queue.Add("slow");
        await Eventually.True(() => controller.ActiveReconciles == 1, "slow is in flight");
        _queue.Add("x");
        _queue.Add("y");
        Assert.Equal(2, controller.QueueDepth);

        gate.SetResult();
        await Eventually.True(() => controller.Reconciles == 3, "all three keys were reconciled");
        Assert.Equal(0, controller.QueueDepth);
        Assert.Equal(3, controller.Successes);
        Assert.Equal(TimeSpan.FromSeconds(2), controller.TotalReconcileTime);

        await _stop.CancelAsync();
        await run;
        Assert.Equal(0, controller.ActiveReconciles);
    }

    [Fact]
    public async Task A_controller_runs_once_and_needs_a_worker()
    {
        var controller = new Controller<string>("policy", _queue, new ScriptedReconciler(_time, (_, _, _) => Task.FromResult(ReconcileResult.Done)), _log, _time);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => controller.RunAsync(0, _stop.Token));
        var run = controller.RunAsync(1, _stop.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(() => controller.RunAsync(1, _stop.Token));

        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public void ReconcileResult_factories_say_what_they_mean()
    {
        Assert.Equal(new ReconcileResult(), ReconcileResult.Done);
        Assert.True(ReconcileResult.Retry.Requeue);
        Assert.Equal(TimeSpan.FromSeconds(5), ReconcileResult.After(TimeSpan.FromSeconds(5)).RequeueAfter);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReconcileResult.After(TimeSpan.Zero));
    }
}
