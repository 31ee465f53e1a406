namespace EksHardening.Operator.Tests.Rules;

public class ImageRulesTests
{
    private const string Policy = """
        imageScanning:
          allowedRegistries: ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/eks-distro/**"]
          disallowLatestTag: true
          requireDigest: true
        """;

    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Digest = "sha256:" + Hex64;

    private static string Pod(string name, params string[] images) =>
        $"""
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: {name}, namespace: shop{"}"}
        spec:
          containers:
        {string.Concat(images.Select((image, i) => $"  - name: c{i}\n    image: \"{image}\"\n"))}
        """;

    [Fact]
    public void Pinned_image_from_an_allowed_registry_passes_every_rule()
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Pod("good", $"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4@{Digest}"));
        Assert.All(evaluation.FindingsOf("Pod", "good"), f => Assert.Equal(FindingResult.Pass, f.Result));
        Assert.Equal(3, evaluation.FindingsOf("Pod", "good").Count);
    }

    [Theory]
    [InlineData("nginx:1.25")]
    [InlineData("ghcr.io/acme/api:2")]
    [InlineData("public.ecr.aws/nginx/nginx:1")]
    public void Images_from_other_registries_fail(string image)
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Pod("p", image));
        var finding = Assert.Single(evaluation.FindingsOf("Pod", "p").Of("image.registry-allowed"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("container c0", finding.Message);
        Assert.Equal("spec.containers[0].image", finding.Path);
        Assert.Equal(image, finding.Image);
    }

    [Theory]
    [InlineData("nginx:latest")]
    [InlineData("nginx")]
    [InlineData("registry.local:5000/app")]
    [InlineData("nginx:latest@" + Digest)]
    public void Latest_or_no_tag_fails(string image) =>
        Assert.Equal(FindingResult.Fail, TestEvaluation.Evaluate(Policy, Pod("p", image)).ResultOf("Pod", "p", "image.tag-not-latest"));

    [Theory]
    [InlineData("nginx:1.25", FindingResult.Pass)]
    [InlineData("nginx@" + Digest, FindingResult.Pass)]
    [InlineData("registry.local:5000/app:3", FindingResult.Pass)]
    public void A_versioned_tag_or_a_bare_digest_passes_the_latest_rule(string image, FindingResult expected) =>
        Assert.Equal(expected, TestEvaluation.Evaluate(Policy, Pod("p", image)).ResultOf("Pod", "p", "image.tag-not-latest"));

    [Fact]
    public void A_missing_digest_fails()
    {
        var finding = Assert.Single(TestEvaluation.Evaluate(Policy, Pod("p", "nginx:1.25")).FindingsOf("Pod", "p").Of("image.digest-pinned"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("container c0: image nginx:1.25 is not pinned by digest", finding.Message);
    }

    [Theory]
    [InlineData("sha256:" + Hex64, "pinned by digest (registered sha256)")]
    [InlineData("sha512:" + Hex64 + Hex64, "pinned by digest (registered sha512)")]
    [InlineData("blake3:" + Hex64, "pinned by digest (registered blake3)")]
    [InlineData("foo:" + Hex64, "pinned by digest (unregistered algorithm foo, accepted by the OCI generic grammar)")]
    public void A_digest_pin_says_which_kind_of_digest(string digest, string message)
    {
        var finding = Assert.Single(TestEvaluation.Evaluate("imageScanning: {requireDigest: true}", Pod("p", "registry.example.com/app@" + digest))
            .FindingsOf("Pod", "p").Of("image.digest-pinned"));
        Assert.Equal(FindingResult.Pass, finding.Result);
        Assert.Equal(message, finding.Message);
    }

    [Fact]
    public void Several_kinds_of_digest_are_each_named_once()
    {
        var pod = Pod("p", "a.io/x@sha256:" + Hex64, "a.io/y@blake3:" + Hex64, "a.io/z@sha256:" + Hex64);
        var finding = Assert.Single(TestEvaluation.Evaluate("imageScanning: {requireDigest: true}", pod).FindingsOf("Pod", "p").Of("image.digest-pinned"));
        Assert.Equal("pinned by digest (registered sha256; registered blake3)", finding.Message);
    }

    [Theory]
    // Issue 12: references the kubelet refuses fail every enabled image rule, with the parse error.
    [InlineData("nginx@sha256:abc", "the sha256 digest has 3 hex characters, fewer than 32")]
    [InlineData("nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "a sha256 digest is lowercase hex")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/Shop/web:1", "repository path 'Shop/web' must be lowercase")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1+build", "tag '1+build' is invalid")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:-1", "tag '-1' is invalid")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@latest", "'latest' after '@' is not a digest")]
    public void An_invalid_reference_fails_every_enabled_image_rule_with_the_parse_error(string image, string problem)
    {
        var findings = TestEvaluation.Evaluate(Policy, Pod("p", image)).FindingsOf("Pod", "p");
        Assert.Equal(["image.registry-allowed", "image.tag-not-latest", "image.digest-pinned"], findings.Select(f => f.Rule.Id));
        Assert.All(findings, f =>
        {
            Assert.Equal(FindingResult.Fail, f.Result);
            Assert.StartsWith($"container c0: image '{image}' is not a valid reference: {problem}", f.Message, StringComparison.Ordinal);
            Assert.Equal("spec.containers[0].image", f.Path);
        });
    }

    [Theory]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com:1.0")]
    [InlineData("ghcr.io", "ghcr.io:v1@sha256:" + Hex64)]
    [InlineData("**.amazonaws.com", "evil.io/team.amazonaws.com")]
    public void Allow_list_bypasses_of_issue_12_fail(string pattern, string image)
    {
        var finding = Assert.Single(TestEvaluation.Evaluate($"imageScanning: {{allowedRegistries: [\"{pattern}\"]}}", Pod("p", image)).FindingsOf("Pod", "p"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("is not from an allowed registry", finding.Message);
    }

    [Fact]
    public void Scan_rules_fail_an_invalid_reference_and_stay_errors_for_unknown_facts()
    {
        var policy = TestEvaluation.Policy("imageScanning: {requireScanOnPush: true, vulnerabilityThresholds: {critical: 0}}");
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Pod("bad", "nginx@latest") + "---\n" + Pod("hub", "nginx:1.25")));
        snapshot.Aws = new AwsFacts();
        var evaluation = new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(policy, snapshot);

        var bad = evaluation.FindingsOf("Pod", "bad");
        Assert.Equal(["image.scan-on-push", "image.scanned", "image.vulnerabilities"], bad.Select(f => f.Rule.Id));
        Assert.All(bad, f =>
        {
            Assert.Equal(FindingResult.Fail, f.Result);
            Assert.Equal("container c0: image 'nginx@latest' is not a valid reference: 'latest' after '@' is not a digest: expected algorithm:hex, e.g. sha256:<64 hex characters>", f.Message);
        });
        Assert.All(evaluation.FindingsOf("Pod", "hub"), f => Assert.Equal(FindingResult.Error, f.Result));
    }

    [Fact]
    public void Init_and_ephemeral_containers_count_and_each_failure_is_reported()
    {
        const string yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                spec:
                  initContainers: [{name: setup, image: "busybox"}]
                  containers: [{name: app, image: "nginx:latest"}]
                  ephemeralContainers: [{name: debug, image: "alpine:3"}]
            """;
        var findings = TestEvaluation.Evaluate("imageScanning: {disallowLatestTag: true}", yaml).FindingsOf("Deployment", "web");
        var fails = findings.Of("image.tag-not-latest");
        Assert.Equal(2, fails.Count);
        Assert.Equal("spec.template.spec.initContainers[0].image", fails[0].Path);
        Assert.Equal("spec.template.spec.containers[0].image", fails[1].Path);
    }

    [Fact]
    public void Rules_that_are_off_produce_no_findings()
    {
        var evaluation = TestEvaluation.Evaluate("imageScanning: {requireDigest: false}", Pod("p", "nginx"));
        Assert.Empty(evaluation.Resources);
    }
}
