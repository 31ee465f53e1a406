using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Tests.Kubernetes;

public class RetryBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(5, 1600)]
    [InlineData(12, 204_800)]
    [InlineData(13, 300_000)]
    [InlineData(30, 300_000)]
    [InlineData(int.MaxValue, 300_000)]
    public void The_nominal_delay_doubles_per_failure_up_to_the_cap(int previousFailures, double expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), RetryBackoff.Nominal(previousFailures, Base, Cap));
    }

    [Fact]
    public void The_default_options_are_50_milliseconds_doubling_to_5_minutes_with_a_fifth_of_jitter()
    {
        var options = new WorkQueueOptions();

        Assert.Equal(Base, options.BaseDelay);
        Assert.Equal(Cap, options.MaxDelay);
        Assert.Equal(0.2, options.JitterFactor);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Jitter_takes_off_its_share_of_the_nominal_delay_times_the_random_draw(double unitRandom)
    {
        var options = new WorkQueueOptions { JitterFactor = 0.2 };
        for (int previous = 0; previous < 20; previous++)
        {
            var nominal = RetryBackoff.Nominal(previous, options.BaseDelay, options.MaxDelay);
            var delay = RetryBackoff.Delay(previous, options, unitRandom);
            long expected = (long)(nominal.Ticks * (1 - (0.2 * unitRandom)));
            Assert.InRange(delay.Ticks, expected - 1, expected + 1);
            Assert.InRange(delay, nominal * 0.8, nominal);
        }
    }

    [Fact]
    public void Jittered_delays_stay_within_bounds_and_spread_out_at_the_cap()
    {
        var options = new WorkQueueOptions();
        var random = new Random(42);
        var atCap = new HashSet<TimeSpan>();
        for (int sample = 0; sample < 2000; sample++)
        {
            int previous = sample % 25;
            var nominal = RetryBackoff.Nominal(previous, options.BaseDelay, options.MaxDelay);
            var delay = RetryBackoff.Delay(previous, options, random.NextDouble());
            Assert.InRange(delay, nominal * (1 - options.JitterFactor), nominal);
            Assert.True(delay <= options.MaxDelay);
            if (nominal == options.MaxDelay)
            {
                atCap.Add(delay);
            }
        }

        Assert.True(atCap.Count > 100, "keys failing at the cap should not all retry at the same instant");
    }

    [Fact]
    public void Each_retry_waits_longer_than_the_one_before_until_the_cap_whatever_the_jitter()
    {
        var options = new WorkQueueOptions { JitterFactor = 0.49 };
        for (int previous = 1; RetryBackoff.Nominal(previous, options.BaseDelay, options.MaxDelay) < options.MaxDelay; previous++)
        {
            var shortestNow = RetryBackoff.Delay(previous, options, 0.999999);
            var longestBefore = RetryBackoff.Delay(previous - 1, options, 0);
            Assert.True(shortestNow > longestBefore, $"retry {previous + 1} could wait {shortestNow}, no longer than retry {previous} ({longestBefore})");
        }
    }
}
