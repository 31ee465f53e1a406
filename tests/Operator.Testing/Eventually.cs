namespace EksHardening.Operator.Testing;

/// <summary>Waits for a condition instead of sleeping a fixed time; fails with what was awaited.</summary>
public static class Eventually
{
    // Generous: only a broken component reaches it; no test asserts how fast anything is.
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(10);

    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null) =>
        await True(() => Task.FromResult(condition()), what, timeout, poll);

    /// <param name="poll">Time between checks: longer for a condition that is costly to compute.</param>
    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>Gives other threads a moment, for checks that something did not happen.</summary>
    public static Task Settle() => Task.Delay(50);
}
