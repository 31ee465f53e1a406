namespace EksHardening.Operator.Aws;

/// <summary>
/// The SDKs' "standard" retry mode: at most 3 attempts, exponential backoff with full jitter from a 100 ms base
/// (1 s when throttled) capped at 20 s, and a retry quota that stops retry storms when AWS keeps failing.
/// </summary>
public sealed class AwsRetryOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ThrottlingBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt may take before it counts as timed out.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tokens in the retry quota; a retry takes <see cref="RetryCost"/> (a timeout <see cref="TimeoutRetryCost"/>).</summary>
    public int RetryQuotaCapacity { get; init; } = 500;

    public int RetryCost { get; init; } = 5;
    public int TimeoutRetryCost { get; init; } = 10;

    /// <summary>A uniform random number in [0, 1) for the jitter; tests fix it.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first): random · min(cap, base · 2^(retry-1)).</summary>
    public TimeSpan Backoff(int retry, bool throttled)
    {
        var baseDelay = throttled ? ThrottlingBaseDelay : BaseDelay;
        var nominal = baseDelay.Ticks * Math.Pow(2, Math.Clamp(retry - 1, 0, 62));
        var capped = Math.Min(nominal, MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(capped * Math.Clamp(Random(), 0, 1)));
    }
}

/// <summary>The standard mode's token bucket: retries spend tokens, successes put them back.</summary>
internal sealed class AwsRetryQuota(AwsRetryOptions options)
{
    private readonly Lock _lock = new();
    private int _available = options.RetryQuotaCapacity;

    public int Available
    {
        get
        {
            lock (_lock) return _available;
        }
    }

    /// <summary>Takes the cost of one retry; 0 when the quota is exhausted and the retry must not happen.</summary>
    public int TryAcquire(bool timeout)
    {
        var cost = timeout ? options.TimeoutRetryCost : options.RetryCost;
        lock (_lock)
        {
            if (_available < cost) return 0;
            _available -= cost;
            return cost;
        }
    }

    /// <summary>On success: returns what the retries took, or one token for a first-time success.</summary>
    public void Release(int spent)
    {
        lock (_lock) _available = Math.Min(options.RetryQuotaCapacity, _available + (spent > 0 ? spent : 1));
    }
}
