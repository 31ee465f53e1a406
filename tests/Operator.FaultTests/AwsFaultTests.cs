using System.Diagnostics;
using EksHardening.AwsStubs.Faults;
using EksHardening.Entities;
using EksHardening.Operator.FaultTests.Support;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 4: AWS misbehaves. The operator (a real process with IRSA credentials) starts while the faults hold, so
/// it has never learned the facts: every finding that needs them must be <c>error</c> with the reason in
/// AwsReachable, never a pass. Once the faults end the status must become what the rule engine computes from the
/// emulator's objects and the AWS facts learned afresh, although the policy's evaluationInterval is ten minutes.
/// </summary>
public abstract class AwsFaultScenario(ITestOutputHelper output) : IAsyncLifetime
{
    private protected AwsWorld World { get; private set; } = null!;
    protected ITestOutputHelper Output { get; } = output;

    public virtual async Task InitializeAsync() => World = await AwsWorld.StartAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();

    protected ResponsibilityPolicyStatus? Status => World.Bed.Policy(AwsWorld.PolicyName)?.Status;

    protected V1ConditionView? AwsReachable => Status?.Conditions?.Where(c => c.Type == ComplianceStatus.AwsReachable)
        .Select(c => new V1ConditionView(c.Status, c.Message ?? "")).FirstOrDefault();

    protected sealed record V1ConditionView(string Status, string Message);

    /// <summary>
    /// Starts the operator while <paramref name="faults"/> hold; waits for AwsReachable=False naming every one of
    /// <paramref name="reasons"/>, then watches the status for a while (<paramref name="wrongness"/> says what must never
    /// be seen: a pass for what could not be learned); ends the faults; returns how long until the status is right.
    /// </summary>
    protected async Task<TimeSpan> ErrorsWhileTheFaultsLastThenRecoveryAsync(IReadOnlyList<AwsFaultRule> faults,
        Func<ResponsibilityPolicyStatus, string?> wrongness, params string[] reasons)
    {
        await using var process = World.StartOperator();
        await Eventually.True(() => AwsReachable is { Status: "False" } reachable && reasons.All(r => reachable.Message.Contains(r, StringComparison.Ordinal)),
            $"AwsReachable=False naming {string.Join(", ", reasons)} (now: {AwsReachable?.Message})", TimeSpan.FromSeconds(120));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            if (Status is { } status && wrongness(status) is { } wrong) Assert.Fail($"while AWS failed the status said: {wrong}");
            await Task.Delay(100);
        }

        foreach (var fault in faults) World.Aws.Faults.Remove(fault);
        return await RecoversAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The faults are gone: how long until the status equals the rule engine's with facts learned now.</summary>
    protected async Task<TimeSpan> RecoversAsync(TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        var facts = await World.FactsAsync();
        Assert.DoesNotContain(facts.Images.Values, i => i.Scan is null);
        await World.Bed.ConvergedAsync(AwsWorld.PolicyName, bound, facts);
        Assert.Equal("True", AwsReachable?.Status);
        return clock.Elapsed;
    }

    protected string StubFailures() =>
        string.Join(", ", World.Aws.Requests.Where(r => !r.Succeeded).GroupBy(r => $"{r.Service}:{r.Operation} {r.ErrorCode ?? r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
            .Select(g => $"{g.Count()} {g.Key}"));
}

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

public sealed class AwsCredentialRotationTests(ITestOutputHelper output) : AwsFaultScenario(output)
{
    [Fact]
    public async Task Credentials_expiring_mid_run_are_replaced_from_the_rotated_token_file_without_an_error_in_status()
    {
        await using var process = World.StartOperator();
        var facts = await World.FactsAsync();
        await World.Bed.ConvergedAsync(AwsWorld.PolicyName, TimeSpan.FromSeconds(60), facts);
        Assert.Equal(1, World.Aws.CountRequests("sts", "AssumeRoleWithWebIdentity"));

        // The kubelet rotates the projected token; the old one is no longer accepted; the issued keys expire.
        var rotated = World.IssueToken();
        Assert.Equal(1, World.Aws.Sts.ExpireIssuedCredentials());
        var clock = Stopwatch.StartNew();
        // New facts are needed: a new image (in ECR) runs.
        World.Aws.Ecr.AddImage(new AwsStubs.Ecr.EcrImage
        {
            Repository = "shop/app-0", Digest = "sha256:" + new string('e', 64), Tags = ["2.0"],
            Scan = AwsStubs.Ecr.EcrImageScan.Completed(DateTimeOffset.UtcNow.AddHours(-1)),
        });
        var pod = World.Bed.Emulator.Get<k8s.Models.V1Pod>("shop", "app-0")!;
        pod.Spec.Containers[0].Image = $"{World.Aws.AccountId}.dkr.ecr.{World.Aws.Region}.amazonaws.com/shop/app-0@sha256:{new string('e', 64)}";
        World.Bed.Emulator.Seed(pod);

        var sawError = false;
        await Eventually.True(() =>
        {
            sawError |= AwsReachable?.Status == "False";
            return World.Aws.CountRequests("sts", "AssumeRoleWithWebIdentity", r => r.Succeeded && r.Parameter("WebIdentityToken") == rotated) == 1
                && World.Aws.CountRequests("ecr", null, r => r.Succeeded && r.Time > DateTimeOffset.UtcNow - clock.Elapsed && r.AccessKeyId != World.Aws.Sts.Issued[0].Credentials.AccessKeyId) > 0;
        }, "the rotated token is exchanged and the new keys sign ECR calls", TimeSpan.FromSeconds(60));
        await World.Bed.ConvergedAsync(AwsWorld.PolicyName, TimeSpan.FromSeconds(30), await World.FactsAsync());
        var took = clock.Elapsed;
        Assert.False(sawError, "an expired key must be replaced and the call tried again, not reported as an AWS error");
        var expired = World.Aws.Requests.Count(r => r.ErrorCode is "ExpiredTokenException" or "ExpiredToken");
        Assert.True(expired >= 1, "the stub refused the expired key at least once");
        ScenarioReport.Add(Output, new ScenarioOutcome("4c expired credentials",
            "issued keys expired mid-run, token file rotated, old token refused", took,
            $"{expired} calls answered ExpiredToken, each retried once at once with keys from the new token", "nothing; no error in status"));
    }
}
