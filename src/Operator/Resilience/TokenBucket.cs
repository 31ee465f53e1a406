namespace EksHardening.Operator.Resilience;

/// <summary>
/// A token bucket that never refuses: <see cref="Reserve"/> takes a token now or one still to come and says how long to
/// wait for it, as golang.org/x/time/rate's <c>Reserve().Delay()</c>, the overall bucket of client-go's default controller
/// rate limiter. The bucket holds up to <c>burst</c> tokens and refills at <c>tokensPerSecond</c>; a burst beyond that
/// is spread out at the refill rate, each reservation waiting one refill period longer than the one before.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting's TokenBucketRateLimiter refuses or queues instead of reserving ahead, and reads the
/// system clock; this one answers with a delay at once and reads the injected <see cref="TimeProvider"/>.
/// </remarks>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly double _tokensPerSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    // May go negative: tokens reserved ahead of the refill.
    private double _tokens;
    private long _updated;

    public TokenBucket(double tokensPerSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentNullException.ThrowIfNull(time);
        _tokensPerSecond = tokensPerSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _updated = time.GetTimestamp();
    }

    /// <summary>Takes one token; returns how long to wait until it is there (zero when the bucket had one).</summary>
    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_updated, now).TotalSeconds * _tokensPerSecond));
            _updated = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Round(-_tokens * TimeSpan.TicksPerSecond / _tokensPerSecond));
        }
    }
}
