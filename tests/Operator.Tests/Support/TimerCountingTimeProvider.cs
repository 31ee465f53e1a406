namespace EksHardening.Operator.Tests.Support;

/// <summary>
/// A fake clock that counts the timers created on it, so that a test can wait until a retry's delay has started before
/// moving the clock (a move made earlier would be lost on a timer created afterwards).
/// </summary>
internal sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
