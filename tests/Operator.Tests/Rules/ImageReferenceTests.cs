using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Tests.Rules;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("nginx", "docker.io", "library/nginx", null, "nginx", "docker.io/library/nginx")]
    [InlineData("nginx:1.25", "docker.io", "library/nginx", "1.25", "nginx", "docker.io/library/nginx")]
    [InlineData("bitnami/redis:7", "docker.io", "bitnami/redis", "7", "bitnami/redis", "docker.io/bitnami/redis")]
    [InlineData("docker.io/nginx", "docker.io", "library/nginx", null, "docker.io/nginx", "docker.io/library/nginx")]
    [InlineData("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", "index.docker.io/library/nginx", "docker.io/library/nginx")]
    [InlineData("registry.local:5000/app", "registry.local:5000", "app", null, "registry.local:5000/app", "registry.local:5000/app")]
    [InlineData("localhost/app:dev", "localhost", "app", "dev", "localhost/app", "localhost/app")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/api", "v2",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api")]
    public void Splits_like_a_container_runtime(string written, string registry, string repository, string? tag, string writtenName, string normalized)
    {
        var image = ImageReference.TryParse(written, out var problem);
        Assert.Null(problem);
        Assert.NotNull(image);
        Assert.Equal(registry, image.Registry);
        Assert.Equal(repository, image.Repository);
        Assert.Equal(tag, image.Tag);
        Assert.Equal(writtenName, image.WrittenName);
        Assert.Equal(normalized, image.NormalizedName);
    }

    [Fact]
    public void A_registry_port_is_not_a_tag()
    {
        var image = ImageReference.TryParse("host:5000/app", out _)!;
        Assert.Null(image.Tag);
        Assert.Equal("latest", image.EffectiveTag);
        Assert.Equal("host:5000", image.Registry);
    }

    [Theory]
    [InlineData("app@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("app:1@sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("app@sha256:" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("app@sha256:abc", false)]
    [InlineData("app@md5:" + "0123456789abcdef0123456789abcdef", false)]
    [InlineData("app:1", false)]
    public void Only_valid_OCI_digests_pin(string written, bool pinned) =>
        Assert.Equal(pinned, ImageReference.TryParse(written, out _)!.HasValidDigest);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("app:")]
    [InlineData("registry.example.com/")]
    [InlineData("nginx latest")]
    public void Unusable_references_are_reported(string written)
    {
        Assert.Null(ImageReference.TryParse(written, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v2", true)]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", false)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/eks-distro/kubernetes/pause:3.9", true)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws/other/pause:3.9", false)]
    [InlineData("public.ecr.aws/eks-distro/*", "public.ecr.aws/eks-distro/kubernetes/pause:3.9", false)]
    [InlineData("docker.io", "nginx:1.25", true)]
    [InlineData("docker.io/library/nginx", "nginx", true)]
    [InlineData("nginx", "nginx:1.25", true)]
    [InlineData("docker.io/library/nginx", "nginx-unprivileged", false)]
    [InlineData("docker.io/bitnami", "bitnami/redis", false)]
    [InlineData("quay.io", "quay.io.evil.com/app", false)]
    [InlineData("registry.local:5000", "registry.local:5000/app:1", true)]
    public void Patterns_match_names_as_written_and_normalized(string pattern, string image, bool matches) =>
        Assert.Equal(matches, new ImagePattern(pattern).MatchesName(ImageReference.TryParse(image, out _)!));

    [Theory]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl:2.1", true)]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com/etl-v2:2.1", false)]
    [InlineData("docker.io/library/redis:7*", "redis:7.2", true)]
    [InlineData("docker.io/library/redis:7*", "redis:6.2", false)]
    public void Exemption_patterns_can_name_tags(string pattern, string image, bool matches) =>
        Assert.Equal(matches, new ImagePattern(pattern).MatchesReference(ImageReference.TryParse(image, out _)!));
}
