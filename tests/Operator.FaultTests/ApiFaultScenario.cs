namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 1: the API server misbehaves while workloads change. Each class is its own collection, so the
/// scenarios overlap in time. Every one ends with the written status equal to what the rule engine computes
/// from the emulator's final objects, within 30 s of the faults ending, and every violating workload's Event there.
/// </summary>
/// <remarks>The trait is inherited by every scenario class.</remarks>
[Trait("Category", "Slow")]
public abstract class ApiFaultScenario(ITestOutputHelper output) : IAsyncLifetime
{
    protected const string PolicyName = "production";
    protected static readonly TimeSpan ConvergenceBound = TimeSpan.FromSeconds(30);

    private protected OperatorTestbed Bed { get; private set; } = null!;
    protected ITestOutputHelper Output { get; } = output;

    public async Task InitializeAsync()
    {
        Bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
        // Production settings: leader election on a 15 s lease.
        await Bed.StartOperatorAsync("operator-a", leaderElection: true, leaseDuration: "15s");
        await Bed.ConvergedAsync(PolicyName, TimeSpan.FromSeconds(60));
        Bed.Emulator.ClearRequests();
    }

    public async Task DisposeAsync() => await Bed.DisposeAsync();

    /// <summary>Waits for the status to be right again, at most 30 s; returns how long it took.</summary>
    protected async Task<TimeSpan> ConvergesAfterFaultsAsync()
    {
        var clock = Stopwatch.StartNew();
        await Bed.ConvergedAsync(PolicyName, ConvergenceBound);
        var took = clock.Elapsed;
        await Eventually.True(() => ViolationEventCheck.Missing(Bed, PolicyName).Count == 0,
            $"every violating workload has its Event (missing: {string.Join("; ", ViolationEventCheck.Missing(Bed, PolicyName).Take(5))})", ConvergenceBound);
        return took;
    }

    /// <summary>Requests that got an error or no answer, by verb and resource.</summary>
    protected string FailedRequestSummary()
    {
        var failed = Bed.Emulator.Requests.Where(r => r.StatusCode is 0 or >= 429).ToList();
        if (failed.Count == 0) return "none failed";
        var byKind = failed.GroupBy(r => $"{r.Verb} {r.ResourceWithSubresource}").OrderByDescending(g => g.Count()).Take(4)
            .Select(g => $"{g.Count()} {g.Key}");
        return $"{failed.Count} failed, all retried ({string.Join(", ", byKind)}, …)";
    }

    protected static int Count(IEnumerable<RecordedRequest> requests, string verb, string resource) =>
        requests.Count(r => r.Verb == verb && r.ResourceWithSubresource == resource);
}
