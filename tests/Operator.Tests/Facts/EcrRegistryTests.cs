namespace EksHardening.Operator.Tests.Facts;

public sealed class EcrRegistryTests
{
    [Theory]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012", "eu-west-1", false)]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.2@sha256:abc", "123456789012", "eu-west-1", false)]
    [InlineData("210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/app", "210987654321", "cn-north-1", false)]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:v1", "123456789012", "us-gov-west-1", true)]
    [InlineData("123456789012.dkr-ecr.us-east-1.on.aws/app", "123456789012", "us-east-1", false)]
    [InlineData("123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM/app", "123456789012", "us-east-1", false)]
    public void Parses_private_registry_hosts(string image, string account, string region, bool fips)
    {
        Assert.True(EcrRegistry.TryParse(image, out var registry));
        Assert.Equal(new EcrRegistry(account, region, fips), registry);
    }

    [Theory]
    [InlineData("public.ecr.aws/eks-distro/kubernetes/pause:3.9")]
    [InlineData("docker.io/library/nginx:latest")]
    [InlineData("nginx")]
    [InlineData("12345.dkr.ecr.eu-west-1.amazonaws.com/app")]
    [InlineData("123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/app")]
    [InlineData("evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_other_hosts(string? image)
    {
        Assert.False(EcrRegistry.TryParse(image, out var registry));
        Assert.Null(registry);
    }
}
