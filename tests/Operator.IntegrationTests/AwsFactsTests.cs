using StubImage = EksHardening.AwsStub.Ecr.EcrImage;
using StubScan = EksHardening.AwsStub.Ecr.EcrImageScan;
using StubFinding = EksHardening.AwsStub.Ecr.EcrFinding;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>The AWS-backed image rules against the AWS stub, through the real clients, signer and fact cache.</summary>
public sealed class AwsFactsTests : IAsyncLifetime
{
    private AwsEndpointStub _aws = null!;
    private AwsClients _clients = null!;
    private const string Policy = """
        imageScanning: {requireScanOnPush: true, maxScanAge: 168h, vulnerabilityThresholds: {critical: 0, high: 2}, ignoreFindings: [CVE-2024-0002]}
        """;

    public async Task InitializeAsync()
    {
        _aws = await AwsEndpointStub.StartNewAsync();
        var env = _aws.EnvironmentVariables();
        _clients = new AwsClients(new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k) },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _aws.DisposeAsync();
    }

    private AwsFactCollector Collector() =>
        new(_clients.Ecr, _clients.Eks, _clients.Iam, _clients.Kms, _clients.GuardDuty, _clients.CloudTrail, _clients.Ec2, _clients.Ssm, TimeProvider.System,
            new AwsFactCollectorOptions { DefaultRegion = _aws.Region });

    private string Registry => $"{_aws.AccountId}.dkr.ecr.{_aws.Region}.amazonaws.com";

    private static string Digest(int i) => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>20 digests in 4 repositories; digest i has i % 4 critical findings and is pushed under tag 1.i.</summary>
    private void SeedImages(DateTimeOffset scannedAt)
    {
        for (var i = 0; i < 20; i++)
        {
            var criticals = Enumerable.Range(0, i % 4).Select(n => new StubFinding($"CVE-2024-1{i:00}{n}", "CRITICAL"));
            _aws.Ecr.AddImage(new StubImage
            {
                Repository = $"shop/app-{i % 4}",
                Digest = Digest(i),
                Tags = [$"1.{i}"],
                Scan = StubScan.Completed(scannedAt, [.. criticals, new StubFinding("CVE-2024-0002", "HIGH")]),
            });
        }

        for (var r = 0; r < 4; r++) _aws.Ecr.AddRepository(new AwsStub.Ecr.EcrRepository { Name = $"shop/app-{r}", ScanOnPush = r != 3 });
    }

    /// <summary>200 pods: half name the digest, half run a tag whose digest is in their status (imageID).</summary>
    private List<object> Pods() => Enumerable.Range(0, 200).Select(p =>
    {
        var i = p % 20;
        var byDigest = p % 2 == 0;
        var image = byDigest ? $"{Registry}/shop/app-{i % 4}@{Digest(i)}" : $"{Registry}/shop/app-{i % 4}:1.{i}";
        return (object)new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = $"pod-{p}", NamespaceProperty = "shop" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
            Status = byDigest ? null : new V1PodStatus
            {
                ContainerStatuses = [new V1ContainerStatus { Name = "app", Image = image, ImageID = $"{Registry}/shop/app-{i % 4}@{Digest(i)}" }],
            },
        };
    }).ToList();

    private static (ResponsibilityPolicy Policy, ClusterSnapshot Snapshot) Setup(List<object> objects) =>
        (TestPolicy(Policy), ClusterSnapshot.FromObjects(objects));

    private static ResponsibilityPolicy TestPolicy(string spec) => new()
    {
        Metadata = new V1ObjectMeta { Name = "aws", Generation = 1 },
        Spec = k8s.KubernetesYaml.Deserialize<ResponsibilityPolicySpec>(spec),
    };

    private static string Results(PolicyEvaluation evaluation) =>
        string.Join("\n", evaluation.Resources.SelectMany(r => r.Findings.Select(f => $"{r.Resource.Name} {f.Rule.Id} {f.Result} {f.Message}")));

    [Fact]
    public async Task One_findings_lookup_per_digest_and_none_again_within_the_ttl()
    {
        SeedImages(DateTimeOffset.UtcNow.AddHours(-1));
        var (policy, snapshot) = Setup(Pods());
        var collector = Collector();

        snapshot.Aws = await collector.CollectAsync(policy, snapshot, CancellationToken.None);
        var evaluation = new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot);
        Assert.Equal(20, _aws.CountRequests("ecr", "DescribeImageScanFindings"));
        for (var i = 0; i < 20; i++)
        {
            var digest = Digest(i);
            Assert.Equal(1, _aws.CountRequests("ecr", "DescribeImageScanFindings", r => r.Parameter("imageId.imageDigest") == digest));
        }

        Assert.Equal(0, _aws.CountRequests("ecr", "DescribeImages"));   // every tag's digest came from a pod's imageID
        Assert.Equal(4, _aws.CountRequests("ecr", "DescribeRepositories"));

        var before = _aws.Requests.Count;
        snapshot.Aws = await collector.CollectAsync(policy, snapshot, CancellationToken.None);
        Assert.Equal(before, _aws.Requests.Count);
        Assert.Equal(Results(evaluation), Results(new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot)));

        // The verdicts follow the seeded findings: i % 4 criticals (max 0), one ignored HIGH; repository 3 does not scan on push.
        string ResultOf(int pod, string rule) => evaluation.Resources.Single(r => r.Resource.Name == $"pod-{pod}").Findings.Single(f => f.Rule.Id == rule).Result.ToString();
        Assert.Equal("Pass", ResultOf(0, "image.vulnerabilities"));
        Assert.Equal("Fail", ResultOf(1, "image.vulnerabilities"));
        Assert.Equal("Pass", ResultOf(0, "image.scanned"));
        Assert.Equal("Fail", ResultOf(3, "image.scan-on-push"));
        Assert.Equal("Pass", ResultOf(2, "image.scan-on-push"));

        // Admission sees the same scans from the cache alone (no request is made), by digest and by a resolved tag.
        var requests = _aws.Requests.Count;
        var images = new EcrImageFacts(collector);
        var byDigest = images.Lookup(ImageReference.TryParse($"{Registry}/shop/app-3@{Digest(3)}", out _)!.Location);
        Assert.True(byDigest.IsKnown);
        Assert.Equal(3, byDigest.Counts[Severity.Critical]);
        Assert.False(images.Lookup(ImageReference.TryParse($"{Registry}/shop/app-0:never-seen", out _)!.Location).IsKnown);
        Assert.False(images.Lookup(ImageReference.TryParse("nginx:1.25", out _)!.Location).IsKnown);
        Assert.Equal(requests, _aws.Requests.Count);
    }

    [Fact]
    public async Task Tags_without_a_running_digest_are_resolved_in_one_batched_DescribeImages_per_repository()
    {
        SeedImages(DateTimeOffset.UtcNow.AddHours(-1));
        var pods = Enumerable.Range(0, 20).Select(i => (object)new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = $"tagged-{i}", NamespaceProperty = "shop" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = $"{Registry}/shop/app-{i % 4}:1.{i}" }] },
        }).ToList();
        var (policy, snapshot) = Setup(pods);
        snapshot.Aws = await Collector().CollectAsync(policy, snapshot, CancellationToken.None);
        Assert.Equal(4, _aws.CountRequests("ecr", "DescribeImages"));
        Assert.All(snapshot.Aws.Images.Values, i => Assert.Equal("ECR tag lookup", i.DigestSource));
        Assert.Equal(20, _aws.CountRequests("ecr", "DescribeImageScanFindings"));
    }

    [Fact]
    public async Task Throttling_on_every_third_call_still_ends_with_the_same_results()
    {
        SeedImages(DateTimeOffset.UtcNow.AddHours(-1));
        var (policy, snapshot) = Setup(Pods());
        snapshot.Aws = await Collector().CollectAsync(policy, snapshot, CancellationToken.None);
        var expected = Results(new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot));

        var throttle = _aws.Faults.Throttle(null, everyNth: 3);
        var (_, again) = Setup(Pods());
        again.Aws = await Collector().CollectAsync(policy, again, CancellationToken.None);
        var evaluation = new PolicyEvaluator(TimeProvider.System).Evaluate(policy, again);
        Assert.True(throttle.Hits > 0, "throttling was injected");
        Assert.Empty(evaluation.AwsErrors!);
        Assert.Equal(expected, Results(evaluation));
    }

    [Fact]
    public async Task Images_outside_ECR_and_old_or_missing_scans_are_errors_or_fails_never_passes()
    {
        SeedImages(DateTimeOffset.UtcNow.AddDays(-30));
        _aws.Ecr.AddImage(new StubImage { Repository = "shop/unscanned", Digest = Digest(99), Tags = ["1"], Scan = null });
        var objects = new List<object>
        {
            Pod("dockerhub", "nginx:1.25"),
            Pod("old-scan", $"{Registry}/shop/app-0@{Digest(0)}"),
            Pod("never", $"{Registry}/shop/unscanned@{Digest(99)}"),
            Pod("missing-tag", $"{Registry}/shop/app-0:9.9"),
        };
        var (policy, snapshot) = Setup(objects);
        snapshot.Aws = await Collector().CollectAsync(policy, snapshot, CancellationToken.None);
        var evaluation = new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot);

        FindingResult Result(string pod, string rule) => evaluation.Resources.Single(r => r.Resource.Name == pod).Findings.Single(f => f.Rule.Id == rule).Result;
        Assert.Equal(FindingResult.Error, Result("dockerhub", "image.scanned"));
        Assert.Contains("not an Amazon ECR registry", evaluation.Resources.Single(r => r.Resource.Name == "dockerhub").Findings[0].Message);
        Assert.Equal(FindingResult.Fail, Result("old-scan", "image.scanned"));
        Assert.Equal(FindingResult.Fail, Result("never", "image.scanned"));
        Assert.Equal(FindingResult.Error, Result("never", "image.vulnerabilities"));
        Assert.Equal(FindingResult.Error, Result("missing-tag", "image.scanned"));
    }

    [Fact]
    public async Task AccessDenied_on_ECR_gives_error_findings_and_AwsReachable_False_while_other_rules_still_run()
    {
        SeedImages(DateTimeOffset.UtcNow.AddHours(-1));
        _aws.Faults.DenyAccess("ecr");
        var policy = TestPolicy(Policy + "\nirsa: {disallowDefaultServiceAccount: true}");
        var snapshot = ClusterSnapshot.FromObjects(Pods());
        snapshot.Aws = await Collector().CollectAsync(policy, snapshot, CancellationToken.None);
        var evaluation = new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot);

        var findings = evaluation.Resources.SelectMany(r => r.Findings).ToList();
        Assert.All(findings.Where(f => f.Rule.RequiresAws), f => Assert.Equal(FindingResult.Error, f.Result));
        Assert.Contains(findings, f => f.Rule.Id == "irsa.dedicated-service-account" && f.Result == FindingResult.Fail);
        var status = ComplianceStatus.FromEvaluation(policy, evaluation, null, DateTimeOffset.UtcNow, 50);
        var reachable = status.Conditions!.Single(c => c.Type == ComplianceStatus.AwsReachable);
        Assert.Equal("False", reachable.Status);
        Assert.Contains("ecr: AccessDenied", reachable.Message);
    }

    private static V1Pod Pod(string name, string image) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
    };
}
