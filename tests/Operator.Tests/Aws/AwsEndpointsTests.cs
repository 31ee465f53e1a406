namespace EksHardening.Operator.Tests.Aws;

public sealed class AwsEndpointsTests
{
    private static AwsEndpoints With(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return new AwsEndpoints(name => map.GetValueOrDefault(name));
    }

    [Theory]
    [InlineData("ecr", "eu-west-1", "https://api.ecr.eu-west-1.amazonaws.com/", "eu-west-1")]
    [InlineData("eks", "eu-west-1", "https://eks.eu-west-1.amazonaws.com/", "eu-west-1")]
    [InlineData("kms", "us-east-2", "https://kms.us-east-2.amazonaws.com/", "us-east-2")]
    [InlineData("sts", "ap-southeast-2", "https://sts.ap-southeast-2.amazonaws.com/", "ap-southeast-2")]
    [InlineData("iam", "eu-west-1", "https://iam.amazonaws.com/", "us-east-1")]
    [InlineData("ecr", "cn-north-1", "https://api.ecr.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
    [InlineData("eks", "cn-northwest-1", "https://eks.cn-northwest-1.amazonaws.com.cn/", "cn-northwest-1")]
    [InlineData("iam", "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
    [InlineData("iam", "us-gov-east-1", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1")]
    [InlineData("eks", "us-gov-west-1", "https://eks.us-gov-west-1.amazonaws.com/", "us-gov-west-1")]
    [InlineData("guardduty", "eu-west-1", "https://guardduty.eu-west-1.amazonaws.com/", "eu-west-1")]
    [InlineData("guardduty", "cn-north-1", "https://guardduty.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
    [InlineData("cloudtrail", "us-east-2", "https://cloudtrail.us-east-2.amazonaws.com/", "us-east-2")]
    [InlineData("cloudtrail", "us-gov-west-1", "https://cloudtrail.us-gov-west-1.amazonaws.com/", "us-gov-west-1")]
    public void Standard_endpoints(string service, string region, string uri, string signingRegion)
    {
        var endpoint = With().Resolve(service, region);

        Assert.Equal(new Uri(uri), endpoint.Uri);
        Assert.Equal(signingRegion, endpoint.SigningRegion);
        Assert.Equal(service, endpoint.Service);
        Assert.False(endpoint.IsOverride);
    }

    [Fact]
    public void Fips_endpoints_for_fips_registries()
    {
        Assert.Equal(new Uri("https://api.ecr-fips.us-east-1.amazonaws.com/"), With().Resolve("ecr", "us-east-1", fips: true).Uri);
        Assert.Equal(new Uri("https://kms-fips.us-east-1.amazonaws.com/"), With().Resolve("kms", "us-east-1", fips: true).Uri);
        Assert.Equal(new Uri("https://guardduty-fips.us-east-1.amazonaws.com/"), With().Resolve("guardduty", "us-east-1", fips: true).Uri);
        Assert.Equal(new Uri("https://cloudtrail-fips.us-east-1.amazonaws.com/"), With().Resolve("cloudtrail", "us-east-1", fips: true).Uri);
    }

    [Theory]
    [InlineData("ecr", "AWS_ENDPOINT_URL_ECR")]
    [InlineData("eks", "AWS_ENDPOINT_URL_EKS")]
    [InlineData("iam", "AWS_ENDPOINT_URL_IAM")]
    [InlineData("kms", "AWS_ENDPOINT_URL_KMS")]
    [InlineData("sts", "AWS_ENDPOINT_URL_STS")]
    [InlineData("guardduty", "AWS_ENDPOINT_URL_GUARDDUTY")]
    [InlineData("cloudtrail", "AWS_ENDPOINT_URL_CLOUDTRAIL")]
    public void Each_service_variable_overrides_only_its_service(string service, string variable)
    {
        var endpoints = With((variable, "http://127.0.0.1:4566"));

        var endpoint = endpoints.Resolve(service, "eu-west-1");
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), endpoint.Uri);
        Assert.True(endpoint.IsOverride);
        foreach (var other in new[] { "cloudtrail", "ecr", "eks", "guardduty", "iam", "kms", "sts" }.Where(s => s != service))
        {
            Assert.False(endpoints.Resolve(other, "eu-west-1").IsOverride);
        }
    }

    [Fact]
    public void The_service_variable_wins_over_the_global_one()
    {
        var endpoints = With(("AWS_ENDPOINT_URL", "http://global:4566"), ("AWS_ENDPOINT_URL_EKS", "http://eks-stub:8080/prefix"));

        Assert.Equal(new Uri("http://eks-stub:8080/prefix"), endpoints.Resolve("eks", "eu-west-1").Uri);
        Assert.Equal(new Uri("http://global:4566/"), endpoints.Resolve("ecr", "eu-west-1").Uri);
        Assert.Equal(new Uri("http://global:4566/"), endpoints.Resolve("iam", "eu-west-1").Uri);
    }

    [Fact]
    public void An_overridden_IAM_endpoint_is_still_signed_for_the_partition_home_region()
    {
        Assert.Equal("us-east-1", With(("AWS_ENDPOINT_URL_IAM", "http://localhost:4566")).Resolve("iam", "eu-central-1").SigningRegion);
        Assert.Equal("eu-central-1", With(("AWS_ENDPOINT_URL_EKS", "http://localhost:4566")).Resolve("eks", "eu-central-1").SigningRegion);
    }

    [Fact]
    public void Configured_endpoints_can_be_ignored()
    {
        var endpoints = With(("AWS_ENDPOINT_URL", "http://global:4566"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));

        Assert.Equal(new Uri("https://eks.eu-west-1.amazonaws.com/"), endpoints.Resolve("eks", "eu-west-1").Uri);
    }

    [Fact]
    public void Empty_variables_do_not_count_and_bad_urls_name_the_variable()
    {
        Assert.False(With(("AWS_ENDPOINT_URL_ECR", "  ")).Resolve("ecr", "eu-west-1").IsOverride);
        var error = Assert.Throws<InvalidOperationException>(() => With(("AWS_ENDPOINT_URL_ECR", "localhost:4566")).Resolve("ecr", "eu-west-1"));
        Assert.Contains("AWS_ENDPOINT_URL_ECR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_comes_from_the_explicit_value_then_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        var both = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1", ["AWS_DEFAULT_REGION"] = "us-east-2" };
        var defaultOnly = new Dictionary<string, string> { ["AWS_DEFAULT_REGION"] = "us-east-2" };

        Assert.Equal("ap-south-1", AwsRegion.Resolve("ap-south-1", both.GetValueOrDefault));
        Assert.Equal("eu-west-1", AwsRegion.Resolve(null, both.GetValueOrDefault));
        Assert.Equal("us-east-2", AwsRegion.Resolve(" ", defaultOnly.GetValueOrDefault));
        Assert.Null(AwsRegion.Resolve(null, _ => null));
    }

    [Theory]
    [InlineData("eu-west-1", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    public void Partitions(string region, string partition) => Assert.Equal(partition, AwsRegion.PartitionOf(region).Name);

    [Fact]
    public void The_request_uri_keeps_an_override_base_path_and_encodes_the_query()
    {
        var uri = AwsHttpClient.BuildUri(new Uri("http://stub:8080/aws/"), "/clusters/a%20b", [new("namespace", "x y"), new("nextToken", "a/+=")]);

        Assert.Equal("http://stub:8080/aws/clusters/a%20b?namespace=x%20y&nextToken=a%2F%2B%3D", uri.AbsoluteUri);
    }
}
