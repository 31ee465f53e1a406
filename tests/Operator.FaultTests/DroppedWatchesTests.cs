namespace EksHardening.Operator.FaultTests;

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
