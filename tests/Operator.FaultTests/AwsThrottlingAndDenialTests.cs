namespace EksHardening.Operator.FaultTests;

public sealed class AwsThrottlingAndDenialTests(ITestOutputHelper output) : AwsFaultScenario(output)
{
    [Fact]
    public async Task A_throttling_storm_on_ECR_and_AccessDenied_on_IAM_are_errors_with_reasons_and_recover()
    {
        var throttle = World.Aws.Faults.Throttle("ecr");
        var deny = World.Aws.Faults.DenyAccess("iam");

        // Every pod's image and role facts are missing: errors, never compliant; the cluster's own facts still pass.
        var took = await ErrorsWhileTheFaultsLastThenRecoveryAsync([throttle, deny],
            s => s.Summary is { Compliant: > 0 } or { Errors: not AwsWorld.Pods } ? $"summary {k8s.KubernetesJson.Serialize(s.Summary)}"
                : s.ClusterFindings?.FirstOrDefault(f => f.Result != FindingResult.Pass) is { } f ? $"{f.Rule} {f.Result}" : null,
            "ecr: Throttled", "iam: AccessDenied");
        ScenarioReport.Add(Output, new ScenarioOutcome("4a AWS throttling, AccessDenied",
            "every ECR call throttled, every IAM call AccessDenied, from the operator's start", took,
            $"{throttle.Hits} throttled ECR calls (SDK-style retries with backoff, then error), {deny.Hits} denied IAM calls (not retried)", "nothing; errors, never pass, while it lasted"));
    }
}
