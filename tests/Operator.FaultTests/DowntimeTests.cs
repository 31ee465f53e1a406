namespace EksHardening.Operator.FaultTests;

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
