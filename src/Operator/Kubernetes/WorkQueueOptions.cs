using EksHardening.Operator.Resilience;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Retry limits of a <see cref="WorkQueue{TKey}"/>: per-key exponential delay with jitter, capped, and an overall token
/// bucket over all keys' retries (client-go's default controller rate limiter: the longer of the two delays wins).
/// </summary>
public sealed class WorkQueueOptions
{
    /// <summary>Delay before the first retry of a key; doubled on every further consecutive failure.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Upper bound of a retry delay, however many times a key has failed.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Share of the nominal delay taken off at random, in [0, 0.5): a delay lies in
    /// [(1 - JitterFactor) · nominal, nominal]. Below one half, each retry still waits longer than
    /// the one before until the cap, and keys that fail together spread out even at the cap.
    /// </summary>
    public double JitterFactor { get; set; } = 0.2;

    /// <summary>Retries of all keys together, per second, once the burst is spent (client-go: 10).</summary>
    public double RetriesPerSecond { get; set; } = 10;

    /// <summary>Retries of all keys together that may start at once (client-go: 100).</summary>
    public int RetryBurst { get; set; } = 100;

    /// <summary>The per-key backoff these settings describe.</summary>
    public ExponentialBackoff Backoff => new(BaseDelay, MaxDelay, JitterFactor);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (BaseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "BaseDelay must be positive.");
        }

        if (MaxDelay < BaseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "MaxDelay must not be below BaseDelay.");
        }

        if (double.IsNaN(JitterFactor) || JitterFactor < 0 || JitterFactor >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(JitterFactor), JitterFactor, "JitterFactor must lie in [0, 0.5).");
        }

        if (!(RetriesPerSecond > 0) || double.IsInfinity(RetriesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(RetriesPerSecond), RetriesPerSecond, "RetriesPerSecond must be positive.");
        }

        if (RetryBurst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBurst), RetryBurst, "RetryBurst must be at least 1.");
        }
    }
}
