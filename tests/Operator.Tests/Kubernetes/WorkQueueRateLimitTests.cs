namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>The queue's retry delay: the longer of the key's backoff and the overall bucket's, as client-go's default controller rate limiter.</summary>
public class WorkQueueRateLimitTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_default_options_are_50_ms_doubling_to_5_minutes_with_a_fifth_of_jitter_and_10_retries_a_second_after_a_burst_of_100()
    {
        var options = new WorkQueueOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(50), options.BaseDelay);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxDelay);
        Assert.Equal(0.2, options.JitterFactor);
        Assert.Equal(10, options.RetriesPerSecond);
        Assert.Equal(100, options.RetryBurst);
    }

    [Fact]
    public void Past_the_burst_the_retries_of_all_keys_are_spread_out_at_the_overall_rate()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, _time);

        // A hundred keys failing at once: each first retry waits only its own backoff.
        var burst = Enumerable.Range(0, 100).Select(i => queue.AddRateLimited($"key-{i}")).ToList();
        Assert.All(burst, delay => Assert.Equal(TimeSpan.FromMilliseconds(50), delay));

        // The bucket is empty: the next ones wait for its refill, a tenth of a second apart, whatever their own backoff.
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.AddRateLimited("key-100"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), queue.AddRateLimited("key-101"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), queue.AddRateLimited("key-0"));

        // A second later ten tokens came back, of which three were already promised.
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterRefill = Enumerable.Range(0, 7).Select(i => queue.AddRateLimited($"later-{i}")).ToList();
        Assert.All(afterRefill, delay => Assert.Equal(TimeSpan.FromMilliseconds(50), delay));
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.AddRateLimited("later-7"));
    }

    [Fact]
    public void A_key_whose_own_backoff_is_longer_waits_its_backoff_and_still_takes_a_token()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0, RetryBurst = 1, RetriesPerSecond = 1 }, _time);

        Assert.Equal(TimeSpan.FromMilliseconds(50), queue.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited("a"));       // bucket: 1 s; backoff: 100 ms
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(200), queue.AddRateLimited("a"));   // the bucket refilled; the backoff rules
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited("b"));          // the token went to "a"
    }

    [Fact]
    public void Forget_resets_the_keys_backoff_but_not_the_overall_bucket()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0, RetryBurst = 2, RetriesPerSecond = 10 }, _time);
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        queue.Forget("a");

        Assert.Equal(0, queue.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.AddRateLimited("a"));
    }

    [Theory]
    [InlineData(0, null, 50)]
    [InlineData(0, 3_000, 3_000)]
    [InlineData(4, 300, 800)]
    [InlineData(0, 3_600_000, 300_000)]
    public void A_Retry_After_from_the_API_server_lengthens_the_retry_up_to_the_cap(int earlierFailures, int? retryAfterMilliseconds, double expectedMilliseconds)
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, _time);
        for (var i = 0; i < earlierFailures; i++) queue.AddRateLimited("a");

        var delay = queue.AddRateLimited("a", retryAfterMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), delay);
        Assert.Equal(earlierFailures + 1, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task A_key_retried_after_a_Retry_After_comes_back_when_it_has_passed_not_before()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { JitterFactor = 0 }, _time);
        queue.AddRateLimited("a", TimeSpan.FromSeconds(2));

        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var (key, shutDown) = await queue.GetAsync();
        Assert.False(shutDown);
        Assert.Equal("a", key);
    }
}
