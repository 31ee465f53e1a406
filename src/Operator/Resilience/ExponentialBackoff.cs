namespace EksHardening.Operator.Resilience;

/// <summary>
/// The backoff algorithm of every retry in the operator: before the retry that follows <c>n</c> failures, wait
/// min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> · 2^n), less a random share of up to <see cref="Jitter"/> of it.
/// A pure function of the failure count and a random draw, so that tests need neither a clock nor a queue.
/// </summary>
/// <param name="Jitter">The share of the nominal delay a draw may take off, in [0, 1]: 0 waits the nominal delay, 1 is
/// "full jitter" (anywhere between zero and the nominal delay).</param>
public sealed record ExponentialBackoff(TimeSpan BaseDelay, TimeSpan MaxDelay, double Jitter = 0)
{
    /// <summary>min(max, base · 2^previousFailures): the delay before retry number previousFailures + 1, before jitter.</summary>
    public TimeSpan Nominal(int previousFailures)
    {
        // Past 2^62 the double is far above any cap; stopping there keeps the product finite.
        var ticks = BaseDelay.Ticks * Math.Pow(2, Math.Clamp(previousFailures, 0, 62));
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The nominal delay less a random share: <paramref name="unitRandom"/> in [0, 1) takes off up to <see cref="Jitter"/> of it.</summary>
    public TimeSpan Delay(int previousFailures, double unitRandom)
    {
        var share = 1 - (Math.Clamp(Jitter, 0, 1) * Math.Clamp(unitRandom, 0, 1));
        return TimeSpan.FromTicks((long)(Nominal(previousFailures).Ticks * share));
    }

    /// <summary>
    /// The jittered delay, but no shorter than the wait the server asked for (<c>Retry-After</c>), and never longer than
    /// <see cref="MaxDelay"/>: a server that asks for an hour does not stall the retry past the cap.
    /// </summary>
    public TimeSpan Delay(int previousFailures, double unitRandom, TimeSpan? serverWait)
    {
        var delay = Delay(previousFailures, unitRandom);
        return serverWait is { } wait && wait > delay ? (wait < MaxDelay ? wait : MaxDelay) : delay;
    }
}
