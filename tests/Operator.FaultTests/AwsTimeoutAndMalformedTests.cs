namespace EksHardening.Operator.FaultTests;

public sealed class AwsTimeoutAndMalformedTests(ITestOutputHelper output) : AwsFaultScenario(output)
{
    [Fact]
    public async Task Timeouts_from_EKS_and_malformed_JSON_from_ECR_are_errors_with_reasons_and_recover()
    {
        // Longer than the 10 s an attempt may take: every DescribeCluster times out, three times over.
        var slow = World.Aws.Faults.Delay("eks", "DescribeCluster", TimeSpan.FromSeconds(12));
        var malformed = World.Aws.Faults.MalformResponses("ecr", "DescribeImageScanFindings");

        var took = await ErrorsWhileTheFaultsLastThenRecoveryAsync([slow, malformed],
            s => s.Summary is { Compliant: > 0 } ? $"summary {k8s.KubernetesJson.Serialize(s.Summary)}"
                : s.ClusterFindings?.FirstOrDefault(f => f.Result != FindingResult.Error) is { } f ? $"{f.Rule} {f.Result}" : null,
            "eks: Timeout", "ecr: Unknown", "not JSON");
        ScenarioReport.Add(Output, new ScenarioOutcome("4b AWS timeouts, malformed JSON",
            "EKS DescribeCluster 12 s late (10 s per attempt), ECR scan findings cut in half", took,
            $"{slow.Hits} timed-out DescribeCluster attempts, {malformed.Hits} malformed answers (not retried)", "nothing; errors, never pass, while it lasted"));
    }
}
