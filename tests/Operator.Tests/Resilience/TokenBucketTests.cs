namespace EksHardening.Operator.Tests.Resilience;

public class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_full_bucket_gives_its_burst_at_once_then_reserves_ahead_one_refill_period_apart()
    {
        var bucket = new TokenBucket(tokensPerSecond: 4, burst: 3, _time);

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], [bucket.Reserve(), bucket.Reserve(), bucket.Reserve()]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.Reserve());
    }

    [Fact]
    public void Reservations_made_ahead_are_paid_back_by_the_refill_before_new_tokens_count()
    {
        var bucket = new TokenBucket(tokensPerSecond: 10, burst: 1, _time);
        bucket.Reserve();
        bucket.Reserve();
        bucket.Reserve();   // two tokens owed: the last one is due in 200 ms

        _time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.FromMilliseconds(150), bucket.Reserve());   // due at 300 ms: 150 ms from now
    }

    [Fact]
    public void A_long_idle_refills_no_more_than_the_burst()
    {
        var bucket = new TokenBucket(tokensPerSecond: 10, burst: 2, _time);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.Zero, bucket.Reserve());
        Assert.Equal(TimeSpan.Zero, bucket.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Reserve());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(1, 0)]
    public void Settings_out_of_range_are_rejected(double tokensPerSecond, int burst)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenBucket(tokensPerSecond, burst, _time));
    }
}
