namespace EksHardening.Operator.Tests.Policies;

public class ImagePatternSyntaxTests
{
    [Theory]
    [InlineData("*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com", null)]
    [InlineData("public.ecr.aws/eks-distro/**", "public.ecr.aws", "eks-distro/**")]
    [InlineData("docker.io", "docker.io", null)]
    [InlineData("index.docker.io/nginx", "docker.io", "library/nginx")]
    [InlineData("docker.io/*", "docker.io", "library/*")]
    [InlineData("docker.io/**", "docker.io", "**")]
    [InlineData("docker.io/bitnami/*", "docker.io", "bitnami/*")]
    [InlineData("localhost", "localhost", null)]
    [InlineData("localhost:5000/app", "localhost:5000", "app")]
    [InlineData("registry.local:*", "registry.local:*", null)]
    [InlineData("[::1]:5000", "[::1]:5000", null)]
    [InlineData("[fc00::1]/team/app", "[fc00::1]", "team/app")]
    [InlineData("**", "**", null)]
    [InlineData("LOCALDOMAIN/app", "LOCALDOMAIN", "app")]
    public void Allow_list_patterns_split_into_host_and_path(string pattern, string host, string? path)
    {
        var parts = ImagePatternSyntax.TryParse(pattern, ImagePatternUse.AllowedRegistry, out var problem);
        Assert.Null(problem);
        Assert.Equal(new ImagePatternParts(host, path, null, null), parts);
    }

    [Theory]
    [InlineData("vendor.example.com/etl:*", "vendor.example.com", "etl", "*", null)]
    [InlineData("docker.io/redis:7*", "docker.io", "library/redis", "7*", null)]
    [InlineData("vendor.example.com/etl@sha256:*", "vendor.example.com", "etl", null, "sha256:*")]
    [InlineData("vendor.example.com/etl:1.0@sha256:abc*", "vendor.example.com", "etl", "1.0", "sha256:abc*")]
    [InlineData("registry.local:5000", "registry.local:5000", null, null, null)]
    public void Exemption_patterns_may_add_a_tag_and_a_digest(string pattern, string host, string? path, string? tag, string? digest)
    {
        var parts = ImagePatternSyntax.TryParse(pattern, ImagePatternUse.Exemption, out var problem);
        Assert.Null(problem);
        Assert.Equal(new ImagePatternParts(host, path, tag, digest), parts);
    }

    [Theory]
    [InlineData("", ImagePatternUse.AllowedRegistry, "it is empty")]
    [InlineData("nginx", ImagePatternUse.AllowedRegistry, "a pattern without '/' names a registry host, and 'nginx' is not one (a host has a '.' or ':' or is localhost); for the Docker Hub image write docker.io/library/nginx")]
    [InlineData("bitnami/redis", ImagePatternUse.AllowedRegistry, "'bitnami' before the first '/' is not a registry host (a host has a '.' or ':' or is localhost); for Docker Hub write docker.io/bitnami/redis")]
    [InlineData("nginx:1.25", ImagePatternUse.Exemption, "a pattern without '/' names a registry host, so '1.25' would be its port, which must be digits or '*' (for a Docker Hub image and tag write docker.io/library/nginx:1.25)")]
    [InlineData("ghcr.io:v1", ImagePatternUse.AllowedRegistry, "so 'v1' would be its port")]
    [InlineData("ghcr.io:/app", ImagePatternUse.AllowedRegistry, "the port in registry host 'ghcr.io:' must be digits or '*'")]
    [InlineData("ghcr.io/Org/app", ImagePatternUse.AllowedRegistry, "repository path 'Org/app' must be lowercase")]
    [InlineData("ghcr.io//app", ImagePatternUse.AllowedRegistry, "empty segment")]
    [InlineData("ghcr.io/app/", ImagePatternUse.AllowedRegistry, "empty segment")]
    [InlineData("ghcr.io/", ImagePatternUse.AllowedRegistry, "empty segment")]
    [InlineData("/app", ImagePatternUse.AllowedRegistry, "it has no registry host before '/'")]
    [InlineData("a..b.com", ImagePatternUse.AllowedRegistry, "registry host 'a..b.com' has an empty label")]
    [InlineData("reg_istry.io", ImagePatternUse.AllowedRegistry, "registry host 'reg_istry.io' may hold only")]
    [InlineData("ghcr.io/a%b", ImagePatternUse.AllowedRegistry, "may hold only lowercase letters")]
    [InlineData("***.io", ImagePatternUse.AllowedRegistry, "are the only wildcards")]
    [InlineData("ghcr.io/app:1", ImagePatternUse.AllowedRegistry, "an allowed-registry pattern matches image names, without tag or digest")]
    [InlineData("ghcr.io/app@sha256:abc", ImagePatternUse.AllowedRegistry, "without tag or digest")]
    [InlineData("ghcr.io@sha256:abc", ImagePatternUse.Exemption, "a digest needs a repository path before '@'")]
    [InlineData("ghcr.io/app:", ImagePatternUse.Exemption, "the tag is empty")]
    [InlineData("ghcr.io/app:a+b", ImagePatternUse.Exemption, "tag 'a+b' has a character no tag can hold")]
    [InlineData("ghcr.io/app@", ImagePatternUse.Exemption, "the digest is empty")]
    [InlineData("ghcr.io/app@sha256:a/b", ImagePatternUse.Exemption, "digest 'sha256:a/b' has a character")]
    [InlineData("[::1", ImagePatternUse.AllowedRegistry, "is not a bracketed IPv6 address")]
    [InlineData("[::1]:x", ImagePatternUse.AllowedRegistry, "is not a bracketed IPv6 address")]
    [InlineData("[*]", ImagePatternUse.AllowedRegistry, "is not a bracketed IPv6 address")]
    public void Invalid_patterns_say_what_is_wrong(string pattern, ImagePatternUse use, string problem)
    {
        Assert.Null(ImagePatternSyntax.TryParse(pattern, use, out var actual));
        Assert.Contains(problem, actual);
    }

    [Fact]
    public void Policy_validation_names_the_field_and_index()
    {
        var problems = PolicyValidator.Validate(PolicyFixtures.Example(p =>
        {
            p.Spec()["imageScanning"]!["allowedRegistries"] = new JsonArray("*.dkr.ecr.*.amazonaws.com", "ghcr.io", "nginx");
            p.Spec()["exemptions"]![0]!["images"] = new JsonArray("vendor.example.com/etl:*", "Vendor.example.com/ETL");
        })).Select(p => p.ToString()).ToList();

        Assert.Equal(
        [
            "spec.imageScanning.allowedRegistries[2]: \"nginx\" is not an image pattern: a pattern without '/' names a registry host, and 'nginx' is not one (a host has a '.' or ':' or is localhost); for the Docker Hub image write docker.io/library/nginx",
            "spec.exemptions[0].images[1]: \"Vendor.example.com/ETL\" is not an image pattern: repository path 'ETL' must be lowercase, as repository paths are",
        ], problems);
    }

    [Fact]
    public void Typed_policies_are_checked_alike()
    {
        var policy = new ResponsibilityPolicy
        {
            Spec = new ResponsibilityPolicySpec
            {
                ImageScanning = new ImageScanningDuty { AllowedRegistries = ["ghcr.io/app:1"] },
                Exemptions = [new PolicyExemption { Name = "x", Rules = ["image.*"], Reason = "r", Images = ["vendor.example.com/etl:*", "**.io/a//b"] }],
            },
        };

        Assert.Equal(
        [
            "spec.imageScanning.allowedRegistries[0]: \"ghcr.io/app:1\" is not an image pattern: an allowed-registry pattern matches image names, without tag or digest",
            "spec.exemptions[0].images[1]: \"**.io/a//b\" is not an image pattern: the repository path has an empty segment (a leading, trailing or doubled '/')",
        ], PolicyValidator.ValidateSemantics(policy).Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("ghcr.io/app@sha256:abc", "spec.imageScanning.allowedRegistries[0]")]
    [InlineData("ghcr.io/a b", "spec.imageScanning.allowedRegistries[0]")]
    public void The_CRD_pattern_already_refuses_digests_and_spaces_in_the_allow_list(string pattern, string path)
    {
        var problem = Assert.Single(PolicyValidator.Validate(PolicyFixtures.Example(p => p.Spec()["imageScanning"]!["allowedRegistries"] = new JsonArray(pattern))));
        Assert.Equal(path, problem.Path);
        Assert.StartsWith($"\"{pattern}\" does not match ^", problem.Message);
    }
}
