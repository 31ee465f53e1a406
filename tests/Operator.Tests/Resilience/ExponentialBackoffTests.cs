namespace EksHardening.Operator.Tests.Resilience;

public class ExponentialBackoffTests
{
    private static readonly ExponentialBackoff WorkQueueDefaults = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5), Jitter: 0.2);

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(5, 1600)]
    [InlineData(12, 204_800)]
    [InlineData(13, 300_000)]
    [InlineData(30, 300_000)]
    [InlineData(int.MaxValue, 300_000)]
    [InlineData(-1, 50)]
    public void The_nominal_delay_doubles_per_failure_up_to_the_cap(int previousFailures, double expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), WorkQueueDefaults.Nominal(previousFailures));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Jitter_takes_off_its_share_of_the_nominal_delay_times_the_random_draw(double unitRandom)
    {
        for (int previous = 0; previous < 20; previous++)
        {
            var nominal = WorkQueueDefaults.Nominal(previous);
            var delay = WorkQueueDefaults.Delay(previous, unitRandom);
            long expected = (long)(nominal.Ticks * (1 - (0.2 * unitRandom)));
            Assert.InRange(delay.Ticks, expected - 1, expected + 1);
            Assert.InRange(delay, nominal * 0.8, nominal);
        }
    }

    [Theory]
    [InlineData(0.0, 0.0, 400)]
    [InlineData(0.0, 0.75, 400)]
    [InlineData(1.0, 0.0, 400)]
    [InlineData(1.0, 0.25, 300)]
    [InlineData(1.0, 0.999999, 0)]
    public void Without_jitter_the_draw_changes_nothing_and_full_jitter_may_take_all_of_it(double jitter, double unitRandom, double expectedMilliseconds)
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20), jitter);
        Assert.Equal(expectedMilliseconds, backoff.Delay(2, unitRandom).TotalMilliseconds, precision: 0);
    }

    [Fact]
    public void Jittered_delays_stay_within_bounds_and_spread_out_at_the_cap()
    {
        var random = new Random(42);
        var atCap = new HashSet<TimeSpan>();
        for (int sample = 0; sample < 2000; sample++)
        {
            int previous = sample % 25;
            var nominal = WorkQueueDefaults.Nominal(previous);
            var delay = WorkQueueDefaults.Delay(previous, random.NextDouble());
            Assert.InRange(delay, nominal * (1 - WorkQueueDefaults.Jitter), nominal);
            Assert.True(delay <= WorkQueueDefaults.MaxDelay);
            if (nominal == WorkQueueDefaults.MaxDelay)
            {
                atCap.Add(delay);
            }
        }

        Assert.True(atCap.Count > 100, "keys failing at the cap should not all retry at the same instant");
    }

    [Fact]
    public void Each_retry_waits_longer_than_the_one_before_until_the_cap_when_the_jitter_is_below_one_half()
    {
        var backoff = WorkQueueDefaults with { Jitter = 0.49 };
        for (int previous = 1; backoff.Nominal(previous) < backoff.MaxDelay; previous++)
        {
            var shortestNow = backoff.Delay(previous, 0.999999);
            var longestBefore = backoff.Delay(previous - 1, 0);
            Assert.True(shortestNow > longestBefore, $"retry {previous + 1} could wait {shortestNow}, no longer than retry {previous} ({longestBefore})");
        }
    }

    [Theory]
    [InlineData(0, null, 50)]               // no server wait: the backoff
    [InlineData(0, 2_000, 2_000)]           // the server asks for longer: its wait
    [InlineData(6, 2_000, 3_200)]           // the backoff is already longer: the backoff
    [InlineData(0, 3_600_000, 300_000)]     // an hour asked for: the cap
    [InlineData(0, 0, 50)]
    public void A_server_wait_lengthens_the_delay_up_to_the_cap_and_never_shortens_it(int previousFailures, int? serverWaitMilliseconds, double expectedMilliseconds)
    {
        var backoff = WorkQueueDefaults with { Jitter = 0 };
        var serverWait = serverWaitMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), backoff.Delay(previousFailures, 0.5, serverWait));
    }
}
