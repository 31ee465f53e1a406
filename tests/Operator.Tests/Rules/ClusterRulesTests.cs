namespace EksHardening.Operator.Tests.Rules;

/// <summary>The <c>cluster.*</c> rules over hand-made EKS and KMS facts (no AWS client, no stub).</summary>
public sealed class ClusterRulesTests
{
    private const string SecretsEncryptionId = "cluster.secrets-encryption";
    private const string KeyRotationId = "cluster.kms-key-rotation";
    private const string LoggingId = "cluster.control-plane-logging";
    private const string PublicEndpointId = "cluster.endpoint-public-access";
    private const string OpenCidrsId = "cluster.endpoint-open-cidrs";

    private const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private const string Encryption = "cluster: {requireSecretsEncryption: true}";
    private const string Rotation = "cluster: {requireKeyRotation: true}";
    private const string Logging = "cluster: {requiredLogTypes: [api, audit, authenticator]}";
    private const string PublicEndpoint = "cluster: {disallowPublicEndpoint: true}";
    private const string OpenCidrs = "cluster: {disallowOpenPublicCidrs: true}";

    /// <summary>
    /// What AWS said about the cluster, in plain values: DescribeCluster (or why it failed), the secrets key's rotation
    /// (or why it is unknown). <see cref="Named"/> false: no cluster name and region were known, so nothing was asked.
    /// </summary>
    public sealed record ClusterShape(
        bool Named = true,
        string? DescribeError = null,
        string[]? EncryptedResources = null,
        string? SecretsKey = KeyArn,
        bool? Rotates = true,
        string? RotationError = null,
        string[]? EnabledLogs = null,
        string[]? DisabledLogs = null,
        bool Public = false,
        string[]? Cidrs = null)
    {
        public AwsFacts ToFacts()
        {
            if (!Named) return new AwsFacts();
            if (DescribeError is { } kind)
            {
                return new AwsFacts { Cluster = new ClusterFacts { Name = "prod", Region = "eu-west-1", ClusterError = new FactError("eks", "DescribeCluster", kind, "not allowed") } };
            }

            var encryption = EncryptedResources is [] ? [] : new[] { new EksEncryptionConfig(EncryptedResources ?? ["secrets"], SecretsKey) };
            var logging = new[] { new EksLogSetup(EnabledLogs ?? ["api", "audit", "authenticator"], true), new EksLogSetup(DisabledLogs ?? ["controllerManager", "scheduler"], false) };
            var cluster = new EksCluster("prod", "arn:aws:eks:eu-west-1:111122223333:cluster/prod", "1.33", "ACTIVE", encryption, logging,
                Public, !Public, Cidrs ?? (Public ? ["0.0.0.0/0"] : []), "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE");
            return new AwsFacts
            {
                Cluster = new ClusterFacts
                {
                    Name = "prod",
                    Region = "eu-west-1",
                    Cluster = cluster,
                    KeyRotation = Rotates is { } on && RotationError is null ? new KmsKeyRotation(KeyArn, on, on ? 365 : null, null) : null,
                    KeyRotationError = RotationError is { } error ? new FactError("kms", "GetKeyRotationStatus", error, "not allowed") : null,
                },
            };
        }
    }

    /// <summary>One policy, the cluster's facts, and the single finding one rule must report on the cluster.</summary>
    public sealed record ClusterCase(string Name, string Policy, string Rule, FindingResult Expected, ClusterShape Cluster, string? Path = null, string[]? Says = null)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private static ClusterCase Case(string name, string policy, string rule, FindingResult expected, ClusterShape cluster, string? path = null, params string[] says) =>
        new(name, policy, rule, expected, cluster, path, says);

    private static readonly ClusterShape Hardened = new();
    private static readonly ClusterShape DescribeDenied = new(DescribeError: "AccessDenied");
    private static readonly ClusterShape Unnamed = new(Named: false);

    public static TheoryData<TheoryCase<ClusterCase>> Cases() => TheoryCases.Of<ClusterCase>(
    [
        // cluster.secrets-encryption — an encryptionConfig entry for secrets with a KMS key.
        Case("passes with a KMS key for secrets", Encryption, SecretsEncryptionId, FindingResult.Pass, Hardened),
        Case("fails without an encryptionConfig", Encryption, SecretsEncryptionId, FindingResult.Fail, new(EncryptedResources: []), "encryptionConfig",
            "cluster prod does not envelope-encrypt secrets"),
        Case("fails when the encryptionConfig is for other resources", Encryption, SecretsEncryptionId, FindingResult.Fail, new(EncryptedResources: ["configmaps"])),
        Case("fails when the secrets entry names no key", Encryption, SecretsEncryptionId, FindingResult.Fail, new(SecretsKey: null)),
        Case("errors when DescribeCluster is denied", Encryption, SecretsEncryptionId, FindingResult.Error, DescribeDenied, null,
            "the EKS cluster could not be described: eks DescribeCluster: AccessDenied: not allowed"),
        Case("errors when no cluster name and region are known", Encryption, SecretsEncryptionId, FindingResult.Error, Unnamed, null,
            "no cluster name and region are known"),

        // cluster.kms-key-rotation — the secrets key rotates automatically.
        Case("passes when the key rotates", Rotation, KeyRotationId, FindingResult.Pass, Hardened),
        Case("fails when the key does not rotate", Rotation, KeyRotationId, FindingResult.Fail, new(Rotates: false), "encryptionConfig[0].provider.keyArn",
            $"KMS key {KeyArn} that encrypts the secrets of prod does not rotate automatically"),
        Case("fails when there is no key to rotate", Rotation, KeyRotationId, FindingResult.Fail, new(EncryptedResources: []), "encryptionConfig",
            "has no KMS key for secrets"),
        Case("errors when the rotation status is denied", Rotation, KeyRotationId, FindingResult.Error, new(RotationError: "AccessDenied"), "encryptionConfig[0].provider.keyArn",
            $"the rotation of KMS key {KeyArn} is unknown: kms GetKeyRotationStatus: AccessDenied"),
        Case("errors when the rotation status was not collected", Rotation, KeyRotationId, FindingResult.Error, new(Rotates: null), null,
            "it was not collected"),
        Case("errors when DescribeCluster is denied", Rotation, KeyRotationId, FindingResult.Error, DescribeDenied),

        // cluster.control-plane-logging — every required log type is enabled.
        Case("passes when every required type is on", Logging, LoggingId, FindingResult.Pass, Hardened),
        Case("passes when more types are on than required", Logging, LoggingId, FindingResult.Pass,
            new(EnabledLogs: ["api", "audit", "authenticator", "controllerManager", "scheduler"], DisabledLogs: [])),
        Case("fails when audit is off", Logging, LoggingId, FindingResult.Fail, new(EnabledLogs: ["api", "authenticator"], DisabledLogs: ["audit"]), "logging.clusterLogging",
            "control-plane log type(s) audit disabled"),
        Case("fails when the required types are listed but disabled", Logging, LoggingId, FindingResult.Fail, new(EnabledLogs: [], DisabledLogs: ["api", "audit", "authenticator"]), null,
            "api, audit, authenticator disabled"),
        Case("errors when DescribeCluster is denied", Logging, LoggingId, FindingResult.Error, DescribeDenied),

        // cluster.endpoint-public-access — the API server endpoint is private only.
        Case("passes with a private endpoint", PublicEndpoint, PublicEndpointId, FindingResult.Pass, Hardened),
        Case("fails with a public endpoint", PublicEndpoint, PublicEndpointId, FindingResult.Fail, new(Public: true), "resourcesVpcConfig.endpointPublicAccess",
            "endpointPublicAccess: true"),
        Case("fails with a public endpoint limited to some CIDRs", PublicEndpoint, PublicEndpointId, FindingResult.Fail, new(Public: true, Cidrs: ["203.0.113.0/24"])),
        Case("errors when DescribeCluster is denied", PublicEndpoint, PublicEndpointId, FindingResult.Error, DescribeDenied),
        Case("errors when no cluster name and region are known", PublicEndpoint, PublicEndpointId, FindingResult.Error, Unnamed),

        // cluster.endpoint-open-cidrs — a public endpoint does not accept every address, however the CIDRs split it.
        Case("passes with a private endpoint", OpenCidrs, OpenCidrsId, FindingResult.Pass, Hardened),
        Case("passes with a public endpoint limited to some CIDRs", OpenCidrs, OpenCidrsId, FindingResult.Pass, new(Public: true, Cidrs: ["203.0.113.0/24", "198.51.100.7/32"])),
        Case("passes when two halves leave a gap", OpenCidrs, OpenCidrsId, FindingResult.Pass, new(Public: true, Cidrs: ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"])),
        Case("fails for 0.0.0.0/0", OpenCidrs, OpenCidrsId, FindingResult.Fail, new(Public: true, Cidrs: ["203.0.113.0/24", "0.0.0.0/0"]), "resourcesVpcConfig.publicAccessCidrs",
            "cluster prod's public API endpoint accepts 0.0.0.0/0"),
        Case("fails for ::/0", OpenCidrs, OpenCidrsId, FindingResult.Fail, new(Public: true, Cidrs: ["203.0.113.0/24", "::/0"]), null, "accepts ::/0"),
        Case("fails for an empty list, which EKS defaults to 0.0.0.0/0", OpenCidrs, OpenCidrsId, FindingResult.Fail, new(Public: true, Cidrs: []), null,
            "lists no publicAccessCidrs, and EKS's default is 0.0.0.0/0"),
        Case("fails for halves that together cover every address", OpenCidrs, OpenCidrsId, FindingResult.Fail, new(Public: true, Cidrs: ["128.0.0.0/1", "0.0.0.0/1"]), null,
            "accepts 128.0.0.0/1, 0.0.0.0/1, which together cover every IPv4 address"),
        Case("fails for a /0 written with host bits", OpenCidrs, OpenCidrsId, FindingResult.Fail, new(Public: true, Cidrs: ["10.0.0.0/0"]), null, "accepts 0.0.0.0/0"),
        Case("errors on an entry that is not a CIDR", OpenCidrs, OpenCidrsId, FindingResult.Error, new(Public: true, Cidrs: ["203.0.113.0/24", "203.0.113.0"]), "resourcesVpcConfig.publicAccessCidrs",
            "publicAccessCidrs entry \"203.0.113.0\" is not a CIDR"),
        Case("errors when DescribeCluster is denied", OpenCidrs, OpenCidrsId, FindingResult.Error, DescribeDenied),
    ]);

    private static List<Finding> Findings(string policy, AwsFacts facts, string rule) =>
        TestEvaluation.Evaluate(policy, "", facts).ClusterFindings.Where(f => f.Rule.Id == rule).ToList();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_reports_the_expected_finding(TheoryCase<ClusterCase> row)
    {
        var c = row.Value;
        var finding = Assert.Single(Findings(c.Policy, c.Cluster.ToFacts(), c.Rule));

        Assert.True(finding.Result == c.Expected, $"expected {c.Expected}, got {finding.Result}: {finding.Message} at {finding.Path}");
        if (c.Path is not null) Assert.Equal(c.Path, finding.Path);
        foreach (var part in c.Says ?? []) Assert.Contains(part, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_has_a_passing_two_failing_and_an_error_case() =>
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new ClusterRules(), TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)));

    [Theory]
    [InlineData("podSecurity: {level: baseline}", "")]
    [InlineData("cluster: {name: prod, region: eu-west-1}", "")]
    [InlineData("cluster: {requiredLogTypes: []}", "")]
    [InlineData(Logging, LoggingId)]
    [InlineData("cluster: {requireSecretsEncryption: true, requireKeyRotation: true, requiredLogTypes: [audit], disallowPublicEndpoint: true, disallowOpenPublicCidrs: true}",
        SecretsEncryptionId + "," + KeyRotationId + "," + LoggingId + "," + PublicEndpointId + "," + OpenCidrsId)]
    [InlineData("cluster: {requireSecretsEncryption: false, disallowOpenPublicCidrs: true}", OpenCidrsId)]
    public void Each_rule_is_turned_on_by_its_duty(string policy, string expected) =>
        Assert.Equal(expected, string.Join(",", new ClusterRules().EnabledRules(TestEvaluation.Policy(policy).Spec).Select(r => r.Id)));

    [Fact]
    public void Every_rule_reads_aws_and_sits_on_the_cluster() =>
        Assert.All(new ClusterRules().Rules, r => Assert.True(r.RequiresAws && r.Scope == RuleScope.Cluster, r.Id));

    [Fact]
    public void Without_aws_facts_the_rules_are_off_not_passed()
    {
        var evaluation = TestEvaluation.Evaluate("cluster: {requireSecretsEncryption: true, disallowPublicEndpoint: true}", "", aws: null);

        Assert.Empty(evaluation.ClusterFindings);
        Assert.Empty(evaluation.EnabledRules);
    }

    [Fact]
    public void One_unreadable_cluster_is_an_error_for_every_enabled_rule()
    {
        const string all = "cluster: {requireSecretsEncryption: true, requireKeyRotation: true, requiredLogTypes: [audit], disallowPublicEndpoint: true, disallowOpenPublicCidrs: true}";
        var findings = TestEvaluation.Evaluate(all, "", DescribeDenied.ToFacts()).ClusterFindings;

        Assert.Equal([SecretsEncryptionId, KeyRotationId, LoggingId, PublicEndpointId, OpenCidrsId], findings.Select(f => f.Rule.Id));
        Assert.All(findings, f => Assert.Equal(FindingResult.Error, f.Result));
    }

    [Fact]
    public void An_exemption_covers_a_cluster_finding_by_rule_and_an_expired_one_is_named()
    {
        var policy = """
            cluster: {disallowPublicEndpoint: true, disallowOpenPublicCidrs: true}
            exemptions:
            - {name: bastion-era, rules: [cluster.endpoint-public-access], reason: migrating to private access}
            - {name: old-cidrs, rules: [cluster.endpoint-open-*], reason: was temporary, expires: "2026-01-01T00:00:00Z"}
            """;
        var findings = TestEvaluation.Evaluate(policy, "", new ClusterShape(Public: true).ToFacts()).ClusterFindings;

        var exempt = Assert.Single(findings, f => f.Rule.Id == PublicEndpointId);
        Assert.Equal((FindingResult.Exempt, "bastion-era"), (exempt.Result, exempt.Exemption));
        var expired = Assert.Single(findings, f => f.Rule.Id == OpenCidrsId);
        Assert.Equal(FindingResult.Fail, expired.Result);
        Assert.EndsWith("(exemption 'old-cidrs' expired 2026-01-01T00:00:00Z)", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exemption_by_namespace_does_not_cover_the_cluster()
    {
        var policy = """
            cluster: {disallowPublicEndpoint: true}
            exemptions: [{name: shop-only, namespaces: [shop], rules: ["*"], reason: x}]
            """;
        Assert.Equal(FindingResult.Fail, Assert.Single(TestEvaluation.Evaluate(policy, "", new ClusterShape(Public: true).ToFacts()).ClusterFindings).Result);
    }
}
