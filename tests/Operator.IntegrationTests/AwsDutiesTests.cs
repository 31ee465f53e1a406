using EksHardening.Operator.Testing.Kubernetes;
using EksHardening.Operator.Aws;
using StubAccessEntry = EksHardening.AwsStub.Eks.EksAccessEntry;
using StubAccessPolicy = EksHardening.AwsStub.Eks.EksAccessPolicy;
using StubAddon = EksHardening.AwsStub.Eks.EksAddon;
using StubAddonCompatibility = EksHardening.AwsStub.Eks.EksAddonCompatibility;
using StubAddonVersion = EksHardening.AwsStub.Eks.EksAddonVersion;
using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
using StubClusterVersion = EksHardening.AwsStub.Eks.EksClusterVersion;
using StubDetector = EksHardening.AwsStub.GuardDuty.GuardDutyDetector;
using StubFeature = EksHardening.AwsStub.GuardDuty.GuardDutyFeature;
using StubGroup = EksHardening.AwsStub.Ec2.Ec2SecurityGroup;
using StubImage = EksHardening.AwsStub.Ec2.Ec2Image;
using StubInstance = EksHardening.AwsStub.Ec2.Ec2Instance;
using StubNodegroup = EksHardening.AwsStub.Eks.EksNodegroup;
using StubPermission = EksHardening.AwsStub.Ec2.Ec2IpPermission;
using StubTrail = EksHardening.AwsStub.CloudTrail.CloudTrailTrail;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The AWS side of the customer's rows (issue 15) end to end: the operator against the API emulator and the AWS stub, for
/// a cluster whose nodes, node groups, security groups, add-ons, access entries, GuardDuty and CloudTrail each carry one
/// fault; then every fault fixed in AWS. Status, metrics and the AWS call counts are checked against the rule engine
/// and the stub's request log.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class AwsDutiesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Release = "1.31.5-20251101";
    private const string OldRelease = "1.31.0-20240101";
    private AwsEndpointStub _aws = null!;

    /// <summary>us-east-1 too: the organization's multi-region trail is homed there, and its status is asked there.</summary>
    public async Task InitializeAsync()
    {
        var options = new AwsStubOptions();
        options.AdditionalRegions.Add("us-east-1");
        _aws = await AwsEndpointStub.StartNewAsync(options);
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    private string Admin(string role) => $"arn:aws:iam::{_aws.AccountId}:role/{role}";

    private string PolicyYaml(string interval) => $$"""
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: aws-duties}
        spec:
          evaluationInterval: {{interval}}
          nodes: {requireImdsV2: true, maxAmiAge: 2160h, requireRecommendedAmi: true}
          cluster:
            name: prod
            region: {{_aws.Region}}
            requireSupportedVersion: true
            requireCurrentAddons: true
            requireThreatDetection: [EKS_AUDIT_LOGS, RUNTIME_MONITORING]
            requireAuditTrail: true
            restrictClusterAdmins: true
            allowedAdminPrincipals: ["{{Admin("platform-admins")}}"]
            disallowOpenSecurityGroups: true
            allowedPublicPorts: [443]
        """;

    /// <summary>
    /// Seeds AWS with <paramref name="nodes"/> instances in three node groups — ng-old on an AMI of 400 days and an old
    /// release, ng-v1 accepting IMDSv1, ng-ssh with SSH open to the internet — and one fault in every other duty.
    /// Returns the Kubernetes Nodes.
    /// </summary>
    private List<V1Node> SeedFaultyAccount(int nodes)
    {
        var now = DateTimeOffset.UtcNow;
        _aws.Eks.AddCluster(new StubCluster { Name = "prod", Version = "1.31", ClusterSecurityGroupId = "sg-0c1a5000000000001", BootstrapClusterCreatorAdminPermissions = true });
        _aws.Eks.AddClusterVersion(new StubClusterVersion { Version = "1.31", VersionStatus = "STANDARD_SUPPORT", EndOfStandardSupportDate = now.AddDays(200), EndOfExtendedSupportDate = now.AddDays(565) });
        _aws.Eks.AddAddon(new StubAddon { ClusterName = "prod", Name = "vpc-cni", Version = "v1.18.0-eksbuild.1" });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "vpc-cni", Version = "v1.19.0-eksbuild.1", Compatibilities = [new StubAddonCompatibility("1.31", DefaultVersion: true)] });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "vpc-cni", Version = "v1.18.0-eksbuild.1", Compatibilities = [new StubAddonCompatibility("1.31")] });
        _aws.Eks.AddAccessEntry(new StubAccessEntry { ClusterName = "prod", PrincipalArn = Admin("platform-admins"), Policies = [new StubAccessPolicy(StubAccessEntry.ClusterAdminPolicy)] });
        _aws.Eks.AddAccessEntry(new StubAccessEntry { ClusterName = "prod", PrincipalArn = Admin("ci-deployer"), Policies = [new StubAccessPolicy(StubAccessEntry.ClusterAdminPolicy)] });
        _aws.GuardDuty.AddDetector(new StubDetector
        {
            Features = [new StubFeature("EKS_AUDIT_LOGS"), new StubFeature("RUNTIME_MONITORING", "DISABLED", new Dictionary<string, string> { ["EKS_ADDON_MANAGEMENT"] = "DISABLED" })],
        });
        _aws.Ssm.PutParameter($"/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version", Release);
        var oldImage = _aws.Ec2.AddImage(new StubImage { ImageId = "ami-0000000000000001a", CreationDate = now.AddDays(-400) });
        var newImage = _aws.Ec2.AddImage(new StubImage { ImageId = "ami-0000000000000002b", CreationDate = now.AddDays(-10) });
        _aws.Ec2.AddSecurityGroup(new StubGroup { GroupId = "sg-0c1a5000000000001", GroupName = "eks-cluster-sg-prod" });
        _aws.Ec2.AddSecurityGroup(new StubGroup { GroupId = "sg-0d0de000000000001", GroupName = "nodes", Ingress = [new StubPermission { Protocol = "tcp", FromPort = 443, ToPort = 443, Ipv4Ranges = ["0.0.0.0/0"] }] });
        _aws.Ec2.AddSecurityGroup(new StubGroup { GroupId = "sg-055h000000000001", GroupName = "ssh", Ingress = [new StubPermission { Protocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = ["0.0.0.0/0"] }] });
        string[] groups = ["ng-old", "ng-v1", "ng-ssh"];
        foreach (var group in groups)
        {
            _aws.Eks.AddNodegroup(new StubNodegroup { ClusterName = "prod", Name = group, Version = "1.31", ReleaseVersion = group == "ng-old" ? OldRelease : Release });
        }

        var result = new List<V1Node>(nodes);
        for (var i = 0; i < nodes; i++)
        {
            var group = groups[i % 3];
            var instance = _aws.Ec2.AddInstance(new StubInstance
            {
                InstanceId = $"i-{i + 1:x17}",
                ImageId = group == "ng-old" ? oldImage.ImageId! : newImage.ImageId!,
                HttpTokens = group == "ng-v1" ? "optional" : "required",
                SecurityGroupIds = group == "ng-ssh" ? ["sg-0d0de000000000001", "sg-055h000000000001"] : ["sg-0d0de000000000001"],
            });
            result.Add(new V1Node
            {
                ApiVersion = "v1", Kind = "Node",
                Metadata = new() { Name = $"ip-10-0-{i / 250}-{i % 250}.{_aws.Region}.compute.internal", Labels = new Dictionary<string, string> { ["eks.amazonaws.com/nodegroup"] = group } },
                Spec = new V1NodeSpec { ProviderID = $"aws:///{_aws.Region}a/{instance.InstanceId}" },
                Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.31.5-eks-1234567" } },
            });
        }

        return result;
    }

    /// <summary>Every fault of <see cref="SeedFaultyAccount"/> fixed in AWS.</summary>
    private void FixAccount()
    {
        foreach (var instance in _aws.Ec2.Instances)
        {
            _aws.Ec2.AddInstance(instance with { HttpTokens = "required", ImageId = "ami-0000000000000002b", SecurityGroupIds = ["sg-0d0de000000000001"] });
        }

        _aws.Eks.AddNodegroup(new StubNodegroup { ClusterName = "prod", Name = "ng-old", Version = "1.31", ReleaseVersion = Release });
        _aws.Eks.AddAddon(new StubAddon { ClusterName = "prod", Name = "vpc-cni", Version = "v1.19.0-eksbuild.1" });
        _aws.Eks.RemoveAccessEntry("prod", Admin("ci-deployer"));
        var detector = Assert.Single(_aws.GuardDuty.Detectors);
        _aws.GuardDuty.AddDetector(detector with
        {
            Features = [new StubFeature("EKS_AUDIT_LOGS"), new StubFeature("RUNTIME_MONITORING", "ENABLED", new Dictionary<string, string> { ["EKS_ADDON_MANAGEMENT"] = "ENABLED" })],
        });
        _aws.CloudTrail.AddTrail(new StubTrail { Name = "org-trail", HomeRegion = "us-east-1", IsMultiRegionTrail = true });
    }

    private AwsFactCollector Collector(AwsClients clients) =>
        new(clients.Ecr, clients.Eks, clients.Iam, clients.Kms, clients.GuardDuty, clients.CloudTrail, clients.Ec2, clients.Ssm, TimeProvider.System,
            new AwsFactCollectorOptions { DefaultRegion = _aws.Region });

    private AwsClients Clients()
    {
        var env = _aws.EnvironmentVariables();
        return new AwsClients(new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k) },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
    }

    /// <summary>The facts the rule engine judges with, learned from the same stub the operator asks.</summary>
    private async Task<AwsFacts> FactsAsync(OperatorTestbed bed)
    {
        using var clients = Clients();
        var snapshot = ClusterSnapshot.FromObjects(bed.CurrentObjects());
        return await Collector(clients).CollectAsync(bed.Policy("aws-duties")!, snapshot, CancellationToken.None);
    }

    [Fact]
    public async Task A_cluster_with_a_fault_in_each_aws_duty_converges_to_the_rule_engine_and_clears_when_fixed()
    {
        var env = _aws.EnvironmentVariables().ToDictionary(p => p.Key, p => (string?)p.Value);
        env["AWS_PROFILE"] = null;
        using var environment = new ProcessEnvironment(env);
        var nodes = SeedFaultyAccount(20);
        await using var bed = await OperatorTestbed.StartAsync();
        bed.Emulator.SeedMany(nodes);
        await bed.CreatePolicyAsync(PolicyYaml("4s"));
        // The PolicyReport CRDs served, so the reports are written too.
        var reportCrds = await File.ReadAllTextAsync(RepositoryPaths.Of("tests", "Fixtures", "wgpolicyk8s.io_v1alpha2.yaml"));
        foreach (var crd in Crds.Read(reportCrds))
        {
            await bed.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }

        var app = await bed.StartOperatorAsync();
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };

        var facts = await FactsAsync(bed);
        await bed.ConvergedAsync("aws-duties", TimeSpan.FromSeconds(60), facts);
        var status = bed.Policy("aws-duties")!.Status;
        var failing = status.Violations!.Select(v => v.Rule).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["node.ami-age", "node.ami-recommended", "node.imdsv2-required"],
            failing);
        var cluster = status.ClusterFindings!.ToDictionary(f => f.Rule, f => f);
        Assert.Equal(FindingResult.Pass, cluster["cluster.version-supported"].Result);
        foreach (var rule in new[] { "cluster.addons-current", "cluster.threat-detection", "cluster.audit-trail", "cluster.access-entries", "network.security-groups-open" })
        {
            Assert.True(cluster[rule].Result == FindingResult.Fail, $"{rule}: {cluster[rule].Result} {cluster[rule].Message}");
        }

        Assert.Contains("sg-055h000000000001 (ssh", cluster["network.security-groups-open"].Message, StringComparison.Ordinal);
        Assert.Contains(Admin("ci-deployer"), cluster["cluster.access-entries"].Message, StringComparison.Ordinal);
        Assert.Equal(7 + 7, status.Summary!.Violating);   // 7 old, 7 IMDSv1 Nodes; the 6 ssh Nodes pass the node rules
        var metrics = await MetricsEndpointTests.ScrapeAsync(http);
        Assert.Equal(status.TotalViolations, (int)metrics.Sum("eks_hardening_violations", ("policy", "aws-duties")));
        // Nodes are cluster-scoped and the cluster's findings are the cluster's: the ClusterPolicyReport holds every fail.
        await Eventually.True(() => bed.Emulator.List<ClusterPolicyReport>().SingleOrDefault()?.Summary.Fail == status.TotalViolations,
            "the ClusterPolicyReport counts the status's violations");
        var report = Assert.Single(bed.Emulator.List<ClusterPolicyReport>());
        Assert.Contains(report.Results, r => r.Policy == "aws-duties" && r.Rule == "network.security-groups-open" && r.Result == PolicyReportOutcome.Fail);

        // One interval's calls: a batch of instances, one of images, one of groups, one DescribeCluster.
        _aws.ClearRequests();
        await Task.Delay(TimeSpan.FromSeconds(9));
        foreach (var operation in new[] { "DescribeInstances", "DescribeImages", "DescribeSecurityGroups" })
        {
            var calls = _aws.CountRequests("ec2", operation);
            Assert.True(calls is >= 1 and <= 3, $"{operation}: {calls} calls in 9 s at a 4 s interval");
        }

        Assert.InRange(_aws.CountRequests("eks", "DescribeCluster"), 1, 3);

        FixAccount();
        await Eventually.True(() => bed.Policy("aws-duties")?.Status?.TotalViolations == 0, "every fault fixed in AWS clears at the next evaluation", TimeSpan.FromSeconds(30));
        status = bed.Policy("aws-duties")!.Status;
        Assert.All(status.ClusterFindings!, f => Assert.True(f.Result == FindingResult.Pass, $"{f.Rule}: {f.Result} {f.Message}"));
        await bed.ConvergedAsync("aws-duties", TimeSpan.FromSeconds(30), await FactsAsync(bed));
    }

    /// <summary>The AWS calls of one evaluation interval, reported for the issue (300 nodes: batches, not one call per node).</summary>
    [Theory]
    [InlineData(20)]
    [InlineData(300)]
    public async Task Aws_calls_per_interval_are_batched(int nodeCount)
    {
        var nodes = SeedFaultyAccount(nodeCount);
        await using var bed = await OperatorTestbed.StartAsync();
        bed.Emulator.SeedMany(nodes);
        await bed.CreatePolicyAsync(PolicyYaml("10m"));
        using var clients = Clients();
        var collector = Collector(clients);
        var snapshot = ClusterSnapshot.FromObjects(bed.CurrentObjects());
        _aws.ClearRequests();
        await collector.CollectAsync(bed.Policy("aws-duties")!, snapshot, CancellationToken.None);
        var first = _aws.Requests.GroupBy(r => $"{r.Service}:{r.Operation}").ToDictionary(g => g.Key, g => g.Count());
        _aws.ClearRequests();
        await collector.CollectAsync(bed.Policy("aws-duties")!, snapshot, CancellationToken.None);
        output.WriteLine($"{nodeCount} nodes, first evaluation: {string.Join(", ", first.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}; again within the TTL: {_aws.Requests.Count} calls");

        Assert.Equal((nodeCount + 199) / 200, first["ec2:DescribeInstances"]);   // 200 ids per filter
        Assert.Equal(1, first["ec2:DescribeImages"]);
        Assert.Equal(1, first["ec2:DescribeSecurityGroups"]);
        Assert.Equal(1, first["eks:DescribeCluster"]);
        Assert.Equal(3, first["eks:DescribeNodegroup"]);
        Assert.Equal(1, first["ssm:GetParameter"]);
        Assert.Empty(_aws.Requests);
    }

    [Fact]
    public async Task Scan_with_aws_judges_the_instances_of_the_Nodes_in_its_inputs()
    {
        var nodes = SeedFaultyAccount(3);
        using var json = await ScanWithAws.RunAsync(_aws, string.Join("\n---\n", [PolicyYaml("10m"), .. nodes.Select(n => k8s.KubernetesYaml.Serialize(n))]));
        var policy = json.RootElement.GetProperty("policies")[0];
        string Result(string node, string rule) => policy.GetProperty("resources").EnumerateArray()
            .Single(r => r.GetProperty("kind").GetString() == "Node" && r.GetProperty("name").GetString() == node)
            .GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == rule).GetProperty("result").GetString()!;
        string Name(int i) => nodes[i].Metadata.Name;
        // Node 0 in ng-old, node 1 in ng-v1 (IMDSv1), node 2 in ng-ssh.
        Assert.Equal("fail", Result(Name(0), "node.ami-age"));
        Assert.Equal("fail", Result(Name(0), "node.ami-recommended"));
        Assert.Equal("pass", Result(Name(0), "node.imdsv2-required"));
        Assert.Equal("fail", Result(Name(1), "node.imdsv2-required"));
        Assert.Equal("pass", Result(Name(2), "node.imdsv2-required"));
        var cluster = policy.GetProperty("clusterFindings").EnumerateArray().ToList();
        Assert.Contains(cluster, f => f.GetProperty("rule").GetString() == "network.security-groups-open" && f.GetProperty("result").GetString() == "fail");
        Assert.Equal(1, _aws.CountRequests("ec2", "DescribeInstances"));
        }
}
