namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// References as the kubelet parses them (distribution/reference <c>ParseNormalizedNamed</c>). The cases are
/// transcribed from distribution's reference_test.go, normalize_test.go and regexp_test.go (commit 0965666), with the
/// registry, path, tag and digest that normalization gives, and from issue 12.
/// </summary>
public class ImageReferenceTests
{
    private const string Ffff64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    private const string Busybox = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
    private const string Redis = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    private const string Hex64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

    /// <summary>written → registry, repository path, tag, digest.</summary>
    public static TheoryData<string, string, string, string?, string?> Valid => new()
    {
        // reference_test.go TestReferenceParse (upstream's Parse keeps a familiar name's domain empty; normalized here).
        { "test_com", "docker.io", "library/test_com", null, null },
        { "test.com:tag", "docker.io", "library/test.com", "tag", null },
        { "test.com:5000", "docker.io", "library/test.com", "5000", null },
        { "test.com/repo:tag", "test.com", "repo", "tag", null },
        { "test:5000/repo", "test:5000", "repo", null, null },
        { "test:5000/repo:tag", "test:5000", "repo", "tag", null },
        { "test:5000/repo@sha256:" + Ffff64, "test:5000", "repo", null, "sha256:" + Ffff64 },
        { "test:5000/repo:tag@sha256:" + Ffff64, "test:5000", "repo", "tag", "sha256:" + Ffff64 },
        { "lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", null },
        { string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max", "docker.io", string.Concat(Enumerable.Repeat("a/", 127)) + "a", "tag-puts-this-over-max", null },
        { "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", null, null },
        { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null },
        { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", null },
        { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null },
        { "xn--7o8h.com/myimage:xn--7o8h.com@sha256:" + Ffff64, "xn--7o8h.com", "myimage", "xn--7o8h.com", "sha256:" + Ffff64 },
        { "foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", null },
        { "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", null },
        { "192.168.1.1", "docker.io", "library/192.168.1.1", null, null },
        { "192.168.1.1:tag", "docker.io", "library/192.168.1.1", "tag", null },
        { "192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", null },
        { "192.168.1.1/repo", "192.168.1.1", "repo", null, null },
        { "192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", null, null },
        { "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null },
        { "[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null },
        { "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null },
        { "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", null, null },
        { "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", null },
        { "[2001:db8::1]:5000/repo@sha256:" + Ffff64, "[2001:db8::1]:5000", "repo", null, "sha256:" + Ffff64 },
        { "[2001:db8::1]:5000/repo:tag@sha256:" + Ffff64, "[2001:db8::1]:5000", "repo", "tag", "sha256:" + Ffff64 },
        { "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", null, null },
        { "[::1]:5000/repo", "[::1]:5000", "repo", null, null },
        { "example.com/" + new string('a', 255) + ":tag", "example.com", new string('a', 255), "tag", null },
        // The upstream test reports sha512 unsupported only because its test binary does not import crypto/sha512;
        // the kubelet's go-digest registers it.
        { "validname@sha512:" + Ffff64 + Ffff64, "docker.io", "library/validname", null, "sha512:" + Ffff64 + Ffff64 },

        // normalize_test.go TestValidateReferenceName (valid names).
        { "docker/docker", "docker.io", "docker/docker", null, null },
        { "library/debian", "docker.io", "library/debian", null, null },
        { "debian", "docker.io", "library/debian", null, null },
        { "localhost/library/debian", "localhost", "library/debian", null, null },
        { "localhost/debian", "localhost", "debian", null, null },
        { "LOCALDOMAIN/library/debian", "LOCALDOMAIN", "library/debian", null, null },
        { "LOCALDOMAIN/debian", "LOCALDOMAIN", "debian", null, null },
        { "docker.io/docker/docker", "docker.io", "docker/docker", null, null },
        { "docker.io/library/debian", "docker.io", "library/debian", null, null },
        { "docker.io/debian", "docker.io", "library/debian", null, null },
        { "index.docker.io/docker/docker", "docker.io", "docker/docker", null, null },
        { "index.docker.io/library/debian", "docker.io", "library/debian", null, null },
        { "index.docker.io/debian", "docker.io", "library/debian", null, null },
        { "127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", null, null },
        { "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", null, null },
        { "127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", null, null },
        { "192.168.0.1", "docker.io", "library/192.168.0.1", null, null },
        { "192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", null },
        { "192.168.0.1:8/debian", "192.168.0.1:8", "debian", null, null },
        { "192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", null, null },
        { "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", null, null },
        { "[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", null, null },
        { "[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", null, null },
        { "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", null, null },
        { "docker.io/" + Hex64, "docker.io", "library/" + Hex64, null, null },
        { "Docker/docker", "Docker", "docker", null, null },
        { "DOCKER/docker", "DOCKER", "docker", null, null },

        // normalize_test.go TestValidateRemoteName (valid names).
        { "docker-rules/docker", "docker.io", "docker-rules/docker", null, null },
        { "docker---rules/docker", "docker.io", "docker---rules/docker", null, null },
        { "doc/docker", "docker.io", "doc/docker", null, null },
        { "d/docker", "docker.io", "d/docker", null, null },
        { "jess/t", "docker.io", "jess/t", null, null },
        { "dock__er/docker", "docker.io", "dock__er/docker", null, null },

        // normalize_test.go TestParseRepositoryInfo: familiar, full and ambiguous spellings of one name.
        { "localhost/fooo", "localhost", "fooo", null, null },
        { "localhost/fooo/bar", "localhost", "fooo/bar", null, null },
        { "LOCALDOMAIN/fooo", "LOCALDOMAIN", "fooo", null, null },
        { "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN", "fooo/bar", null, null },
        { "fooo/bar", "docker.io", "fooo/bar", null, null },
        { "docker.io/fooo/bar", "docker.io", "fooo/bar", null, null },
        { "index.docker.io/fooo/bar", "docker.io", "fooo/bar", null, null },
        { "ubuntu", "docker.io", "library/ubuntu", null, null },
        { "docker.io/library/ubuntu", "docker.io", "library/ubuntu", null, null },
        { "library/ubuntu", "docker.io", "library/ubuntu", null, null },
        { "nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", null, null },
        { "docker.io/nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", null, null },
        { "other/library", "docker.io", "other/library", null, null },
        { "docker.io/other/library", "docker.io", "other/library", null, null },
        { "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", null, null },
        { "127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", null, null },
        { "example.com/private/moonbase", "example.com", "private/moonbase", null, null },
        { "example.com/privatebase", "example.com", "privatebase", null, null },
        { "example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", null, null },
        { "example.com:8000/privatebasee", "example.com:8000", "privatebasee", null, null },
        { "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null },
        { "docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null },
        { "index.docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null },
        { "foo", "docker.io", "library/foo", null, null },
        { "docker.io/library/foo", "docker.io", "library/foo", null, null },
        { "docker.io/foo", "docker.io", "library/foo", null, null },
        { "library/foo/bar", "docker.io", "library/foo/bar", null, null },
        { "docker.io/library/foo/bar", "docker.io", "library/foo/bar", null, null },
        { "store/foo/bar", "docker.io", "store/foo/bar", null, null },
        { "docker.io/store/foo/bar", "docker.io", "store/foo/bar", null, null },
        { "Foo/bar", "Foo", "bar", null, null },
        { "FOO/bar", "FOO", "bar", null, null },

        // normalize_test.go TestNormalizedSplitHostname.
        { "test.com/foo", "test.com", "foo", null, null },
        { "test_com/foo", "docker.io", "test_com/foo", null, null },
        { "docker/migrator", "docker.io", "docker/migrator", null, null },
        { "test.com:8080/foo", "test.com:8080", "foo", null, null },
        { "test-com:8080/foo", "test-com:8080", "foo", null, null },
        { "xn--n3h.com/foo", "xn--n3h.com", "foo", null, null },
        { "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", null, null },

        // normalize_test.go TestParseDockerRef, TestParseReferenceWithTagAndDigest, TestParseAnyReference (named ones).
        { "busybox:latest", "docker.io", "library/busybox", "latest", null },
        { "busybox@" + Busybox, "docker.io", "library/busybox", null, Busybox },
        { "docker.io/busybox:latest", "docker.io", "library/busybox", "latest", null },
        { "library/busybox:latest", "docker.io", "library/busybox", "latest", null },
        { "gcr.io/library/busybox", "gcr.io", "library/busybox", null, null },
        { "gcr.io/library/busybox:latest@" + Busybox, "gcr.io", "library/busybox", "latest", Busybox },
        { "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", "docker.io", "library/busybox", "latest", "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa" },
        { "redis@" + Redis, "docker.io", "library/redis", null, Redis },
        { "dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", "latest", null },
        { "docker.io/dmcgowan/myapp@" + Redis, "docker.io", "dmcgowan/myapp", null, Redis },
        { "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", null, null },
        { "dbcc1", "docker.io", "library/dbcc1", null, null },
        // As a name (not ParseAnyReference), "sha256:<hex>" is the image library/sha256 with a 64-character tag.
        { Redis, "docker.io", "library/sha256", Redis["sha256:".Length..], null },

        // regexp_test.go TestDomainRegexp (matching domains), as the registry of "DOMAIN/repo".
        { "test.com:10304/repo", "test.com:10304", "repo", null, null },
        { "localhost:8080/repo", "localhost:8080", "repo", null, null },
        { "ab.c-om/repo", "ab.c-om", "repo", null, null },
        { "0101.com/repo", "0101.com", "repo", null, null },
        { "b.gbc.io:443/repo", "b.gbc.io:443", "repo", null, null },
        { "Asdf.com/repo", "Asdf.com", "repo", null, null },
        { "192.168.1.1:75050/repo", "192.168.1.1:75050", "repo", null, null },
        { "[fd00:1:2::3]:75050/repo", "[fd00:1:2::3]:75050", "repo", null, null },
        { "[fd00123123123]:75050/repo", "[fd00123123123]:75050", "repo", null, null },
        { "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/repo", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", "repo", null, null },

        // Issue 12: slash-free names are Docker Hub, whatever they look like.
        { "ghcr.io:v1@sha256:" + Ffff64, "docker.io", "library/ghcr.io", "v1", "sha256:" + Ffff64 },
        { "123456789012.dkr.ecr.us-east-1.amazonaws.com:1.0", "docker.io", "library/123456789012.dkr.ecr.us-east-1.amazonaws.com", "1.0", null },
        { "localhost:5000", "docker.io", "library/localhost", "5000", null },
        // A tag of exactly 128 characters, a path of exactly 255.
        { "nginx:" + new string('a', 128), "docker.io", "library/nginx", new string('a', 128), null },
        { "registry.io/" + new string('a', 255), "registry.io", new string('a', 255), null, null },
        { "nginx:_v1", "docker.io", "library/nginx", "_v1", null },
        // registry-1.docker.io is not normalized upstream: it stays its own host.
        { "registry-1.docker.io/nginx", "registry-1.docker.io", "nginx", null, null },
        // A first component that splitDockerDomain takes for a domain but the domain grammar does not: upstream reads
        // the whole name as a path; the runtime still contacts foo_bar.com.
        { "foo_bar.com/app", "foo_bar.com", "app", null, null },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_and_normalizes_as_the_kubelet_does(string written, string registry, string path, string? tag, string? digest)
    {
        var image = ImageReference.TryParse(written, out var problem);
        Assert.Null(problem);
        Assert.NotNull(image);
        Assert.Equal(registry, image.Registry);
        Assert.Equal(path, image.Repository);
        Assert.Equal(tag, image.Tag);
        Assert.Equal(digest, image.Digest);
        Assert.Equal(registry + "/" + path, image.NormalizedName);
        Assert.Equal(written, image.Written);
    }

    /// <summary>written → a fragment of the problem.</summary>
    public static TheoryData<string, string> Invalid => new()
    {
        // reference_test.go TestReferenceParse.
        { "", "no image is set" },
        { ":justtag", "no repository name" },
        { "@sha256:" + Ffff64, "no repository name" },
        { "repo@sha256:ffffffffffffffffffffffffffffffffff", "a sha256 digest is 64 lowercase hex characters, not 34" },
        { "Uppercase:tag", "repository path 'library/Uppercase' must be lowercase" },
        { "test:5000/Uppercase/lowercase:tag", "repository path 'Uppercase/lowercase' must be lowercase" },
        { "domain/" + new string('a', 256) + ":tag", "more than 255" },
        { "aa/asdf$$^/aa", "repository path component 'asdf$$^' is invalid" },
        { "[2001:db8::1]", "is invalid" },
        { "[2001:db8::1]:5000", "is invalid" },
        { "[2001:db8::1]:tag", "is invalid" },
        { "[fe80::1%eth0]:5000/repo", "registry host '[fe80::1%eth0]:5000' is invalid" },
        { "[fe80::1%@invalidzone]:5000/repo", "registry host '[fe80::1%@invalidzone]:5000' is invalid" },

        // normalize_test.go TestValidateReferenceName (invalid names).
        { "https://github.com/docker/docker", "registry host 'https:' is invalid" },
        { "docker/Docker", "must be lowercase" },
        { "-docker", "repository path component '-docker' is invalid" },
        { "-docker/docker", "repository path component '-docker' is invalid" },
        { "-docker.io/docker/docker", "registry host '-docker.io' is invalid" },
        { "docker///docker", "empty component" },
        { "docker.io/docker/Docker", "must be lowercase" },
        { "docker.io/docker///docker", "empty component" },
        { "[fc00::1]", "is invalid" },
        { "[fc00::1]:5000", "is invalid" },
        { "fc00::1:5000/debian", "registry host 'fc00::1:5000' is invalid" },
        { "[fe80::1%eth0]:5000/debian", "registry host '[fe80::1%eth0]:5000' is invalid" },
        { "[2001:db8:3:4::192.0.2.33]:5000/debian", "registry host '[2001:db8:3:4::192.0.2.33]:5000' is invalid" },
        { Hex64, "64-character hexadecimal string" },

        // normalize_test.go TestValidateRemoteName (invalid names).
        { "docker-/docker", "repository path component 'docker-' is invalid" },
        { "-docker-/docker", "repository path component '-docker-' is invalid" },
        { "____/____", "repository path component '____' is invalid" },
        { "_docker/_docker", "repository path component '_docker' is invalid" },
        { "dock..er/docker", "registry host 'dock..er' is invalid" },
        { "dock_.er/docker", "registry host 'dock_.er' is invalid" },
        { "dock-.er/docker", "registry host 'dock-.er' is invalid" },
        { "docker/", "empty component" },
        { "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker", "more than 255" },

        // normalize_test.go TestInvalidReferenceComponents.
        { "-foo", "repository path component '-foo' is invalid" },
        { "busybox:-foo", "tag '-foo' is invalid" },
        { "busybox@foo", "'foo' after '@' is not a digest" },

        // regexp_test.go TestDomainRegexp (non-matching domains), as the registry of "DOMAIN/repo".
        { "test.com:http/repo", "registry host 'test.com:http' is invalid" },
        { "-ab.com/repo", "registry host '-ab.com' is invalid" },
        { "ab-.com/repo", "registry host 'ab-.com' is invalid" },
        { "ab.-com/repo", "registry host 'ab.-com' is invalid" },
        { "ab.com-/repo", "registry host 'ab.com-' is invalid" },
        { "[fd00:1:2::3]75050/repo", "registry host '[fd00:1:2::3]75050' is invalid" },
        { "[fd00:1:2::3]::75050/repo", "registry host '[fd00:1:2::3]::75050' is invalid" },
        { "[fd00:1:2::3%eth0]:75050/repo", "registry host '[fd00:1:2::3%eth0]:75050' is invalid" },
        { "fd00:1:2::3:75050/repo", "registry host 'fd00:1:2::3:75050' is invalid" },

        // Issue 12.
        { "docker.io/Library/nginx", "repository path 'Library/nginx' must be lowercase" },
        { "registry.example.com/Team/app:1", "repository path 'Team/app' must be lowercase" },
        { "nginx:1.25+build", "tag '1.25+build' is invalid" },
        { "nginx:-1", "tag '-1' is invalid" },
        { "nginx:.hidden", "tag '.hidden' is invalid" },
        { "nginx:" + new string('a', 129), "tag is 129 characters, more than 128" },
        { "nginx@latest", "'latest' after '@' is not a digest" },
        { "registry.io/" + new string('a', 256), "repository path is 256 characters, more than 255" },
        { "nginx:" + new string('a', 60) + "/" + new string('b', 200), "is invalid" },
        { new string('a', 248), "repository path is 256 characters, more than 255" },
        { "registry.io//app", "empty component" },
        { "registry.io/app/", "empty component" },
        { "/app", "empty component" },
        { "registry.io/", "empty component" },
        { "app:", "the tag after ':' is empty" },
        { "app@", "is not a digest" },
        { "app@sha256:" + Ffff64 + "@sha256:" + Ffff64, "not hexadecimal" },
        { "app:1:2", "tag '1:2' is invalid" },
        { "nginx latest", "contains whitespace" },
        { "nginx\n", "contains whitespace" },
        { "   ", "no image is set" },
        { "ngïnx", "repository path component 'ngïnx' is invalid" },
        { "nginx:vé", "tag 'vé' is invalid" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Refuses_what_the_kubelet_refuses_and_says_which_part(string written, string problemFragment)
    {
        Assert.Null(ImageReference.TryParse(written, out var problem));
        Assert.NotNull(problem);
        Assert.Contains(problemFragment, problem);
        if (written.Trim().Length > 0) Assert.StartsWith($"image '{written}' is not a valid reference: ", problem);
    }

    [Fact]
    public void A_registry_port_is_not_a_tag_and_no_tag_pulls_latest()
    {
        var image = ImageReference.TryParse("host:5000/app", out _)!;
        Assert.Null(image.Tag);
        Assert.Equal("latest", image.EffectiveTag);
        Assert.Equal("host:5000", image.Registry);
    }

    [Fact]
    public void A_null_image_is_reported()
    {
        Assert.Null(ImageReference.TryParse(null, out var problem));
        Assert.Equal("no image is set", problem);
    }
}
