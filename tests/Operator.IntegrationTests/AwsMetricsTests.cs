using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
using StubRepository = EksHardening.AwsStub.Ecr.EcrRepository;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>The operator's AWS calls on /metrics, counted by service, operation and outcome, against the AWS stub's request log.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class AwsMetricsTests : IAsyncLifetime
{
    private AwsEndpointStub _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsEndpointStub.StartNewAsync();

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    [Fact]
    public async Task Aws_calls_are_counted_by_outcome_with_their_retries_and_every_attempt_reached_aws()
    {
        var env = _aws.EnvironmentVariables().ToDictionary(p => p.Key, p => (string?)p.Value);
        env["AWS_PROFILE"] = null;
        using var environment = new ProcessEnvironment(env);
        var registry = $"{_aws.AccountId}.dkr.ecr.{_aws.Region}.amazonaws.com";
        _aws.Ecr.AddRepository(new StubRepository { Name = "shop/web", ScanOnPush = true });
        _aws.Eks.AddCluster(new StubCluster { Name = "prod" });
        // The repository lookup is throttled through all three attempts once, then answered; IAM refuses outright.
        _aws.Faults.Throttle("ecr", "DescribeRepositories", times: 3);
        _aws.Faults.DenyAccess("iam");

        await using var bed = await OperatorTestbed.StartAsync();
        bed.Emulator.SeedMany(
        [
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = "shop" } },
            new V1ServiceAccount
            {
                ApiVersion = "v1", Kind = "ServiceAccount",
                Metadata = new() { Name = "web", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { ["eks.amazonaws.com/role-arn"] = $"arn:aws:iam::{_aws.AccountId}:role/web" } },
            },
            new V1Pod
            {
                ApiVersion = "v1", Kind = "Pod",
                Metadata = new() { Name = "web", NamespaceProperty = "shop" },
                Spec = new V1PodSpec { ServiceAccountName = "web", Containers = [new V1Container { Name = "web", Image = $"{registry}/shop/web:1.0" }] },
            },
        ]);
        await bed.CreatePolicyAsync($$"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: aws}
            spec:
              imageScanning: {requireScanOnPush: true}
              irsa: {requireScopedTrustPolicy: true}
              cluster: {name: prod, region: {{_aws.Region}}, requireSecretsEncryption: true}
            """);
        var app = await bed.StartOperatorAsync();
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };
        await Eventually.True(() => bed.Policy("aws")?.Status?.Conditions?.Any(c => c.Type == ComplianceStatus.AwsReachable && c.Message?.StartsWith("iam: AccessDenied", StringComparison.Ordinal) == true) == true,
            "the IAM denial reaches the status", TimeSpan.FromSeconds(60));

        // Every HTTP attempt the stub answered is one finished call or one retry in the operator's counts.
        PrometheusExposition metrics = null!;
        var mismatch = "";
        await Eventually.True(async () =>
        {
            metrics = await MetricsEndpointTests.ScrapeAsync(http);
            mismatch = string.Join("; ", AttemptsThatDiffer(metrics));
            return mismatch.Length == 0;
        }, $"every attempt is counted ({mismatch})");

        const string calls = "eks_hardening_aws_calls_total", retries = "eks_hardening_aws_retries_total";
        Assert.Equal(1, metrics.Value(calls, ("service", "ecr"), ("operation", "DescribeRepositories"), ("outcome", "throttled")));
        Assert.Equal(2, metrics.Value(retries, ("service", "ecr"), ("operation", "DescribeRepositories"), ("reason", "throttled")));
        Assert.Equal(1, metrics.Value(calls, ("service", "ecr"), ("operation", "DescribeRepositories"), ("outcome", "success")));
        Assert.Equal(1, metrics.Value(calls, ("service", "eks"), ("operation", "DescribeCluster"), ("outcome", "success")));
        Assert.True(metrics.Sum(calls, ("service", "iam"), ("outcome", "access_denied")) >= 1, "IAM's refusal is counted");
        Assert.Equal(0, metrics.Sum(calls, ("service", "iam"), ("outcome", "success")));

        Assert.Equal(1, metrics.Value("eks_hardening_cache_misses_total", ("cache", "aws_ecr_repositories")));
        Assert.Equal(0, metrics.Value("eks_hardening_cache_hits_total", ("cache", "aws_ecr_repositories")));

        // A second workload on the same image: the policy is evaluated again from the fact caches, without asking AWS.
        var answered = _aws.Requests.Count;
        var resources = bed.Policy("aws")!.Status.Summary!.Resources;
        bed.Emulator.Seed(new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new() { Name = "web-2", NamespaceProperty = "shop" },
            Spec = new V1PodSpec { ServiceAccountName = "web", Containers = [new V1Container { Name = "web", Image = $"{registry}/shop/web:1.0" }] },
        });
        // Writes are at most one a second per policy, so the first reconcile after the change may only be deferred:
        // wait for the status that counts the new pod.
        await Eventually.True(() => bed.Policy("aws")?.Status?.Summary?.Resources == resources + 1, "the policy is evaluated again");
        metrics = await MetricsEndpointTests.ScrapeAsync(http);
        Assert.Equal(answered, _aws.Requests.Count);
        Assert.Equal(1, metrics.Value("eks_hardening_cache_hits_total", ("cache", "aws_ecr_repositories")));
        Assert.Equal(1, metrics.Value("eks_hardening_cache_misses_total", ("cache", "aws_ecr_repositories")));
        Assert.Equal(0.5, metrics.Value("eks_hardening_cache_hit_ratio", ("cache", "aws_ecr_repositories")));
        Assert.True(metrics.Value("eks_hardening_cache_hits_total", ("cache", "aws_eks_clusters")) >= 1);
    }

    /// <summary>For ECR, EKS and IAM (our own HTTP client), calls plus retries of each operation against the stub's log.</summary>
    private IEnumerable<string> AttemptsThatDiffer(PrometheusExposition metrics)
    {
        var operations = _aws.Requests.Where(r => r.Service is "ecr" or "eks" or "iam").Select(r => (r.Service, r.Operation)).Distinct();
        foreach (var (service, operation) in operations)
        {
            var counted = metrics.Sum("eks_hardening_aws_calls_total", ("service", service), ("operation", operation))
                + metrics.Sum("eks_hardening_aws_retries_total", ("service", service), ("operation", operation));
            var answered = _aws.CountRequests(service, operation);
            if (counted != answered) yield return $"{service} {operation}: counted {counted}, stub answered {answered}";
        }

        if (!operations.Any()) yield return "no AWS call yet";
    }
}
