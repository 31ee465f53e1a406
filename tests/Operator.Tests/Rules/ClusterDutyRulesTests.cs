namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// The cluster duties learned from EKS, GuardDuty and CloudTrail (<c>cluster.version-supported</c>,
/// <c>cluster.addons-current</c>, <c>cluster.threat-detection</c>, <c>cluster.audit-trail</c>,
/// <c>cluster.access-entries</c>) over hand-made facts (no AWS client, no stub). Evaluated at 2026-11-28.
/// </summary>
public sealed class ClusterDutyRulesTests
{
    private const string VersionId = "cluster.version-supported";
    private const string AddonsId = "cluster.addons-current";
    private const string ThreatId = "cluster.threat-detection";
    private const string TrailId = "cluster.audit-trail";
    private const string AdminsId = "cluster.access-entries";

    private const string Version = "cluster: {name: prod, requireSupportedVersion: true}";
    private const string VersionWindow = "cluster: {name: prod, requireSupportedVersion: true, minSupportWindow: 1440h}";
    private const string Addons = "cluster: {name: prod, requireCurrentAddons: true}";
    private const string Threat = "cluster: {name: prod, requireThreatDetection: [EKS_AUDIT_LOGS, RUNTIME_MONITORING]}";
    private const string DetectorOnly = "cluster: {name: prod, requireThreatDetection: []}";
    private const string Trail = "cluster: {name: prod, requireAuditTrail: true}";
    private const string Admins = "cluster: {name: prod, restrictClusterAdmins: true, allowedAdminPrincipals: [\"arn:aws:iam::111122223333:role/platform-admins\"]}";

    private const string ClusterAdmin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    private const string Admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy";
    private const string View = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
    private const string Platform = "arn:aws:iam::111122223333:role/platform-admins";
    private const string Ci = "arn:aws:iam::111122223333:role/ci-deployer";

    private static readonly FactError Denied = new("x", "Op", "AccessDenied", "not allowed");

    /// <summary>What AWS said, in plain values; each part defaults to a hardened account.</summary>
    public sealed record Shape(
        bool Described = true,
        string? Version = "1.33",
        EksClusterVersion? Support = null,
        bool SupportListed = true,
        FactError? SupportError = null,
        AddonFacts[]? Addons = null,
        FactError? AddonsError = null,
        GuardDutyDetector[]? Detectors = null,
        FactError? DetectorsError = null,
        TrailFacts[]? Trails = null,
        FactError? TrailsError = null,
        AccessEntryFacts[]? Entries = null,
        FactError? EntriesError = null,
        string AuthenticationMode = "API_AND_CONFIG_MAP",
        bool CreatorAdmin = false)
    {
        public AwsFacts ToFacts()
        {
            var cluster = new EksCluster("prod", "arn:aws:eks:eu-west-1:111122223333:cluster/prod", Version, "ACTIVE", [], [], false, true, [], null)
            {
                AuthenticationMode = AuthenticationMode,
                BootstrapClusterCreatorAdminPermissions = CreatorAdmin,
            };
            return new AwsFacts
            {
                Cluster = new ClusterFacts
                {
                    Name = "prod",
                    Region = "eu-west-1",
                    Cluster = Described ? cluster : null,
                    ClusterError = Described ? null : Denied with { Operation = "DescribeCluster" },
                    VersionSupport = SupportListed ? Support ?? InSupport : null,
                    VersionSupportCollected = SupportError is null,
                    VersionSupportError = SupportError,
                    Addons = AddonsError is null ? Addons ?? [Addon("vpc-cni", "v1.19.2-eksbuild.1", "v1.19.2-eksbuild.1")] : null,
                    AddonsError = AddonsError,
                    Detectors = DetectorsError is null ? Detectors ?? [Detector()] : null,
                    DetectorsError = DetectorsError,
                    Trails = TrailsError is null ? Trails ?? [LoggingTrail()] : null,
                    TrailsError = TrailsError,
                    AccessEntries = EntriesError is null ? Entries ?? [Entry(Platform, (ClusterAdmin, "cluster"))] : null,
                    AccessEntriesError = EntriesError,
                },
            };
        }
    }

    private static readonly EksClusterVersion InSupport = new("1.33", "STANDARD_SUPPORT", false, new(2025, 5, 29, 0, 0, 0, TimeSpan.Zero),
        new(2026, 12, 29, 0, 0, 0, TimeSpan.Zero), new(2027, 12, 29, 0, 0, 0, TimeSpan.Zero));

    private static AddonFacts Addon(string name, string? version, string? defaultVersion, FactError? error = null) =>
        new(new EksAddon(name, version, "ACTIVE", $"arn:aws:eks:eu-west-1:111122223333:addon/prod/{name}/x"), defaultVersion, error);

    private static GuardDutyDetector Detector(string status = "ENABLED", string audit = "ENABLED", string runtimeName = "RUNTIME_MONITORING",
        string runtime = "ENABLED", string addonManagement = "ENABLED") =>
        new("d1", status,
        [
            new GuardDutyFeature("EKS_AUDIT_LOGS", audit, new Dictionary<string, string?>()),
            new GuardDutyFeature(runtimeName, runtime, new Dictionary<string, string?> { ["EKS_ADDON_MANAGEMENT"] = addonManagement }),
        ]);

    private static TrailFacts LoggingTrail(string name = "org", string home = "us-east-1", bool multiRegion = true, bool? logging = true,
        CloudTrailEventSelectors? selectors = null, FactError? error = null) =>
        new(new CloudTrailTrail(name, $"arn:aws:cloudtrail:{home}:111122223333:trail/{name}", home, multiRegion, false), logging,
            error is null ? selectors ?? Basic("All") : null, error);

    private static CloudTrailEventSelectors Basic(string readWrite, bool management = true) =>
        new([new CloudTrailEventSelector(readWrite, management, [])], []);

    private static CloudTrailEventSelectors Advanced(params CloudTrailFieldSelector[][] selectors) => new([], selectors);

    private static CloudTrailFieldSelector Field(string field, string[]? equalsValues = null, string[]? notEquals = null, string[]? startsWith = null) =>
        new(field, equalsValues ?? [], notEquals ?? [], startsWith ?? [], [], [], []);

    private static AccessEntryFacts Entry(string principal, params (string Policy, string Scope)[] policies) =>
        new(principal, [.. policies.Select(p => new EksAccessPolicyAssociation(p.Policy, p.Scope, p.Scope == "namespace" ? ["team-a"] : []))]);

    public sealed record DutyCase(string Name, string Policy, string Rule, FindingResult Expected, Shape Facts, params string[] Says)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private static DutyCase Case(string name, string policy, string rule, FindingResult expected, Shape facts, params string[] says) =>
        new(name, policy, rule, expected, facts, says);

    private static readonly Shape Hardened = new();

    public static TheoryData<TheoryCase<DutyCase>> Cases() => TheoryCases.Of<DutyCase>(
    [
        // cluster.version-supported — EKS standard support, as DescribeClusterVersions says.
        Case("passes in standard support", Version, VersionId, FindingResult.Pass, Hardened),
        Case("fails in extended support", Version, VersionId, FindingResult.Fail,
            new(Support: InSupport with { Status = "EXTENDED_SUPPORT", EndOfStandardSupportDate = new(2026, 3, 23, 0, 0, 0, TimeSpan.Zero) }),
            "Kubernetes 1.33, whose EKS standard support ended 2026-03-23 (status EXTENDED_SUPPORT; extended support (paid) ends 2027-12-29)"),
        Case("fails when unsupported", Version, VersionId, FindingResult.Fail, new(Support: InSupport with { Status = "UNSUPPORTED" }), "status UNSUPPORTED"),
        Case("fails once the end date passed even if the status lags", Version, VersionId, FindingResult.Fail,
            new(Support: InSupport with { EndOfStandardSupportDate = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero) }), "standard support ended 2026-11-01"),
        Case("fails within minSupportWindow of the end", VersionWindow, VersionId, FindingResult.Fail, Hardened,
            "ends 2026-12-29, in 31 days: within minSupportWindow 1440h"),
        Case("passes outside minSupportWindow", "cluster: {name: prod, requireSupportedVersion: true, minSupportWindow: 168h}", VersionId, FindingResult.Pass, Hardened),
        Case("errors when DescribeClusterVersions is denied", Version, VersionId, FindingResult.Error, new(SupportError: Denied), "the support of Kubernetes 1.33 on EKS is unknown: x Op: AccessDenied"),
        Case("errors when EKS does not list the version", Version, VersionId, FindingResult.Error, new(SupportListed: false), "does not list Kubernetes 1.33"),
        Case("errors when the cluster could not be described", Version, VersionId, FindingResult.Error, new(Described: false), "could not be described"),
        Case("errors when a window is asked but EKS gives no end date", VersionWindow, VersionId, FindingResult.Error,
            new(Support: InSupport with { EndOfStandardSupportDate = null }), "gives no end of standard support"),

        // cluster.addons-current — each add-on at least at EKS's default for the cluster's version.
        Case("passes at the default", Addons, AddonsId, FindingResult.Pass, Hardened),
        Case("passes above the default", Addons, AddonsId, FindingResult.Pass, new(Addons: [Addon("coredns", "v1.11.4-eksbuild.10", "v1.11.4-eksbuild.2")])),
        Case("passes with no add-ons", Addons, AddonsId, FindingResult.Pass, new(Addons: [])),
        Case("fails below the default build", Addons, AddonsId, FindingResult.Fail, new(Addons: [Addon("vpc-cni", "v1.19.2-eksbuild.1", "v1.19.2-eksbuild.5")]),
            "add-on vpc-cni runs v1.19.2-eksbuild.1, older than v1.19.2-eksbuild.5, EKS's default for Kubernetes 1.33"),
        Case("fails below the default version", Addons, AddonsId, FindingResult.Fail, new(Addons: [Addon("kube-proxy", "v1.31.3-eksbuild.2", "v1.33.0-eksbuild.2")]), "kube-proxy"),
        Case("errors when the add-on versions are denied", Addons, AddonsId, FindingResult.Error, new(Addons: [Addon("vpc-cni", "v1.19.2-eksbuild.1", null, Denied)]), "add-on vpc-cni: x Op: AccessDenied"),
        Case("errors without a default for the version", Addons, AddonsId, FindingResult.Error, new(Addons: [Addon("vpc-cni", "v1.19.2-eksbuild.1", null)]), "names no default version"),
        Case("errors on a version it cannot order", Addons, AddonsId, FindingResult.Error, new(Addons: [Addon("vpc-cni", "latest", "v1.19.2-eksbuild.1")]), "is not a version such as"),
        Case("errors when the add-ons are denied", Addons, AddonsId, FindingResult.Error, new(AddonsError: Denied), "the add-ons of cluster prod are unknown"),

        // cluster.threat-detection — an enabled detector with the asked features.
        Case("passes with audit logs and runtime monitoring", Threat, ThreatId, FindingResult.Pass, Hardened),
        Case("passes with the older EKS runtime monitoring plan", Threat, ThreatId, FindingResult.Pass, new(Detectors: [Detector(runtimeName: "EKS_RUNTIME_MONITORING")])),
        Case("passes with a detector only when no feature is asked", DetectorOnly, ThreatId, FindingResult.Pass, new(Detectors: [Detector(audit: "DISABLED", runtime: "DISABLED")])),
        Case("fails without a detector", Threat, ThreatId, FindingResult.Fail, new(Detectors: []), "GuardDuty has no detector in eu-west-1"),
        Case("fails with a suspended detector", DetectorOnly, ThreatId, FindingResult.Fail, new(Detectors: [Detector(status: "DISABLED")]), "the detector is DISABLED, not ENABLED"),
        Case("fails with runtime monitoring off", Threat, ThreatId, FindingResult.Fail, new(Detectors: [Detector(runtime: "DISABLED")]),
            "RUNTIME_MONITORING is not enabled (nor EKS_RUNTIME_MONITORING)"),
        Case("fails with runtime monitoring on but no agent management", Threat, ThreatId, FindingResult.Fail, new(Detectors: [Detector(addonManagement: "DISABLED")]),
            "its EKS_ADDON_MANAGEMENT is not"),
        Case("fails with EKS audit logs off", Threat, ThreatId, FindingResult.Fail, new(Detectors: [Detector(audit: "DISABLED")]), "EKS_AUDIT_LOGS is DISABLED, not ENABLED"),
        Case("errors when GuardDuty is denied", Threat, ThreatId, FindingResult.Error, new(DetectorsError: Denied), "GuardDuty in eu-west-1 is unknown"),

        // cluster.audit-trail — a logging trail covering the region with read and write management events.
        Case("passes with a logging multi-region trail", Trail, TrailId, FindingResult.Pass, Hardened),
        Case("passes with a regional trail homed in the cluster's region", Trail, TrailId, FindingResult.Pass, new(Trails: [LoggingTrail(home: "eu-west-1", multiRegion: false)])),
        Case("passes with advanced selectors for management events", Trail, TrailId, FindingResult.Pass,
            new(Trails: [LoggingTrail(selectors: Advanced([Field("eventCategory", ["Management"])]))])),
        Case("passes when one of two trails logs", Trail, TrailId, FindingResult.Pass, new(Trails: [LoggingTrail("off", logging: false), LoggingTrail()])),
        Case("fails without a trail covering the region", Trail, TrailId, FindingResult.Fail, new(Trails: [LoggingTrail(home: "us-east-1", multiRegion: false)]),
            "no CloudTrail trail covers eu-west-1"),
        Case("fails when the trail is not logging", Trail, TrailId, FindingResult.Fail, new(Trails: [LoggingTrail(logging: false)]), "trail org is not logging"),
        Case("fails with write-only management events", Trail, TrailId, FindingResult.Fail, new(Trails: [LoggingTrail(selectors: Basic("WriteOnly"))]),
            "records write management events, not reads"),
        Case("fails with no management events", Trail, TrailId, FindingResult.Fail, new(Trails: [LoggingTrail(selectors: Basic("All", management: false))]), "records no management events"),
        Case("fails with advanced selectors that leave EKS out", Trail, TrailId, FindingResult.Fail,
            new(Trails: [LoggingTrail(selectors: Advanced([Field("eventCategory", ["Management"]), Field("eventSource", notEquals: ["eks.amazonaws.com"])]))]),
            "records no management events"),
        Case("fails with advanced selectors for reads only", Trail, TrailId, FindingResult.Fail,
            new(Trails: [LoggingTrail(selectors: Advanced([Field("eventCategory", ["Management"]), Field("readOnly", ["true"])]))]), "not writes"),
        Case("errors when a trail's status is unknown and none passes", Trail, TrailId, FindingResult.Error,
            new(Trails: [LoggingTrail(error: Denied), LoggingTrail("off", logging: false)]), "no trail covering eu-west-1 is known to log management events", "trail off is not logging"),
        Case("errors when CloudTrail is denied", Trail, TrailId, FindingResult.Error, new(TrailsError: Denied), "CloudTrail in eu-west-1 is unknown"),

        // cluster.access-entries — cluster-wide admin policies only for allowed principals.
        Case("passes when only allowed principals are admins", Admins, AdminsId, FindingResult.Pass,
            new(Entries: [Entry(Platform, (ClusterAdmin, "cluster")), Entry(Ci, (View, "cluster"), (Admin, "namespace"))])),
        Case("passes on a CONFIG_MAP cluster, with a note", Admins, AdminsId, FindingResult.Pass, new(AuthenticationMode: "CONFIG_MAP", EntriesError: Denied)),
        Case("fails for another cluster admin", Admins, AdminsId, FindingResult.Fail, new(Entries: [Entry(Ci, (ClusterAdmin, "cluster"))]),
            $"access entry {Ci} holds AmazonEKSClusterAdminPolicy on the whole cluster prod and is not in allowedAdminPrincipals"),
        Case("fails for a cluster-wide AmazonEKSAdminPolicy, naming the creator's bootstrap", Admins, AdminsId, FindingResult.Fail,
            new(Entries: [Entry(Ci, (Admin, "cluster"))], CreatorAdmin: true), "AmazonEKSAdminPolicy", "bootstrapClusterCreatorAdminPermissions: true"),
        Case("errors when an entry's policies are denied", Admins, AdminsId, FindingResult.Error, new(Entries: [new AccessEntryFacts(Ci, [], Denied)]), $"the access policies of {Ci} are unknown"),
        Case("errors when the access entries are denied", Admins, AdminsId, FindingResult.Error, new(EntriesError: Denied), "the access entries of cluster prod are unknown"),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_reports_the_expected_finding(TheoryCase<DutyCase> row)
    {
        var c = row.Value;
        var finding = Assert.Single(TestEvaluation.Evaluate(c.Policy, "", c.Facts.ToFacts()).ClusterFindings, f => f.Rule.Id == c.Rule);
        Assert.True(finding.Result == c.Expected, $"expected {c.Expected}, got {finding.Result}: {finding.Message}");
        foreach (var part in c.Says) Assert.Contains(part, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_has_a_passing_two_failing_and_an_error_case()
    {
        var rows = TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)).ToList();
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new ClusterLifecycleRules(), rows);
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new ClusterDetectionRules(), rows);
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new ClusterAccessRules(), rows);
    }

    [Theory]
    [InlineData("v1.19.2-eksbuild.1", "v1.19.2-eksbuild.1", 0)]
    [InlineData("v1.19.2-eksbuild.1", "v1.19.2-eksbuild.10", -1)]
    [InlineData("v1.19.10-eksbuild.1", "v1.19.9-eksbuild.3", 1)]
    [InlineData("v1.2.0-eksbuild.1", "v1.10.0-eksbuild.1", -1)]
    [InlineData("v1.19.2", "v1.19.2-eksbuild.1", -1)]
    [InlineData("1.19.2-eksbuild.1", "v1.19.2-eksbuild.1", 0)]
    public void Addon_versions_order_number_by_number(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(AddonVersion.Compare(a, b)!.Value));

    [Theory]
    [InlineData("latest")]
    [InlineData("v1.19.2-rc1")]
    [InlineData("v1.x.2-eksbuild.1")]
    public void A_version_it_cannot_order_is_not_ordered(string version) => Assert.Null(AddonVersion.Compare(version, "v1.19.2-eksbuild.1"));

    [Theory]
    [InlineData("cluster: {name: prod, requireSupportedVersion: true, requireCurrentAddons: true}", "cluster.version-supported,cluster.addons-current")]
    [InlineData("cluster: {name: prod, requireThreatDetection: []}", "cluster.threat-detection")]
    [InlineData("cluster: {name: prod, requireAuditTrail: true, restrictClusterAdmins: true}", "cluster.audit-trail,cluster.access-entries")]
    [InlineData("cluster: {name: prod, requireAuditTrail: false, restrictClusterAdmins: false}", "")]
    public void Each_rule_is_turned_on_by_its_duty(string policy, string expected)
    {
        var spec = TestEvaluation.Policy(policy).Spec;
        IRuleFamily[] families = [new ClusterLifecycleRules(), new ClusterDetectionRules(), new ClusterAccessRules()];
        Assert.Equal(expected, string.Join(",", families.SelectMany(f => f.EnabledRules(spec)).Select(r => r.Id)));
    }

    [Fact]
    public void Without_aws_facts_the_rules_are_off_not_passed()
    {
        var evaluation = TestEvaluation.Evaluate("cluster: {name: prod, requireSupportedVersion: true, requireAuditTrail: true, restrictClusterAdmins: true}", "", aws: null);
        Assert.Empty(evaluation.ClusterFindings);
        Assert.DoesNotContain(evaluation.EnabledRules, r => r.RequiresAws);
    }
}
