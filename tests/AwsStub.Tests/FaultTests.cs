using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace EksHardening.AwsStub.Tests;

/// <summary>Every fault knob, observed through the SDK where it is served and by hand elsewhere.</summary>
public class FaultTests : StubTest
{
    public override Task InitializeAsyncCore()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        Stub.Iam.AddRole(new IamRole { Name = "web" });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Throttling_every_third_call_uses_each_services_own_error()
    {
        var rule = Stub.Faults.Throttle("ecr", "DescribeRepositories", everyNth: 3);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await Hand.EcrAsync("DescribeRepositories", "{}");
            statuses.Add(response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                Assert.Equal(("ThrottlingException", "Rate exceeded"), await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest));
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest], statuses);
        Assert.Equal(2, rule.Hits);
    }

    [Fact]
    public async Task Throttling_on_IAM_and_EKS_uses_their_codes_and_statuses()
    {
        Stub.Faults.Throttle(null);
        using var iam = await Hand.IamAsync("GetRole", ("RoleName", "web"));
        Assert.Equal(("Sender", "Throttling", "Rate exceeded"), await Responses.QueryErrorAsync(iam, HttpStatusCode.BadRequest, Responses.IamNs));
        using var eks = await Hand.EksAsync("/clusters/prod");
        Assert.Equal("ThrottlingException", (await Responses.RestErrorAsync(eks, HttpStatusCode.TooManyRequests)).Code);
    }

    [Fact]
    public async Task The_SDK_retries_a_throttled_call_and_succeeds()
    {
        var key = Stub.Kms.AddKey(new KmsKey());
        Stub.Faults.Throttle("kms", "DescribeKey", times: 1);
        using var kms = Kms(maxErrorRetry: 2);
        await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn });
        Assert.Equal([400, 200], Stub.Requests.Select(r => r.StatusCode));
        Assert.Equal("ThrottlingException", Stub.Requests[0].ErrorCode);
        Assert.Equal(AwsFaultKind.Throttling, Stub.Requests[0].Fault);
    }

    [Fact]
    public async Task Access_can_be_denied_for_one_service_only()
    {
        var key = Stub.Kms.AddKey(new KmsKey());
        Stub.Faults.DenyAccess("ecr");
        using var ecr = await Hand.EcrAsync("DescribeRepositories", "{}");
        var (code, message) = await Responses.Json11ErrorAsync(ecr, HttpStatusCode.BadRequest);
        Assert.Equal("AccessDeniedException", code);
        Assert.Equal("User: arn:aws:iam::123456789012:user/aws-stub is not authorized to perform: ecr:DescribeRepositories because no identity-based policy allows the ecr:DescribeRepositories action", message);
        using var kms = Kms();
        Assert.Equal(key.Arn, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task Access_denied_on_IAM_and_KMS_in_their_shapes()
    {
        Stub.Faults.DenyAccess("iam", "GetRole");
        Stub.Faults.DenyAccess("kms");
        using var iam = await Hand.IamAsync("GetRole", ("RoleName", "web"));
        Assert.Equal("AccessDenied", (await Responses.QueryErrorAsync(iam, HttpStatusCode.Forbidden, Responses.IamNs)).Code);
        using var kms = Kms();
        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/x" }));
        Assert.Equal("AccessDeniedException", error.ErrorCode);
    }

    [Fact]
    public async Task A_custom_error_code_and_status_are_sent_as_given()
    {
        Stub.Faults.Fail("ecr", "DescribeImages", "ServerException", 500, "boom");
        Stub.Ecr.AddRepository(new Ecr.EcrRepository { Name = "app" });
        using var response = await Hand.EcrAsync("DescribeImages", """{"repositoryName":"app"}""");
        Assert.Equal(("ServerException", "boom"), await Responses.Json11ErrorAsync(response, HttpStatusCode.InternalServerError));
        using var other = await Hand.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_rule_with_a_count_fires_that_many_times()
    {
        var rule = Stub.Faults.Fail("eks", null, "ServiceUnavailableException", 503, times: 2);
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await Hand.EksAsync("/clusters/prod");
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([503, 503, 200, 200], statuses);
        Assert.Equal(2, rule.Hits);
    }

    [Fact]
    public async Task A_rate_fails_a_share_of_calls_repeatably()
    {
        var rule = Stub.Faults.Throttle("ecr", rate: 0.5);
        for (var i = 0; i < 40; i++)
        {
            using var response = await Hand.EcrAsync("DescribeRepositories", "{}");
        }

        Assert.InRange(rule.Hits, 8, 32);
        Assert.Equal(rule.Hits, Stub.CountRequests("ecr", where: r => r.ErrorCode == "ThrottlingException"));
    }

    [Fact]
    public async Task A_predicate_targets_one_image_digest()
    {
        var bad = Digests.Of("bad");
        var good = Digests.Of("good");
        Stub.Ecr.AddImage(new Ecr.EcrImage { Repository = "app", Digest = bad, Scan = Ecr.EcrImageScan.Completed(DateTimeOffset.UtcNow) });
        Stub.Ecr.AddImage(new Ecr.EcrImage { Repository = "app", Digest = good, Scan = Ecr.EcrImageScan.Completed(DateTimeOffset.UtcNow) });
        Stub.Faults.Fail("ecr", "DescribeImageScanFindings", "ServerException", 500, when: call => call.Parameter("imageId.imageDigest") == bad);
        using var failing = await Hand.EcrAsync("DescribeImageScanFindings", $$"""{"repositoryName":"app","imageId":{"imageDigest":"{{bad}}"} }""");
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        using var working = await Hand.EcrAsync("DescribeImageScanFindings", $$"""{"repositoryName":"app","imageId":{"imageDigest":"{{good}}"} }""");
        Assert.Equal(HttpStatusCode.OK, working.StatusCode);
    }

    [Fact]
    public async Task A_malformed_response_is_200_with_a_body_that_does_not_parse()
    {
        Stub.Faults.MalformResponses("ecr", times: 1);
        using var response = await Hand.EcrAsync("GetRegistryScanningConfiguration", "{}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("{\"registryId\"", text, StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(text));
        using var next = await Hand.EcrAsync("GetRegistryScanningConfiguration", "{}");
        await Responses.JsonAsync(next);
    }

    [Fact]
    public async Task The_SDK_fails_on_a_malformed_response()
    {
        var key = Stub.Kms.AddKey(new KmsKey());
        Stub.Faults.MalformResponses("kms", "DescribeKey");
        using var kms = Kms();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn }));
        Assert.True(error is AmazonServiceException or AmazonClientException, error.GetType().FullName);
    }

    [Fact]
    public async Task A_dropped_connection_gets_no_answer_and_is_logged_with_status_0()
    {
        Stub.Faults.DropConnections("iam", "GetRole", times: 1);
        await Assert.ThrowsAsync<HttpRequestException>(() => Hand.IamAsync("GetRole", ("RoleName", "web")));
        var record = Stub.Requests.Single();
        Assert.Equal((0, AwsFaultKind.DropConnection, "GetRole"), (record.StatusCode, record.Fault, record.Operation));
        using var next = await Hand.IamAsync("GetRole", ("RoleName", "web"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Delay_rules_and_global_latency_slow_calls_down()
    {
        Stub.Faults.Delay("eks", "DescribeCluster", TimeSpan.FromMilliseconds(250), times: 1);
        var watch = Stopwatch.StartNew();
        using (var delayed = await Hand.EksAsync("/clusters/prod"))
        {
            Assert.Equal(HttpStatusCode.OK, delayed.StatusCode);
        }

        Assert.True(watch.ElapsedMilliseconds >= 240, $"{watch.ElapsedMilliseconds} ms");
        Stub.Faults.Latency = TimeSpan.FromMilliseconds(200);
        watch.Restart();
        using (var slow = await Hand.EcrAsync("DescribeRepositories", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        }

        Assert.True(watch.ElapsedMilliseconds >= 190, $"{watch.ElapsedMilliseconds} ms");
        Stub.Faults.Reset();
        Assert.Equal(TimeSpan.Zero, Stub.Faults.Latency);
        Assert.Empty(Stub.Faults.Rules);
    }

    [Fact]
    public async Task Rules_change_while_serving()
    {
        var rule = Stub.Faults.Throttle("ecr");
        using (var throttled = await Hand.EcrAsync("DescribeRepositories", "{}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, throttled.StatusCode);
        }

        Stub.Faults.Remove(rule);
        using var served = await Hand.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Faults_apply_only_after_authentication()
    {
        var rule = Stub.Faults.Throttle(null);
        Hand.Credentials = new StubCredentials(Stub.Credentials.AccessKeyId, "wrong");
        using var response = await Hand.EcrAsync("DescribeRepositories", "{}");
        Assert.Equal("InvalidSignatureException", (await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest)).Code);
        Assert.Equal(0, rule.Hits);
    }

    [Fact]
    public async Task Concurrent_calls_count_every_Nth_exactly()
    {
        var rule = Stub.Faults.Throttle("ecr", everyNth: 4);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await Hand.EcrAsync("DescribeRepositories", "{}");
        }));
        Assert.Equal(10, rule.Hits);
        Assert.Equal(10, Stub.CountRequests("ecr", "DescribeRepositories", r => r.ErrorCode == "ThrottlingException"));
    }
}
