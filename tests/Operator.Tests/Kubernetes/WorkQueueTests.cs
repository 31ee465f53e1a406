namespace EksHardening.Operator.Tests.Kubernetes;

public class WorkQueueTests
{
    private static readonly WorkQueueOptions NoJitter = new() { JitterFactor = 0 };

    private readonly FakeTimeProvider _time = new();

    private WorkQueue<string> NewQueue(WorkQueueOptions? options = null) => new(options ?? NoJitter, _time);

    private static async Task<string> Next(WorkQueue<string> queue)
    {
        var (key, shutDown) = await queue.GetAsync();
        Assert.False(shutDown);
        return key;
    }

    [Fact]
    public async Task A_key_added_twice_while_waiting_is_handed_out_once()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await Next(queue));
        Assert.Equal("b", await Next(queue));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_held_back_and_requeued_once_at_Done()
    {
        using var queue = NewQueue();
        queue.Add("a");
        Assert.Equal("a", await Next(queue));

        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Count);
        Assert.Equal(1, queue.InFlight);

        queue.Done("a");
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.InFlight);
        Assert.Equal("a", await Next(queue));
        queue.Done("a");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Done_without_a_new_add_does_not_requeue()
    {
        using var queue = NewQueue();
        queue.Add("a");
        Assert.Equal("a", await Next(queue));
        queue.Done("a");
        queue.Done("a");
        queue.Done("never-handed-out");

        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.InFlight);
    }

    [Fact]
    public async Task A_waiting_getter_gets_the_next_added_key()
    {
        using var queue = NewQueue();
        var get = queue.GetAsync().AsTask();
        await Eventually.Settle();
        Assert.False(get.IsCompleted);

        queue.Add("a");

        var (key, shutDown) = await get;
        Assert.Equal(("a", false), (key, shutDown));
        Assert.Equal(1, queue.InFlight);
    }

    [Fact]
    public async Task Getters_are_served_in_the_order_they_came()
    {
        using var queue = NewQueue();
        var first = queue.GetAsync().AsTask();
        var second = queue.GetAsync().AsTask();

        queue.Add("a");
        queue.Add("b");

        Assert.Equal("a", (await first).Key);
        Assert.Equal("b", (await second).Key);
    }

    [Fact]
    public async Task A_cancelled_getter_takes_no_key_and_the_key_goes_to_the_next()
    {
        using var queue = NewQueue();
        using var cts = new CancellationTokenSource();
        var cancelled = queue.GetAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        queue.Add("a");

        Assert.Equal(1, queue.Count);
        Assert.Equal("a", await Next(queue));
    }

    [Fact]
    public async Task AddAfter_holds_the_key_until_its_deadline()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        Assert.Equal(0, queue.Count);
        Assert.Equal(1, queue.Delayed);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, queue.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.Delayed);
        Assert.Equal("a", await Next(queue));
    }

    [Fact]
    public async Task Delayed_keys_come_out_in_deadline_order_not_insertion_order()
    {
        using var queue = NewQueue();
        queue.AddAfter("thirty", TimeSpan.FromSeconds(30));
        queue.AddAfter("ten", TimeSpan.FromSeconds(10));
        queue.AddAfter("twenty", TimeSpan.FromSeconds(20));

        var order = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(1, queue.Count);
            order.Add(await Next(queue));
        }

        Assert.Equal(["ten", "twenty", "thirty"], order);
    }

    [Fact]
    public async Task Delayed_keys_due_at_once_are_all_released_by_one_tick()
    {
        using var queue = NewQueue();
        queue.AddAfter("b", TimeSpan.FromSeconds(2));
        queue.AddAfter("a", TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await Next(queue));
        Assert.Equal("b", await Next(queue));
    }

    [Fact]
    public async Task A_later_AddAfter_for_a_delayed_key_does_not_push_its_deadline_back()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(2));
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        Assert.Equal(1, queue.Delayed);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a", await Next(queue));
        queue.Done("a");

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task An_earlier_AddAfter_for_a_delayed_key_brings_its_deadline_forward_and_it_fires_once()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(2));
        Assert.Equal(1, queue.Delayed);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a", await Next(queue));
        queue.Done("a");

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Delayed);
    }

    [Fact]
    public async Task An_immediate_add_does_not_cancel_a_pending_delayed_add()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(30));
        queue.Add("a");
        Assert.Equal("a", await Next(queue));
        queue.Done("a");

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1, queue.Count);
        Assert.Equal("a", await Next(queue));
    }

    [Fact]
    public async Task A_delayed_key_that_falls_due_while_processing_is_requeued_at_Done()
    {
        using var queue = NewQueue();
        queue.Add("a");
        Assert.Equal("a", await Next(queue));
        queue.AddAfter("a", TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, queue.Count);

        queue.Done("a");
        Assert.Equal("a", await Next(queue));
    }

    [Fact]
    public void AddAfter_with_no_delay_adds_at_once()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.Zero);
        queue.AddAfter("b", TimeSpan.FromSeconds(-1));

        Assert.Equal(2, queue.Count);
        Assert.Equal(0, queue.Delayed);
    }

    [Fact]
    public async Task AddRateLimited_doubles_the_delay_per_failure_and_Forget_starts_over()
    {
        using var queue = NewQueue();
        var delays = new List<TimeSpan>();
        for (int failure = 1; failure <= 4; failure++)
        {
            var delay = queue.AddRateLimited("a");
            delays.Add(delay);
            Assert.Equal(failure, queue.NumRequeues("a"));

            _time.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, queue.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal("a", await Next(queue));
            queue.Done("a");
        }

        Assert.Equal([50, 100, 200, 400], delays.Select(d => d.TotalMilliseconds));

        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), queue.AddRateLimited("a"));
    }

    [Fact]
    public void Failure_counts_are_kept_per_key()
    {
        using var queue = NewQueue();
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        var first = queue.AddRateLimited("b");

        Assert.Equal(2, queue.NumRequeues("a"));
        Assert.Equal(1, queue.NumRequeues("b"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), first);
        Assert.Equal(0, queue.NumRequeues("c"));
    }

    [Fact]
    public void AddRateLimited_stays_within_the_jitter_bounds_and_the_cap()
    {
        var options = new WorkQueueOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(10),
            JitterFactor = 0.2,
        };
        using var queue = new WorkQueue<string>(options, _time, random: new Random(7));
        for (int previous = 0; previous < 20; previous++)
        {
            var delay = queue.AddRateLimited("a");
            var nominal = options.Backoff.Nominal(previous);
            Assert.InRange(delay, nominal * 0.8, nominal);
            Assert.True(delay <= options.MaxDelay);
        }
    }

    [Fact]
    public async Task ShutDown_releases_waiting_getters_and_ignores_later_adds()
    {
        using var queue = NewQueue();
        queue.AddAfter("delayed", TimeSpan.FromSeconds(1));
        var waiting = queue.GetAsync().AsTask();

        queue.ShutDown();

        Assert.True((await waiting).ShutDown);
        queue.Add("a");
        queue.AddAfter("b", TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, queue.AddRateLimited("c"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Delayed);
        Assert.True(queue.IsShuttingDown);
        Assert.True((await queue.GetAsync()).ShutDown);
    }

    [Fact]
    public async Task ShutDown_stops_handing_out_keys_that_were_still_waiting()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.ShutDown();

        Assert.True((await queue.GetAsync()).ShutDown);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ShutDownWithDrain_waits_for_keys_in_flight()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        Assert.Equal("a", await Next(queue));
        Assert.Equal("b", await Next(queue));

        var drain = queue.ShutDownWithDrainAsync();
        await Eventually.Settle();
        Assert.False(drain.IsCompleted);

        queue.Done("a");
        await Eventually.Settle();
        Assert.False(drain.IsCompleted);

        queue.Done("b");
        Assert.True(await drain);
        Assert.Equal(0, queue.InFlight);
    }

    [Fact]
    public async Task ShutDownWithDrain_gives_up_when_its_token_fires()
    {
        using var queue = NewQueue();
        queue.Add("a");
        Assert.Equal("a", await Next(queue));
        using var cts = new CancellationTokenSource();

        var drain = queue.ShutDownWithDrainAsync(cts.Token);
        await cts.CancelAsync();

        Assert.False(await drain);
        queue.Done("a");
        Assert.True(await queue.ShutDownWithDrainAsync());
    }

    [Fact]
    public async Task ShutDownWithDrain_returns_at_once_when_nothing_is_in_flight()
    {
        using var queue = NewQueue();
        queue.Add("a");

        Assert.True(await queue.ShutDownWithDrainAsync());
    }

    [Fact]
    public void Out_of_range_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { BaseDelay = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { MaxDelay = TimeSpan.FromMilliseconds(10) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { JitterFactor = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { RetriesPerSecond = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { RetriesPerSecond = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueue<string>(new WorkQueueOptions { RetryBurst = 0 }));
    }

    [Fact]
    public async Task Many_concurrent_adders_and_getters_never_hand_out_one_key_twice_at_once()
    {
        using var queue = new WorkQueue<int>(NoJitter, _time);
        var inFlight = new int[4];
        int overlaps = 0;
        int handled = 0;
        using var stop = new CancellationTokenSource();

        var consumers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (key, shutDown) = await queue.GetAsync();
                if (shutDown)
                {
                    return;
                }

                if (Interlocked.Increment(ref inFlight[key]) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inFlight[key]);
                Interlocked.Increment(ref handled);
                queue.Done(key);
            }
        })).ToArray();

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                queue.Add((p + i) % 4);
            }
        })).ToArray();

        await Task.WhenAll(producers);
        await Eventually.True(() => queue.Count == 0 && queue.InFlight == 0, "the queue is idle");
        Assert.True(await queue.ShutDownWithDrainAsync());
        await Task.WhenAll(consumers);

        Assert.Equal(0, overlaps);
        Assert.InRange(handled, 4, 8000);
    }
}
