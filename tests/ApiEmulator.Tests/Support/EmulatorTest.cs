namespace EksHardening.ApiEmulator.Tests.Support;

/// <summary>A test with its own emulator and a real KubernetesClient pointing at it.</summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    protected ApiServerEmulator Emulator { get; private set; } = null!;

    protected Kubernetes Client { get; private set; } = null!;

    protected virtual void Configure(ApiEmulatorOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var options = new ApiEmulatorOptions();
        Configure(options);
        Emulator = await ApiServerEmulator.StartNewAsync(options);
        Client = Emulator.CreateClient();
        await InitializeAsyncCore();
    }

    /// <summary>Per-class setup that runs once the emulator is up.</summary>
    public virtual Task InitializeAsyncCore() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> (default 5 s).</summary>
    protected static async Task Eventually(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met in time{(because is null ? "" : ": " + because)}");
            }

            await Task.Delay(10);
        }
    }
}
