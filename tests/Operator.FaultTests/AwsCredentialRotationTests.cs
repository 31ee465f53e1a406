namespace EksHardening.Operator.FaultTests;

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
        World.Aws.Ecr.AddImage(new AwsStub.Ecr.EcrImage
        {
            Repository = "shop/app-0", Digest = "sha256:" + new string('e', 64), Tags = ["2.0"],
            Scan = AwsStub.Ecr.EcrImageScan.Completed(DateTimeOffset.UtcNow.AddHours(-1)),
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
