namespace EksHardening.Operator.FaultTests;

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
