namespace EksHardening.Operator.Tests.Rules;

public class ImagePatternTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OtherDigest = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private static bool AllowListMatches(string pattern, string image) =>
        ImagePattern.Compile(pattern, ImagePatternUse.AllowedRegistry).MatchesName(Parsed(image));

    private static ImageReference Parsed(string image) =>
        ImageReference.TryParse(image, out var problem) ?? throw new ArgumentException(problem, nameof(image));

    [Theory]
    // Host patterns match the normalized registry host only: a slash-free image name is Docker Hub (issue 12).
    [InlineData("ghcr.io", "ghcr.io/org/app:1", true)]
    [InlineData("ghcr.io", "ghcr.io:v1@" + Digest, false)]
    [InlineData("ghcr.io", "ghcr.io.evil.com/org/app", false)]
    [InlineData("ghcr.io", "evil.com/ghcr.io/app", false)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v2", true)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com:1.0", false)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", false)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/app", false)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "a.b.dkr.ecr.us-east-1.amazonaws.com/app", false)]
    // "**" spans labels of the host, never the path (issue 12), nor the port.
    [InlineData("**.amazonaws.com", "a.b.amazonaws.com/app", true)]
    [InlineData("**.amazonaws.com", "evil.io/team.amazonaws.com", false)]
    [InlineData("**.amazonaws.com", "amazonaws.com/app", false)]
    [InlineData("**.amazonaws.com", "x.amazonaws.com:443/app", false)]
    [InlineData("**", "registry.example.com/a/b", true)]
    [InlineData("**", "nginx", true)]
    [InlineData("**", "localhost:5000/app", false)]
    // Ports: a pattern without one matches only hosts without one; "*" in the port matches any.
    [InlineData("registry.local", "registry.local:5000/app", false)]
    [InlineData("registry.local:5000", "registry.local:5000/app:1", true)]
    [InlineData("registry.local:5000", "registry.local:5001/app", false)]
    [InlineData("registry.local:*", "registry.local:5000/app", true)]
    [InlineData("registry.local:*", "registry.local/app", false)]
    [InlineData("localhost", "localhost/app", true)]
    [InlineData("localhost", "localhost:5000/app", false)]
    // IPv6 literals match exactly; wildcards never match brackets.
    [InlineData("[::1]:5000", "[::1]:5000/app", true)]
    [InlineData("[::1]", "[::1]:5000/app", false)]
    [InlineData("*", "[::1]/app", false)]
    [InlineData("*", "localhost/app", true)]
    // Docker Hub, and hosts compare case-insensitively.
    [InlineData("docker.io", "nginx:1.25", true)]
    [InlineData("docker.io", "bitnami/redis", true)]
    [InlineData("docker.io", "registry-1.docker.io/library/nginx", false)]
    [InlineData("index.docker.io", "nginx", true)]
    [InlineData("DOCKER.IO", "nginx", true)]
    [InlineData("registry.example.com", "Registry.Example.com/app", true)]
    [InlineData("quay.io", "quay.io.evil.com/app", false)]
    public void Host_patterns_match_the_registry_host(string pattern, string image, bool matches) =>
        Assert.Equal(matches, AllowListMatches(pattern, image));

    [Theory]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/eks-distro/kubernetes/pause:3.9", true)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/eks-distro/pause", true)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/eks-distro", false)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/other/pause:3.9", false)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/eks-distro-evil/pause", false)]
    [InlineData("public.ecr.aws/eks-distro/*", "public.ecr.aws/eks-distro/pause", true)]
    [InlineData("public.ecr.aws/eks-distro/*", "public.ecr.aws/eks-distro/kubernetes/pause:3.9", false)]
    [InlineData("ghcr.io/org/app", "ghcr.io/org/app:1", true)]
    [InlineData("ghcr.io/org/app", "ghcr.io/org/app-evil", false)]
    [InlineData("ghcr.io/org/app", "ghcr.io/org/app/sub", false)]
    [InlineData("ghcr.io/org/app", "ghcr.io:443/org/app", false)]
    [InlineData("ghcr.io/org/app", "GHCR.IO/org/app", true)]
    [InlineData("ghcr.io/**", "ghcr.io.evil.com/x", false)]
    [InlineData("ghcr.io/*-prod", "ghcr.io/api-prod", true)]
    [InlineData("ghcr.io/*-prod", "ghcr.io/team/api-prod", false)]
    [InlineData("*.io/**", "ghcr.io/a/b", true)]
    [InlineData("**/app", "ghcr.io/app", true)]
    [InlineData("**/app", "ghcr.io/x/app", false)]
    // Docker Hub: patterns are normalized as references are.
    [InlineData("docker.io/library/nginx", "nginx", true)]
    [InlineData("docker.io/nginx", "nginx:1.25", true)]
    [InlineData("index.docker.io/library/nginx", "docker.io/nginx", true)]
    [InlineData("docker.io/library/nginx", "nginx-unprivileged", false)]
    [InlineData("docker.io/library/nginx", "evil/nginx", false)]
    [InlineData("docker.io/bitnami", "bitnami/redis", false)]
    [InlineData("docker.io/bitnami/*", "bitnami/redis", true)]
    [InlineData("docker.io/*", "nginx", true)]
    [InlineData("docker.io/*", "bitnami/redis", false)]
    [InlineData("docker.io/**", "bitnami/redis", true)]
    [InlineData("docker.io/library/ghcr.io", "ghcr.io:v1@" + Digest, true)]
    public void Path_patterns_match_host_and_repository_separately(string pattern, string image, bool matches) =>
        Assert.Equal(matches, AllowListMatches(pattern, image));

    [Theory]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl:2.1", true)]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl:2.1@" + Digest, true)]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl-v2:2.1", false)]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl", false)]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl@" + Digest, false)]
    [InlineData("docker.io/library/redis:7*", "redis:7.2", true)]
    [InlineData("docker.io/library/redis:7*", "redis:6.2", false)]
    [InlineData("docker.io/redis:7*", "redis:7.2", true)]
    [InlineData("vendor.example.com/etl@" + Digest, "vendor.example.com/etl:1@" + Digest, true)]
    [InlineData("vendor.example.com/etl@" + Digest, "vendor.example.com/etl@" + OtherDigest, false)]
    [InlineData("vendor.example.com/etl@" + Digest, "vendor.example.com/etl:1", false)]
    [InlineData("vendor.example.com/etl:1@sha256:*", "vendor.example.com/etl:1@" + Digest, true)]
    [InlineData("vendor.example.com/etl:1@sha256:*", "vendor.example.com/etl:2@" + Digest, false)]
    [InlineData("vendor.example.com", "vendor.example.com/etl:1", true)]
    [InlineData("vendor.example.com", "vendor.example.com:8443/etl:1", false)]
    [InlineData("registry.example.com/tools/*", "registry.example.com/tools/debug:1", true)]
    [InlineData("registry.example.com/tools/*", "registry.example.com/tools/debug/x:1", false)]
    public void Exemption_patterns_may_name_a_tag_and_a_digest(string pattern, string image, bool matches) =>
        Assert.Equal(matches, ImagePattern.Compile(pattern, ImagePatternUse.Exemption).MatchesReference(Parsed(image)));

    [Theory]
    [InlineData("nginx")]
    [InlineData("ghcr.io/Org/app")]
    [InlineData("ghcr.io/app:1")]
    public void An_invalid_pattern_matches_nothing_and_says_why(string pattern)
    {
        var compiled = ImagePattern.Compile(pattern, ImagePatternUse.AllowedRegistry);
        Assert.NotNull(compiled.Problem);
        Assert.False(compiled.MatchesName(Parsed("nginx:1")));
        Assert.False(compiled.MatchesName(Parsed("ghcr.io/app:1")));
        Assert.False(compiled.MatchesName(Parsed("ghcr.io/org/app")));
    }

    [Fact]
    public void Many_stars_match_in_time_proportional_to_pattern_times_text()
    {
        // A backtracking matcher would take about 2^30 steps here; this one takes 60 × 260.
        var pattern = "registry.example.com/" + string.Concat(Enumerable.Repeat("**a", 30)) + "b";
        var image = Parsed("registry.example.com/" + new string('a', 240));
        Assert.False(ImagePattern.Compile(pattern, ImagePatternUse.AllowedRegistry).MatchesName(image));
        Assert.True(ImagePattern.Compile(pattern[..^1], ImagePatternUse.AllowedRegistry).MatchesName(image));
    }

    [Fact]
    public void A_policy_list_is_compiled_once()
    {
        List<string> patterns = ["ghcr.io", "public.ecr.aws/eks-distro/**"];
        Assert.Same(ImagePattern.CompileAll(patterns, ImagePatternUse.AllowedRegistry), ImagePattern.CompileAll(patterns, ImagePatternUse.AllowedRegistry));
        Assert.NotSame(ImagePattern.CompileAll(patterns, ImagePatternUse.AllowedRegistry), ImagePattern.CompileAll([.. patterns], ImagePatternUse.AllowedRegistry));
    }

    [Fact]
    public void Kept_verdicts_never_answer_for_another_image()
    {
        // More images than the table has slots, allowed and refused ones interleaved, each asked twice: a slot that
        // answered for whatever image last took it would refuse an allowed one or allow a refused one.
        var pattern = ImagePattern.Compile("*.dkr.ecr.*.amazonaws.com", ImagePatternUse.AllowedRegistry);
        var images = Enumerable.Range(0, 3_000)
            .Select(i => (Image: Parsed(i % 2 == 0 ? $"111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app-{i}:1" : $"docker.io/team/app-{i}:1"), Allowed: i % 2 == 0))
            .ToList();
        for (var round = 0; round < 2; round++)
        {
            foreach (var (image, allowed) in images) Assert.Equal(allowed, pattern.MatchesName(image));
        }
    }
}
