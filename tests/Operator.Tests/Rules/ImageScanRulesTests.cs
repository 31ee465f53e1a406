namespace EksHardening.Operator.Tests.Rules;

/// <summary>The ECR rules (<c>image.scan-on-push</c>, <c>image.scanned</c>, <c>image.vulnerabilities</c>) over hand-made image facts.</summary>
public sealed class ImageScanRulesTests
{
    private const string ScanOnPushId = "image.scan-on-push";
    private const string ScannedId = "image.scanned";
    private const string VulnerabilitiesId = "image.vulnerabilities";

    private const string EcrImage = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4";
    private const string RunningDigest = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
    private const string ImagePath = "spec.containers[0].image";

    private const string ScanOnPush = "imageScanning: {requireScanOnPush: true}";
    private const string TagsImmutable = "imageScanning: {requireImmutableTags: true}";
    private const string TagsImmutableId = "image.tags-immutable";
    private const string MaxAge = "imageScanning: {maxScanAge: 168h}";
    private const string Thresholds = "imageScanning: {vulnerabilityThresholds: {critical: 0, high: 2}}";
    private const string ThresholdsIgnoring = "imageScanning: {vulnerabilityThresholds: {critical: 0, high: 2}, ignoreFindings: [CVE-2026-0001]}";

    /// <summary>One vulnerability of the scan: a basic finding, or an enhanced (Inspector) one with its status.</summary>
    public sealed record Vulnerability(string Id, string Severity, bool Enhanced = false, string? Status = null);

    /// <summary>
    /// What ECR said about the container's image, in plain values. <see cref="Collected"/> false: the image has no facts
    /// at all; <see cref="ScanCollected"/> false: a digest is known but its scan was not read; <see cref="Counts"/>: the
    /// scan's summary counts when it lists no findings.
    /// </summary>
    public sealed record ImageShape(
        string Image = EcrImage,
        bool Collected = true,
        string? NotEcr = null,
        string? Digest = RunningDigest,
        string? DigestError = null,
        bool? ScanOnPush = true,
        string? ConfigError = null,
        string? TagMutability = "IMMUTABLE",
        string? RepositoryError = null,
        bool NeverScanned = false,
        string? ScanError = null,
        bool ScanCollected = true,
        string Status = "COMPLETE",
        string? StatusDescription = null,
        double? ScannedHoursAgo = 24,
        Vulnerability[]? Findings = null,
        Dictionary<string, int>? Counts = null)
    {
        public AwsFacts ToFacts()
        {
            if (!Collected) return new AwsFacts();
            if (NotEcr is { } reason) return new AwsFacts { Images = new Dictionary<string, ImageFacts> { [Image] = new() { Image = Image, NotEcrReason = reason } } };
            var findings = (Findings ?? []).Select(v => new EcrFinding(v.Enhanced ? EcrFindingSource.Enhanced : EcrFindingSource.Basic, v.Id, v.Severity,
                null, null, "openssl", "3.0.1", null, v.Status, null, null)).ToList();
            var counts = Counts ?? findings.GroupBy(f => f.Severity).ToDictionary(g => g.Key, g => g.Count());
            var scan = NeverScanned || ScanError is not null || !ScanCollected ? null
                : new EcrScanFindings("111122223333", "shop/web", EcrImageId.ByDigest(Digest ?? ""), Status, StatusDescription,
                    ScannedHoursAgo is { } hours ? TestEvaluation.Now.AddHours(-hours) : null, null, counts, findings);
            var facts = new ImageFacts
            {
                Image = Image,
                Registry = new EcrRegistry("111122223333", "eu-west-1"),
                Repository = "shop/web",
                Digest = DigestError is null ? Digest : null,
                DigestSource = "running pod (imageID)",
                DigestError = DigestError is { } kind ? new FactError("ecr", "DescribeImages", kind, "tag 1.4 is not in repository shop/web") : null,
                ScanOnPush = ConfigError is null ? ScanOnPush : null,
                ScanConfigError = ConfigError is { } configKind ? new FactError("ecr", "DescribeRepositories", configKind, "not allowed") : null,
                TagMutability = RepositoryError is null ? TagMutability : null,
                RepositoryError = RepositoryError is { } repositoryKind ? new FactError("ecr", "DescribeRepositories", repositoryKind, "not allowed") : null,
                Scan = scan,
                NeverScanned = NeverScanned,
                ScanError = ScanError is { } scanKind ? new FactError("ecr", "DescribeImageScanFindings", scanKind, "not allowed") : null,
            };
            return new AwsFacts { Images = new Dictionary<string, ImageFacts> { [Image] = facts } };
        }
    }

    /// <summary>One policy, the facts of the image of Pod <c>shop/web</c>, and the single finding one rule must report.</summary>
    public sealed record ScanCase(string Name, string Policy, string Rule, FindingResult Expected, ImageShape Image, string[]? Says = null)
    {
        public override string ToString() => $"{Rule}: {Name}";
    }

    private static ScanCase Case(string name, string policy, string rule, FindingResult expected, ImageShape image, params string[] says) =>
        new(name, policy, rule, expected, image, says);

    private static readonly ImageShape Scanned = new();
    private static readonly ImageShape NotInEcr = new(Image: "docker.io/library/nginx:1.27", NotEcr: "docker.io is not an Amazon ECR registry, so ECR has no scan of it");

    public static TheoryData<TheoryCase<ScanCase>> Cases() => TheoryCases.Of<ScanCase>(
    [
        // image.tags-immutable — the repository's tags cannot be re-pointed (IMMUTABLE only).
        Case("passes when the repository's tags are immutable", TagsImmutable, TagsImmutableId, FindingResult.Pass, Scanned),
        Case("fails when the tags are mutable", TagsImmutable, TagsImmutableId, FindingResult.Fail, new(TagMutability: "MUTABLE"),
            "ECR repository shop/web (111122223333, eu-west-1) has imageTagMutability MUTABLE"),
        Case("fails when some tags are excluded from immutability", TagsImmutable, TagsImmutableId, FindingResult.Fail, new(TagMutability: "IMMUTABLE_WITH_EXCLUSION"),
            "IMMUTABLE_WITH_EXCLUSION"),
        Case("errors when the repository cannot be described", TagsImmutable, TagsImmutableId, FindingResult.Error, new(RepositoryError: "AccessDenied"),
            "the tag mutability of repository shop/web is unknown: ecr DescribeRepositories: AccessDenied"),
        Case("errors when the mutability was not collected", TagsImmutable, TagsImmutableId, FindingResult.Error, new(TagMutability: null), "it was not collected"),

        // image.scan-on-push — the repository's flag or a registry scanning rule scans every push.
        Case("passes when the repository scans on push", ScanOnPush, ScanOnPushId, FindingResult.Pass, Scanned),
        Case("fails when nothing scans on push", ScanOnPush, ScanOnPushId, FindingResult.Fail, new(ScanOnPush: false),
            "ECR repository shop/web (111122223333, eu-west-1) does not scan on push"),
        Case("fails an invalid reference, which the kubelet refuses", ScanOnPush, ScanOnPushId, FindingResult.Fail, new(Image: "Shop/Web:1"), "Shop/Web:1"),
        Case("errors when the repository cannot be described", ScanOnPush, ScanOnPushId, FindingResult.Error, new(ConfigError: "AccessDenied"),
            "the scanning configuration of repository shop/web is unknown: ecr DescribeRepositories: AccessDenied"),
        Case("errors when the setting was not collected", ScanOnPush, ScanOnPushId, FindingResult.Error, new(ScanOnPush: null), "it was not collected"),
        Case("errors for an image outside ECR", ScanOnPush, ScanOnPushId, FindingResult.Error, NotInEcr,
            "image docker.io/library/nginx:1.27 is not checked against ECR: docker.io is not an Amazon ECR registry"),
        Case("errors when the image has no facts", ScanOnPush, ScanOnPushId, FindingResult.Error, new(Collected: false), "its AWS facts were not collected"),

        // image.scanned — the digest that runs has a completed scan no older than maxScanAge.
        Case("passes for a complete scan of a day ago", MaxAge, ScannedId, FindingResult.Pass, Scanned),
        Case("passes for continuous scanning", MaxAge, ScannedId, FindingResult.Pass, new(Status: "ACTIVE", ScannedHoursAgo: 2)),
        Case("passes an old scan when no age is set", Thresholds, ScannedId, FindingResult.Pass, new(ScannedHoursAgo: 24 * 400)),
        Case("fails a digest never scanned", MaxAge, ScannedId, FindingResult.Fail, new(NeverScanned: true), $"digest {RunningDigest} of shop/web has never been scanned"),
        Case("fails a scan older than maxScanAge", MaxAge, ScannedId, FindingResult.Fail, new(ScannedHoursAgo: 169),
            "was last scanned 2026-11-21T11:00:00Z, older than maxScanAge 168h"),
        Case("fails a failed scan", MaxAge, ScannedId, FindingResult.Fail, new(Status: "FAILED", StatusDescription: "UnsupportedImageError"),
            "the latest scan of", "is FAILED (UnsupportedImageError)"),
        Case("fails a scan in progress", MaxAge, ScannedId, FindingResult.Fail, new(Status: "IN_PROGRESS", ScannedHoursAgo: null), "is IN_PROGRESS"),
        Case("errors when the scan cannot be read", MaxAge, ScannedId, FindingResult.Error, new(ScanError: "ThrottlingException"),
            "could not be read: ecr DescribeImageScanFindings: ThrottlingException"),
        Case("errors when the tag's digest cannot be learned", MaxAge, ScannedId, FindingResult.Error, new(DigestError: "NotFound"),
            $"cannot tell which digest of {EcrImage} runs: ecr DescribeImages: NotFound: tag 1.4 is not in repository shop/web"),
        Case("errors when no digest is known", MaxAge, ScannedId, FindingResult.Error, new(Digest: null), "no digest is known"),
        Case("errors when the scan gives no completion time", MaxAge, ScannedId, FindingResult.Error, new(ScannedHoursAgo: null),
            "gives no completion time, so its age cannot be held against maxScanAge 168h"),
        Case("errors when the scan was not collected", MaxAge, ScannedId, FindingResult.Error, new(ScanCollected: false), "it was not collected"),
        Case("errors for an image outside ECR", MaxAge, ScannedId, FindingResult.Error, NotInEcr),

        // image.vulnerabilities — the findings of the running digest, per severity, within the thresholds.
        Case("passes within the thresholds", Thresholds, VulnerabilitiesId, FindingResult.Pass,
            new(Findings: [new("CVE-2026-0002", "HIGH"), new("CVE-2026-0003", "HIGH"), new("CVE-2026-0004", "MEDIUM")])),
        Case("passes when the only critical is ignored", ThresholdsIgnoring, VulnerabilitiesId, FindingResult.Pass, new(Findings: [new("cve-2026-0001", "CRITICAL")])),
        Case("passes when the enhanced critical is suppressed", Thresholds, VulnerabilitiesId, FindingResult.Pass,
            new(Findings: [new("CVE-2026-0005", "CRITICAL", Enhanced: true, Status: "SUPPRESSED"), new("CVE-2026-0006", "CRITICAL", Enhanced: true, Status: "CLOSED")])),
        Case("fails one critical over zero", Thresholds, VulnerabilitiesId, FindingResult.Fail, new(Findings: [new("CVE-2026-0007", "CRITICAL")]),
            "has 1 critical finding(s), more than the 0 allowed: CVE-2026-0007"),
        Case("fails three highs over two", ThresholdsIgnoring, VulnerabilitiesId, FindingResult.Fail,
            new(Findings: [new("CVE-2026-0001", "HIGH"), new("CVE-2026-0008", "HIGH"), new("CVE-2026-0009", "HIGH"), new("CVE-2026-0010", "HIGH")]),
            "has 3 high finding(s), more than the 2 allowed: CVE-2026-0008, CVE-2026-0009, CVE-2026-0010"),
        Case("fails an active enhanced critical", Thresholds, VulnerabilitiesId, FindingResult.Fail, new(Findings: [new("CVE-2026-0011", "CRITICAL", Enhanced: true, Status: "ACTIVE")])),
        Case("fails on the summary counts when no finding is listed", Thresholds, VulnerabilitiesId, FindingResult.Fail,
            new(Counts: new() { ["CRITICAL"] = 1 }), "has 1 critical finding(s), more than the 0 allowed"),
        Case("fails on the summary counts even with ignoreFindings, which cannot be subtracted from counts", ThresholdsIgnoring, VulnerabilitiesId, FindingResult.Fail,
            new(Counts: new() { ["CRITICAL"] = 1 }), "the scan lists no findings, only counts, so ignoreFindings cannot be subtracted"),
        Case("errors when the digest never had a scan", Thresholds, VulnerabilitiesId, FindingResult.Error, new(NeverScanned: true), "it has no completed scan"),
        Case("errors when the scan cannot be read", Thresholds, VulnerabilitiesId, FindingResult.Error, new(ScanError: "AccessDenied"), "it has no completed scan"),
        Case("errors when the running digest is unknown", Thresholds, VulnerabilitiesId, FindingResult.Error, new(DigestError: "AccessDenied"), "cannot tell which digest"),
        Case("errors for an image outside ECR", Thresholds, VulnerabilitiesId, FindingResult.Error, NotInEcr),
    ]);

    private static string Pod(string image) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec: {containers: [{name: app, image: "{{image}}"}]}
        """;

    private static IReadOnlyList<Finding> Findings(string policy, ImageShape image, string rule) =>
        TestEvaluation.Evaluate(policy, Pod(image.Image), image.ToFacts()).FindingsOf("Pod", "web").Of(rule);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_reports_the_expected_finding(TheoryCase<ScanCase> row)
    {
        var c = row.Value;
        var finding = Assert.Single(Findings(c.Policy, c.Image, c.Rule));

        Assert.True(finding.Result == c.Expected, $"expected {c.Expected}, got {finding.Result}: {finding.Message} at {finding.Path}");
        if (c.Expected != FindingResult.Pass)
        {
            // A pass is the absence of a problem and names no field; every other finding points at the image.
            Assert.Equal(ImagePath, finding.Path);
            Assert.Equal(c.Image.Image, finding.Image);
        }

        foreach (var part in c.Says ?? []) Assert.Contains(part, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_has_a_passing_two_failing_and_an_error_case() =>
        TestEvaluation.AssertEveryRuleHasAPassTwoFailuresAndAnError(new ImageScanRules(), TheoryCases.Rows(Cases()).Select(c => (c.Rule, c.Expected)));

    [Theory]
    [InlineData("imageScanning: {disallowLatestTag: true}", "")]
    [InlineData(ScanOnPush, ScanOnPushId)]
    [InlineData(MaxAge, ScannedId)]
    [InlineData(Thresholds, ScannedId + "," + VulnerabilitiesId)]
    [InlineData("imageScanning: {requireScanOnPush: false, maxScanAge: 24h, vulnerabilityThresholds: {}}", ScannedId + "," + VulnerabilitiesId)]
    public void Each_rule_is_turned_on_by_its_duty(string policy, string expected) =>
        Assert.Equal(expected, string.Join(",", new ImageScanRules().EnabledRules(TestEvaluation.Policy(policy).Spec).Select(r => r.Id)));

    [Fact]
    public void Every_severity_over_its_threshold_is_its_own_failure()
    {
        var image = new ImageShape(Findings: [new("CVE-2026-0012", "CRITICAL"), new("CVE-2026-0013", "HIGH"), new("CVE-2026-0014", "HIGH"), new("CVE-2026-0015", "HIGH")]);
        var findings = Findings(Thresholds, image, VulnerabilitiesId);

        Assert.Collection(findings,
            f => Assert.Contains("has 1 critical finding(s), more than the 0 allowed", f.Message, StringComparison.Ordinal),
            f => Assert.Contains("has 3 high finding(s), more than the 2 allowed", f.Message, StringComparison.Ordinal));
        Assert.All(findings, f => Assert.Equal(FindingResult.Fail, f.Result));
    }

    [Fact]
    public void A_stale_scan_fails_the_age_and_its_findings_are_still_judged()
    {
        var evaluation = TestEvaluation.Evaluate("imageScanning: {maxScanAge: 24h, vulnerabilityThresholds: {critical: 0}}", Pod(EcrImage),
            new ImageShape(ScannedHoursAgo: 48, Findings: [new("CVE-2026-0016", "CRITICAL")]).ToFacts());

        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Pod", "web", ScannedId));
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Pod", "web", VulnerabilitiesId));
    }

    [Fact]
    public void An_exemption_by_image_covers_the_findings_of_that_image_only()
    {
        const string policy = """
            imageScanning: {vulnerabilityThresholds: {critical: 0}}
            exemptions: [{name: legacy-web, images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web"], rules: ["image.vulnerabilities"], reason: rebuild planned}]
            """;
        var exempt = Assert.Single(Findings(policy, new ImageShape(Findings: [new("CVE-2026-0017", "CRITICAL")]), VulnerabilitiesId));
        Assert.Equal((FindingResult.Exempt, "legacy-web"), (exempt.Result, exempt.Exemption));

        const string other = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/api:2.0";
        var failed = Assert.Single(Findings(policy, new ImageShape(Image: other, Findings: [new("CVE-2026-0017", "CRITICAL")]), VulnerabilitiesId));
        Assert.Equal(FindingResult.Fail, failed.Result);
    }

    [Fact]
    public void Without_aws_facts_the_rules_are_off_not_passed()
    {
        var evaluation = TestEvaluation.Evaluate("imageScanning: {requireScanOnPush: true, maxScanAge: 168h, vulnerabilityThresholds: {critical: 0}}", Pod(EcrImage), aws: null);

        Assert.Empty(evaluation.EnabledRules);
        Assert.Empty(evaluation.AllFindings);
    }
}
