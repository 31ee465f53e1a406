namespace EksHardening.Operator.Kubernetes;

/// <summary>Retry backoff of a <see cref="WorkQueue{TKey}"/>: per-key exponential delay with jitter, capped.</summary>
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
    }
}
