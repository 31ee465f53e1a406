namespace EksHardening.Operator.FaultTests;

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
