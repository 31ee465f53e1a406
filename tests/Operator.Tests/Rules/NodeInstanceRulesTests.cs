namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// The rules judged on the EC2 instance behind a Node (<c>node.imdsv2-required</c>, <c>node.ami-age</c>,
/// <c>node.ami-recommended</c>) and on the security groups of the cluster and its instances
/// (<c>network.security-groups-open</c>), over hand-made EC2, EKS and SSM facts. Evaluated at 2026-11-28T12:00Z.
/// </summary>
public sealed class NodeInstanceRulesTests
{
    private const string ImdsId = "node.imdsv2-required";
    private const string AmiAgeId = "node.ami-age";
    private const string RecommendedId = "node.ami-recommended";
    private const string GroupsId = "network.security-groups-open";
    private const string InstanceId = "i-0a1b2c3d4e5f60001";
    private const string Recommended = "1.31.5-20251101";

    private const string Imds = "nodes: {requireImdsV2: true, allowHopLimit2: {matchLabels: {eks.amazonaws.com/nodegroup: host-net}}}";
    private const string AmiAge = "nodes: {maxAmiAge: 2160h}";
    private const string Release = "nodes: {requireRecommendedAmi: true}";
    private const string Groups = "cluster: {name: prod, disallowOpenSecurityGroups: true, allowedPublicPorts: [443]}";

    private static readonly FactError Denied = new("ec2", "DescribeInstances", "AccessDenied", "not allowed");

    /// <summary>One Node (n1, node group <paramref name="Group"/>) and what AWS says of its instance, AMI, node group and groups.</summary>
    public sealed record Shape(
        string Group = "general",
        string? ProviderId = $"aws:///eu-west-1a/{InstanceId}",
        string? HttpTokens = "required",
        int? HopLimit = 1,
        string HttpEndpoint = "enabled",
        bool InstanceKnown = true,
        FactError? InstancesError = null,
        int? AmiAgeDays = 30,
        bool ImageKnown = true,
        string? AmiType = "AL2023_x86_64_STANDARD",
        string? ReleaseVersion = Recommended,
        string? RecommendedRelease = Recommended,
        FactError? ParameterError = null,
        Ec2IngressRule[]? Ingress = null,
        FactError? GroupsError = null)
    {
        public string Objects => $$$"""
            apiVersion: v1
            kind: Node
            metadata: {name: n1, labels: {eks.amazonaws.com/nodegroup: {{{Group}}}}}
            spec: {{{SpecYaml}}}
            """;

        private string SpecYaml => ProviderId is null ? "{}" : "{providerID: \"" + ProviderId + "\"}";

        public AwsFacts ToFacts()
        {
            var instance = new Ec2Instance(InstanceId, "ami-0abc", HttpTokens, HopLimit, HttpEndpoint, ["sg-0nodes"], "running");
            var image = new Ec2Image("ami-0abc", "amazon-eks-node-al2023-x86_64-standard-1.31-v20251101", "602401143452",
                AmiAgeDays is { } days ? TestEvaluation.Now.AddDays(-days) : null);
            var nodegroup = new EksNodegroup(Group, AmiType, ReleaseVersion, "1.31", "ACTIVE", null, null, []);
            var parameter = AmiType is "AL2023_x86_64_STANDARD" ? "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version" : null;
            var cluster = new EksCluster("prod", "arn:aws:eks:eu-west-1:111122223333:cluster/prod", "1.31", "ACTIVE", [], [], false, true, [], null)
            {
                ClusterSecurityGroupId = "sg-0cluster",
            };
            return new AwsFacts
            {
                Cluster = new ClusterFacts { Name = "prod", Region = "eu-west-1", Cluster = cluster },
                Nodes = new NodeFacts
                {
                    Instances = InstanceKnown && InstancesError is null ? new Dictionary<string, Ec2Instance> { [InstanceId] = instance } : new Dictionary<string, Ec2Instance>(),
                    InstancesError = InstancesError,
                    Images = ImageKnown ? new Dictionary<string, Ec2Image> { ["ami-0abc"] = image } : new Dictionary<string, Ec2Image>(),
                    SecurityGroups = GroupsError is null
                        ? new Dictionary<string, Ec2SecurityGroup>
                        {
                            ["sg-0cluster"] = new("sg-0cluster", "eks-cluster-sg-prod", "vpc-1", []),
                            ["sg-0nodes"] = new("sg-0nodes", "nodes", "vpc-1", Ingress ?? [Rule("tcp", 443, 443, ["0.0.0.0/0"])]),
                        }
                        : new Dictionary<string, Ec2SecurityGroup>(),
                    SecurityGroupRoles = new Dictionary<string, string> { ["sg-0cluster"] = "cluster security group", ["sg-0nodes"] = "on the instance of Node n1" },
                    SecurityGroupsError = GroupsError,
                    Nodegroups = new Dictionary<string, NodegroupFacts>
                    {
                        [Group] = new(Group, nodegroup, null, parameter, ParameterError is null ? RecommendedRelease : null, ParameterError),
                    },
                },
            };
        }
    }

    private static Ec2IngressRule Rule(string protocol, int? from, int? to, string[]? ipv4 = null, string[]? ipv6 = null, string[]? prefixLists = null, string[]? groups = null) =>
        new(protocol, from, to, ipv4 ?? [], ipv6 ?? [], prefixLists ?? [], groups ?? []);

    public sealed record InstanceCase(string Name, string Policy, string Rule, FindingResult Expected, Shape Facts, params string[] Says)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private static InstanceCase Case(string name, string policy, string rule, FindingResult expected, Shape facts, params string[] says) => new(name, policy, rule, expected, facts, says);

    public static TheoryData<TheoryCase<InstanceCase>> Cases() => TheoryCases.Of<InstanceCase>(
    [
        // node.imdsv2-required — tokens required, hop limit 1 (2 where allowHopLimit2 selects the Node).
        Case("passes with required tokens and a hop limit of 1", Imds, ImdsId, FindingResult.Pass, new()),
        Case("passes a hop limit of 2 where allowHopLimit2 selects the Node", Imds, ImdsId, FindingResult.Pass, new(Group: "host-net", HopLimit: 2)),
        Case("passes with the metadata endpoint disabled", Imds, ImdsId, FindingResult.Pass, new(HttpTokens: "optional", HttpEndpoint: "disabled")),
        Case("fails with optional tokens (IMDSv1)", Imds, ImdsId, FindingResult.Fail, new(HttpTokens: "optional"),
            $"instance {InstanceId} of Node n1 accepts IMDSv1 (HttpTokens optional)"),
        Case("fails a hop limit of 2 on a Node allowHopLimit2 does not select", Imds, ImdsId, FindingResult.Fail, new(HopLimit: 2),
            "has a metadata hop limit of 2 (at most 1: pods are one hop further than the node)"),
        Case("fails a hop limit of 3 even where 2 is allowed", Imds, ImdsId, FindingResult.Fail, new(Group: "host-net", HopLimit: 3), "hop limit of 3 (at most 2"),
        Case("errors for an instance EC2 no longer knows (terminated)", Imds, ImdsId, FindingResult.Error, new(InstanceKnown: false),
            $"instance {InstanceId} of Node n1 is not known to EC2"),
        Case("errors for a Node without an EC2 instance", Imds, ImdsId, FindingResult.Error, new(ProviderId: "kind://docker/kind/kind-worker"), "names no EC2 instance"),
        Case("errors when DescribeInstances is denied", Imds, ImdsId, FindingResult.Error, new(InstancesError: Denied), "could not be described: ec2 DescribeInstances: AccessDenied"),

        // node.ami-age — the AMI's CreationDate against maxAmiAge.
        Case("passes a recent AMI", AmiAge, AmiAgeId, FindingResult.Pass, new()),
        Case("fails an AMI older than maxAmiAge", AmiAge, AmiAgeId, FindingResult.Fail, new(AmiAgeDays: 400),
            "Node n1 runs AMI ami-0abc (amazon-eks-node-al2023-x86_64-standard-1.31-v20251101) created 2025-10-24, 400d0h ago, older than maxAmiAge 2160h"),
        Case("fails an AMI a day past maxAmiAge", AmiAge, AmiAgeId, FindingResult.Fail, new(AmiAgeDays: 91), "older than maxAmiAge 2160h"),
        Case("errors for an AMI EC2 does not know", AmiAge, AmiAgeId, FindingResult.Error, new(ImageKnown: false), "AMI ami-0abc of Node n1 is not known to EC2"),
        Case("errors for an AMI without a CreationDate", AmiAge, AmiAgeId, FindingResult.Error, new(AmiAgeDays: null), "reports no CreationDate"),

        // node.ami-recommended — the node group's release against the public SSM parameter.
        Case("passes the recommended release", Release, RecommendedId, FindingResult.Pass, new()),
        Case("fails an older release", Release, RecommendedId, FindingResult.Fail, new(ReleaseVersion: "1.31.0-20240101"),
            "node group general runs release 1.31.0-20240101, not 1.31.5-20251101, which EKS recommends for AL2023_x86_64_STANDARD on Kubernetes 1.31"),
        Case("fails a newer-looking but different release", Release, RecommendedId, FindingResult.Fail, new(ReleaseVersion: "1.31.5-20251201"), "not 1.31.5-20251101"),
        Case("errors for a custom AMI", Release, RecommendedId, FindingResult.Error, new(AmiType: "CUSTOM"), "for which EKS publishes no recommended release"),
        Case("errors when the parameter does not exist", Release, RecommendedId, FindingResult.Error, new(RecommendedRelease: null), "does not exist"),
        Case("errors when GetParameter is denied", Release, RecommendedId, FindingResult.Error, new(ParameterError: Denied), "the recommended release for node group general is unknown"),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_reports_the_expected_finding_on_the_node(TheoryCase<InstanceCase> row)
    {
        var c = row.Value;
        var finding = Assert.Single(TestEvaluation.Evaluate(c.Policy, c.Facts.Objects, c.Facts.ToFacts()).FindingsOf("Node", "n1"), f => f.Rule.Id == c.Rule);
        Assert.True(finding.Result == c.Expected, $"expected {c.Expected}, got {finding.Result}: {finding.Message}");
        foreach (var part in c.Says) Assert.Contains(part, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_has_a_passing_two_failing_and_an_error_case() =>
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new NodeInstanceRules(), TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)));

    [Fact]
    public void A_node_outside_a_managed_node_group_gets_a_note_not_a_verdict_for_the_release()
    {
        var shape = new Shape();
        var objects = shape.Objects.Replace("labels: {eks.amazonaws.com/nodegroup: general}", "labels: {karpenter.sh/nodepool: default}", StringComparison.Ordinal);
        var resource = TestEvaluation.Evaluate(Release, objects, shape.ToFacts()).Resources.Single(r => r.Resource.Kind == "Node");
        Assert.DoesNotContain(resource.Findings, f => f.Rule.Id == RecommendedId);
        Assert.Contains(resource.Notes, n => n.Contains("not in an EKS managed node group", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_aws_facts_the_instance_rules_are_off_not_passed()
    {
        var evaluation = TestEvaluation.Evaluate("nodes: {requireImdsV2: true, maxAmiAge: 720h, requireRecommendedAmi: true}", new Shape().Objects, aws: null);
        Assert.DoesNotContain(evaluation.AllFindings, f => f.Rule.Id.StartsWith("node.", StringComparison.Ordinal));
    }

    public sealed record GroupCase(string Name, FindingResult Expected, Shape Facts, params string[] Says)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<TheoryCase<GroupCase>> GroupCases() => TheoryCases.Of<GroupCase>(
    [
        new("passes an allowed public port", FindingResult.Pass, new()),
        new("passes SSH from a private range", FindingResult.Pass, new(Ingress: [Rule("tcp", 22, 22, ["10.0.0.0/8"])])),
        new("passes a prefix list or another group as the source", FindingResult.Pass, new(Ingress: [Rule("tcp", 22, 22, prefixLists: ["pl-0corp"]), Rule("-1", null, null, groups: ["sg-0alb"])])),
        new("fails SSH open to the internet", FindingResult.Fail, new(Ingress: [Rule("tcp", 22, 22, ["0.0.0.0/0"])]),
            "security group sg-0nodes (nodes; on the instance of Node n1) admits TCP port 22 from 0.0.0.0/0"),
        new("fails IPv6 open to the internet", FindingResult.Fail, new(Ingress: [Rule("tcp", 3389, 3389, ipv6: ["::/0"])]), "admits TCP port 3389 from ::/0"),
        new("fails all traffic from the internet", FindingResult.Fail, new(Ingress: [Rule("-1", null, null, ["0.0.0.0/0"])]), "admits all traffic from 0.0.0.0/0"),
        new("fails a range that reaches past the allowed port", FindingResult.Fail, new(Ingress: [Rule("tcp", 443, 8443, ["0.0.0.0/0"])]),
            "TCP ports 443-8443 from 0.0.0.0/0 (port 444 is not in allowedPublicPorts)"),
        new("fails halves that together are the internet", FindingResult.Fail, new(Ingress: [Rule("udp", 53, 53, ["0.0.0.0/1", "128.0.0.0/1"])]), "every IPv4 address"),
        new("fails ICMP from the internet", FindingResult.Fail, new(Ingress: [Rule("icmp", 8, -1, ["0.0.0.0/0"])]), "protocol icmp from 0.0.0.0/0"),
        new("errors when the groups cannot be described", FindingResult.Error, new(GroupsError: Denied), "the security groups could not be described"),
        new("errors when the Node's instance is unknown", FindingResult.Error, new(InstanceKnown: false), "are not known to EC2, so their security groups are unknown"),
    ]);

    [Theory]
    [MemberData(nameof(GroupCases))]
    public void Security_groups_admit_nothing_from_the_internet_but_the_allowed_ports(TheoryCase<GroupCase> row)
    {
        var c = row.Value;
        var findings = TestEvaluation.Evaluate(Groups, c.Facts.Objects, c.Facts.ToFacts()).ClusterFindings.Where(f => f.Rule.Id == GroupsId).ToList();
        var verdict = findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail
            : findings.Any(f => f.Result == FindingResult.Error) ? FindingResult.Error
            : Assert.Single(findings).Result;
        Assert.True(verdict == c.Expected, $"expected {c.Expected}, got {string.Join("; ", findings.Select(f => $"{f.Result} {f.Message}"))}");
        foreach (var part in c.Says) Assert.Contains(findings, f => f.Message.Contains(part, StringComparison.Ordinal));
    }
}
