using System.Diagnostics;
using EksHardening.Emulator.Diagnostics;
using EksHardening.Emulator.Faults;
using EksHardening.Operator.FaultTests.Support;

namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 1: the API server misbehaves while workloads change. Each class is its own collection, so the
/// scenarios overlap in time. Every one ends with the written status equal to what the rule engine computes
/// from the emulator's final objects, within 30 s of the faults ending, and every violating workload's Event there.
/// </summary>
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

public sealed class TwentyPercentFailuresTests(ITestOutputHelper output) : ApiFaultScenario(output)
{
    [Fact]
    public async Task A_minute_of_one_request_in_five_failing_with_500_503_or_429_while_workloads_change_converges_within_30s()
    {
        // Three independent rules: 1 - (1 - r)^3 = 0.2 of all requests fail, a third each with 500, 503 and 429 (Retry-After: 1).
        var perCode = 1 - Math.Pow(0.8, 1.0 / 3);
        var rules = new[] { 500, 503, 429 }.Select(code => Bed.Emulator.Faults.FailRequests(null, code, rate: perCode, retryAfterSeconds: 1)).ToList();
        var changes = await WorkloadChurn.RunAsync(Bed.Emulator, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(250), seed: 1);
        foreach (var rule in rules) Bed.Emulator.Faults.Remove(rule);

        var took = await ConvergesAfterFaultsAsync();
        var requests = Bed.Emulator.Requests;
        var share = (double)rules.Sum(r => r.Hits) / requests.Count;
        Assert.InRange(share, 0.1, 0.3);   // the faults did what they say
        ScenarioReport.Add(Output, new ScenarioOutcome("1a API errors",
            $"20 % of requests 500/503/429 (Retry-After 1 s) for 60 s, {changes} workload changes", took, FailedRequestSummary(), "nothing"));
    }
}

public sealed class DroppedWatchesTests(ITestOutputHelper output) : ApiFaultScenario(output)
{
    [Fact]
    public async Task Watches_dropped_every_three_seconds_with_410_on_every_reconnect_converge_within_30s()
    {
        var churn = WorkloadChurn.RunAsync(Bed.Emulator, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200), seed: 2);
        var drops = 0;
        while (!churn.IsCompleted)
        {
            // Every informer's next watch gets 410 Expired: each reconnect must relist.
            Bed.Emulator.Faults.ExpireNextWatches(Bed.Emulator.OpenWatches);
            drops += Bed.Emulator.Faults.DropWatches() > 0 ? 1 : 0;
            await Task.WhenAny(churn, Task.Delay(TimeSpan.FromSeconds(3)));
        }

        var changes = await churn;
        var took = await ConvergesAfterFaultsAsync();
        var requests = Bed.Emulator.Requests;
        var lists = requests.Count(r => r.Verb == "list");
        Assert.True(drops >= 8, $"{drops} drops");
        ScenarioReport.Add(Output, new ScenarioOutcome("1b dropped watches",
            $"all watches dropped every 3 s for 30 s ({drops} times), 410 on every reconnect, {changes} workload changes", took,
            $"{requests.Count(r => r.Verb == "watch")} watches reopened, {lists} relists", "nothing"));
    }

    [Fact]
    public async Task Every_watch_answered_410_for_20s_relists_with_backoff_not_in_a_hot_loop()
    {
        // A server that expires every watch at once: each informer relists, watches, gets 410, relists...
        Bed.Emulator.Faults.ExpireNextWatches(int.MaxValue / 2);
        Bed.Emulator.Faults.DropWatches();
        var changes = await WorkloadChurn.RunAsync(Bed.Emulator, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200), seed: 3);
        var lists = Bed.Emulator.CountRequests("list");
        Bed.Emulator.Faults.Reset();
        Bed.Emulator.Faults.DropWatches();

        var took = await ConvergesAfterFaultsAsync();
        // Thirteen informers for 20 s: a relist per informer per second at most on average.
        Assert.True(lists <= 13 * 20, $"{lists} lists in 20 s: relists after 410 must back off");
        ScenarioReport.Add(Output, new ScenarioOutcome("1b' 410 storm",
            $"every watch answered 410 for 20 s, {changes} workload changes", took, $"{lists} relists in 20 s (13 informers)", "nothing"));
    }
}

public sealed class DowntimeTests(ITestOutputHelper output) : ApiFaultScenario(output)
{
    [Fact]
    public async Task The_API_down_for_30s_while_workloads_change_converges_within_30s_of_its_return()
    {
        // 15 s of 503 from a load balancer, then 15 s of connections reset: the server is gone.
        Bed.Emulator.Faults.StartDowntime(TimeSpan.FromSeconds(15), DowntimeMode.ServiceUnavailable);
        var churn = WorkloadChurn.RunAsync(Bed.Emulator, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250), seed: 4);
        await Task.Delay(TimeSpan.FromSeconds(15));
        Bed.Emulator.Faults.StartDowntime(TimeSpan.FromSeconds(15), DowntimeMode.ConnectionReset);
        var changes = await churn;
        await Eventually.True(() => !Bed.Emulator.Faults.IsDown, "the downtime ends");

        var took = await ConvergesAfterFaultsAsync();
        ScenarioReport.Add(Output, new ScenarioOutcome("1c API down",
            $"API down 30 s (15 s 503, 15 s connection reset), leader lease 15 s, {changes} workload changes", took, FailedRequestSummary(), "nothing"));
    }
}

public sealed class SlowApiTests(ITestOutputHelper output) : ApiFaultScenario(output)
{
    [Fact]
    public async Task Responses_slowed_to_2s_while_workloads_change_converge_within_30s_of_the_slowness_ending()
    {
        Bed.Emulator.Faults.Latency = TimeSpan.FromSeconds(2);
        var changes = await WorkloadChurn.RunAsync(Bed.Emulator, TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(250), seed: 5);
        Bed.Emulator.Faults.Latency = TimeSpan.Zero;

        var took = await ConvergesAfterFaultsAsync();
        var patches = Count(Bed.Emulator.Requests, "patch", "responsibilitypolicies/status");
        ScenarioReport.Add(Output, new ScenarioOutcome("1d slow API",
            $"every response delayed 2 s for 40 s, {changes} workload changes", took, $"{patches} status patches, {FailedRequestSummary()}", "nothing"));
    }
}
