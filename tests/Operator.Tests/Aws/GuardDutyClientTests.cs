namespace EksHardening.Operator.Tests.Aws;

/// <summary>GuardDuty requests on the wire (REST-JSON, camelCase) and responses shaped like the API reference's.</summary>
public sealed class GuardDutyClientTests
{
    private static readonly AwsRetryOptions NoRetry = new() { MaxAttempts = 1, Random = () => 0 };

    [Fact]
    public async Task ListDetectors_follows_next_token_to_the_end()
    {
        var handler = new FakeAwsHandler()
            .Enqueue(HttpStatusCode.OK, """{"detectorIds":["12abc34d567e8fa901bc2d34e56789f0"],"nextToken":"page/2"}""", "application/json")
            .Enqueue(HttpStatusCode.OK, """{"detectorIds":["98cba76d543e2fa109cb8d76e54321f0"],"nextToken":""}""", "application/json");
        using var http = AwsTest.Http(handler);

        var ids = await new GuardDutyClient(http).ListDetectorsAsync("eu-west-1");

        Assert.Equal(["12abc34d567e8fa901bc2d34e56789f0", "98cba76d543e2fa109cb8d76e54321f0"], ids);
        var requests = handler.Requests.ToArray();
        Assert.Equal(HttpMethod.Get, requests[0].Method);
        Assert.Equal("https://guardduty.eu-west-1.amazonaws.com/detector?maxResults=50", requests[0].Uri.AbsoluteUri);
        Assert.Equal(new Dictionary<string, string> { ["maxResults"] = "50", ["nextToken"] = "page/2" }, requests[1].Query());
        Assert.Contains("nextToken=page%2F2", requests[1].Uri.Query, StringComparison.Ordinal);
        AwsTest.AssertSigned(requests[0], "guardduty", "eu-west-1");
    }

    [Fact]
    public async Task A_region_without_a_detector_lists_none()
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.OK, """{"detectorIds":[]}""", "application/json");
        using var http = AwsTest.Http(handler);

        Assert.Empty(await new GuardDutyClient(http).ListDetectorsAsync("eu-west-1"));
    }

    [Fact]
    public async Task A_repeated_next_token_stops_the_listing_with_an_error()
    {
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.OK, """{"detectorIds":["d"],"nextToken":"same"}""", "application/json") };
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new GuardDutyClient(http).ListDetectorsAsync("eu-west-1"));

        Assert.Equal("PaginationLoop", error.ErrorCode);
        Assert.Equal("guardduty", error.Service);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task GetDetector_reads_status_features_and_their_additional_configuration()
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.OK, """
            {
              "createdAt": "2026-01-05T10:00:00.000Z",
              "findingPublishingFrequency": "SIX_HOURS",
              "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
              "status": "ENABLED",
              "updatedAt": "2026-01-05T10:00:00.000Z",
              "features": [
                { "name": "CLOUD_TRAIL", "status": "ENABLED", "updatedAt": 1.767607200E9 },
                { "name": "EKS_AUDIT_LOGS", "status": "ENABLED", "updatedAt": 1.767607200E9 },
                { "name": "RUNTIME_MONITORING", "status": "ENABLED", "updatedAt": 1.767607200E9,
                  "additionalConfiguration": [
                    { "name": "EKS_ADDON_MANAGEMENT", "status": "DISABLED", "updatedAt": 1.767607200E9 },
                    { "name": "ECS_FARGATE_AGENT_MANAGEMENT", "status": "ENABLED", "updatedAt": 1.767607200E9 }
                  ] },
                { "name": "EKS_RUNTIME_MONITORING", "status": "DISABLED" },
                { "status": "ENABLED" }
              ],
              "tags": {}
            }
            """, "application/json");
        using var http = AwsTest.Http(handler);

        var detector = await new GuardDutyClient(http).GetDetectorAsync("us-east-2", "12abc34d567e8fa901bc2d34e56789f0");

        Assert.Equal("12abc34d567e8fa901bc2d34e56789f0", detector.DetectorId);
        Assert.Equal("ENABLED", detector.Status);
        Assert.Equal(["CLOUD_TRAIL", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"], detector.Features.Select(f => f.Name));
        Assert.Equal(["ENABLED", "ENABLED", "ENABLED", "DISABLED"], detector.Features.Select(f => f.Status));
        var runtime = detector.Features.Single(f => f.Name == "RUNTIME_MONITORING");
        Assert.Equal(new Dictionary<string, string?> { ["EKS_ADDON_MANAGEMENT"] = "DISABLED", ["ECS_FARGATE_AGENT_MANAGEMENT"] = "ENABLED" }, runtime.AdditionalConfiguration);
        Assert.Empty(detector.Features.Single(f => f.Name == "EKS_RUNTIME_MONITORING").AdditionalConfiguration);

        var request = handler.Single();
        Assert.Equal("https://guardduty.us-east-2.amazonaws.com/detector/12abc34d567e8fa901bc2d34e56789f0", request.Uri.AbsoluteUri);
        AwsTest.AssertSigned(request, "guardduty", "us-east-2");
    }

    [Fact]
    public async Task A_detector_without_features_has_none_and_labels_are_escaped()
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.OK, """{"status":"DISABLED","serviceRole":"r"}""", "application/json");
        using var http = AwsTest.Http(handler);

        var detector = await new GuardDutyClient(http).GetDetectorAsync("eu-west-1", "a b/c");

        Assert.Equal("DISABLED", detector.Status);
        Assert.Empty(detector.Features);
        Assert.Equal("/detector/a%20b%2Fc", handler.Single().Uri.AbsolutePath);
    }

    [Theory]
    [InlineData(403, "AccessDeniedException", AwsErrorKind.AccessDenied)]
    [InlineData(400, "BadRequestException", AwsErrorKind.Invalid)]
    [InlineData(500, "InternalServerErrorException", AwsErrorKind.ServerError)]
    public async Task Errors_come_from_the_error_type_header(int status, string code, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue((HttpStatusCode)status,
            """{"message":"The request is rejected because the input detectorId is not owned by the current account.","type":"InvalidInputException"}""",
            "application/json", ("x-amzn-ErrorType", code));
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new GuardDutyClient(http).GetDetectorAsync("eu-west-1", "0000"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(("guardduty", "GetDetector"), (error.Service, error.Operation));
        Assert.StartsWith("The request is rejected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_is_retried_and_counted()
    {
        var handler = new FakeAwsHandler()
            .Enqueue(HttpStatusCode.TooManyRequests, """{"message":"Rate exceeded"}""", "application/json", ("x-amzn-ErrorType", "ThrottlingException"))
            .Enqueue(HttpStatusCode.OK, """{"detectorIds":["d1"]}""", "application/json");
        using var http = AwsTest.Http(handler);

        Assert.Equal(["d1"], await new GuardDutyClient(http).ListDetectorsAsync("eu-west-1"));

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, http.Counters.Count("guardduty", "ListDetectors", AwsCallCounters.Retry));
        Assert.Equal(1, http.Counters.Count("guardduty", "ListDetectors", AwsCallCounters.Success));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_an_error()
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.OK, """{"status":"ENAB""", "application/json");
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new GuardDutyClient(http).GetDetectorAsync("eu-west-1", "d1"));

        Assert.Equal(("MalformedResponse", AwsErrorKind.Unknown), (error.ErrorCode, error.Kind));
    }
}
