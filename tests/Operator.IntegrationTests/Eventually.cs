namespace EksHardening.Operator.IntegrationTests;

/// <summary>Waits for a condition instead of sleeping a fixed time; fails with what was last seen.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        await True(() => Task.FromResult(condition()), what, timeout);

    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(25);
        }
    }
}
