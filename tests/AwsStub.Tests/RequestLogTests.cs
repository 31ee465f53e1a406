namespace EksHardening.AwsStub.Tests;

/// <summary>The request log that tests count calls with.</summary>
public class RequestLogTests : StubTest
{
    [Fact]
    public async Task Calls_are_counted_per_image_digest()
    {
        var a = Digests.Of("a");
        var b = Digests.Of("b");
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = a, Scan = EcrImageScan.Completed(DateTimeOffset.UtcNow) });
        Stub.Ecr.AddImage(new EcrImage { Repository = "app", Digest = b });
        foreach (var digest in new[] { a, a, b })
        {
            using var response = await Hand.EcrAsync("DescribeImageScanFindings", $$"""{"repositoryName":"app","imageId":{"imageDigest":"{{digest}}"} }""");
        }

        Assert.Equal(2, Stub.CountRequests("ecr", "DescribeImageScanFindings", r => r.Parameter("imageId.imageDigest") == a));
        Assert.Equal(1, Stub.CountRequests("ecr", "DescribeImageScanFindings", r => r.Parameter("imageId.imageDigest") == b));
        var failed = Stub.Requests.Single(r => !r.Succeeded);
        Assert.Equal((400, "ScanNotFoundException", b), (failed.StatusCode, failed.ErrorCode, failed.Parameter("imageId.imageDigest")));
        Assert.Equal("app", failed.Parameter("repositoryName"));
    }

    [Fact]
    public async Task Records_carry_service_operation_key_and_the_parameters_of_each_protocol()
    {
        Stub.Iam.AddRole(new Iam.IamRole { Name = "web" });
        Stub.Eks.AddCluster(new Eks.EksCluster { Name = "prod" });
        using (await Hand.IamAsync("GetRole", ("RoleName", "web")))
        using (await Hand.EksAsync("/clusters/prod/pod-identity-associations", new Dictionary<string, string> { ["maxResults"] = "3" }))
        using (await Hand.EcrAsync("DescribeImages", """{"repositoryName":"app","imageIds":[{"imageTag":"v1"}]}"""))
        {
        }

        var (iam, eks, ecr) = (Stub.Requests[0], Stub.Requests[1], Stub.Requests[2]);
        Assert.Equal(("iam", "GetRole", 200, "web"), (iam.Service, iam.Operation, iam.StatusCode, iam.Parameter("RoleName")));
        Assert.Null(iam.Parameter("Action"));
        Assert.Equal(("eks", "ListPodIdentityAssociations", "prod", "3"), (eks.Service, eks.Operation, eks.Parameter("clusterName"), eks.Parameter("maxResults")));
        Assert.Equal(("DescribeImages", "v1", "RepositoryNotFoundException"), (ecr.Operation, ecr.Parameter("imageIds.0.imageTag"), ecr.ErrorCode));
        Assert.All(Stub.Requests, r => Assert.Equal(Stub.Credentials.AccessKeyId, r.AccessKeyId));
        Assert.All(Stub.Requests, r => Assert.False(string.IsNullOrEmpty(r.RequestId)));
    }

    [Fact]
    public async Task Rejected_signatures_are_logged_with_their_parameters()
    {
        Hand.Credentials = new StubCredentials("AKIAUNKNOWN000000000", "x");
        using (await Hand.EcrAsync("DescribeRepositories", """{"registryId":"123456789012"}"""))
        {
        }

        var record = Stub.Requests.Single();
        Assert.Equal(("DescribeRepositories", "UnrecognizedClientException", "123456789012", null),
            (record.Operation, record.ErrorCode, record.Parameter("registryId"), record.AccessKeyId));
    }

    [Fact]
    public async Task A_request_naming_no_served_service_is_logged_as_unknown()
    {
        using var response = await Http.GetAsync(Stub.BaseUrl + "/");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("unknown", "Unknown"), (Stub.Requests.Single().Service, Stub.Requests.Single().Operation));
    }

    [Fact]
    public async Task The_log_clears_and_stays_bounded()
    {
        for (var i = 0; i < 3; i++)
        {
            using var response = await Hand.EcrAsync("DescribeRepositories", "{}");
        }

        Assert.Equal(3, Stub.CountRequests("ecr"));
        Stub.ClearRequests();
        Assert.Empty(Stub.Requests);
    }

    [Fact]
    public void The_served_operations_and_the_environment_are_published()
    {
        Assert.Equal(["cloudtrail", "ec2", "ecr", "eks", "guardduty", "iam", "kms", "ssm", "sts"], AwsEndpointStub.ServedOperations.Keys.Order());
        Assert.Contains("DescribeImageScanFindings", AwsEndpointStub.ServedOperations["ecr"]);
        var env = Stub.EnvironmentVariables();
        Assert.Equal(Stub.BaseUrl, env["AWS_ENDPOINT_URL"]);
        Assert.Equal(("eu-west-1", "AKIAIOSFODNN7EXAMPLE", "true"), (env["AWS_REGION"], env["AWS_ACCESS_KEY_ID"], env["AWS_EC2_METADATA_DISABLED"]));
        var perService = Stub.EnvironmentVariables(perService: true);
        Assert.False(perService.ContainsKey("AWS_ENDPOINT_URL"));
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_ECR"]);
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_STS"]);
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_GUARDDUTY"]);
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_CLOUDTRAIL"]);
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_EC2"]);
        Assert.Equal(Stub.BaseUrl, perService["AWS_ENDPOINT_URL_SSM"]);
    }

    [Fact]
    public async Task An_unsigned_web_identity_call_is_logged_without_a_key()
    {
        using var content = new StringContent("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=s1&WebIdentityToken=abcd",
            Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.PostAsync(Stub.BaseUrl + "/", content);
        var record = Stub.Requests.Single();
        Assert.Equal(("sts", "AssumeRoleWithWebIdentity", null, "InvalidIdentityToken"), (record.Service, record.Operation, record.AccessKeyId, record.ErrorCode));
        Assert.Equal("arn:aws:iam::123456789012:role/x", record.Parameter("RoleArn"));
    }
}
