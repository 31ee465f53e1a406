namespace EksHardening.Operator.Kubernetes;

/// <summary>The retry delay as a pure function of the failure count, so that tests need no queue.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// min(max, base · 2^previousFailures): the delay before retry number previousFailures + 1, before jitter.
    /// </summary>
    public static TimeSpan Nominal(int previousFailures, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        // Past 2^62 the double is far above any cap; stopping there keeps the product finite.
        double ticks = baseDelay.Ticks * Math.Pow(2, Math.Clamp(previousFailures, 0, 62));
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The nominal delay less a random share: unitRandom in [0, 1) takes off up to JitterFactor of it.</summary>
    public static TimeSpan Delay(int previousFailures, WorkQueueOptions options, double unitRandom)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nominal = Nominal(previousFailures, options.BaseDelay, options.MaxDelay);
        double share = 1 - (options.JitterFactor * Math.Clamp(unitRandom, 0, 1));
        return TimeSpan.FromTicks((long)(nominal.Ticks * share));
    }
}
