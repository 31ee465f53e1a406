using EksHardening.Entities;
using EksHardening.Operator.Tests.Support;

namespace EksHardening.Operator.Tests.Rules;

public class ImageRulesTests
{
    private const string Policy = """
        imageScanning:
          allowedRegistries: ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/eks-distro/**"]
          disallowLatestTag: true
          requireDigest: true
        """;

    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

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

    [Theory]
    [InlineData("nginx:1.25", "not pinned by digest")]
    [InlineData("nginx@sha256:abc", "not a valid OCI digest")]
    [InlineData("nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "not a valid OCI digest")]
    public void Missing_or_malformed_digests_fail(string image, string expectedMessage)
    {
        var finding = Assert.Single(TestEvaluation.Evaluate(Policy, Pod("p", image)).FindingsOf("Pod", "p").Of("image.digest-pinned"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains(expectedMessage, finding.Message);
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
