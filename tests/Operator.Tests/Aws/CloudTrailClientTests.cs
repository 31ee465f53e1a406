namespace EksHardening.Operator.Tests.Aws;

/// <summary>CloudTrail requests on the wire (JSON 1.1, PascalCase) and responses shaped like the API reference's.</summary>
public sealed class CloudTrailClientTests
{
    private const string TrailArn = "arn:aws:cloudtrail:us-east-2:123456789012:trail/management-events";
    private static readonly AwsRetryOptions NoRetry = new() { MaxAttempts = 1, Random = () => 0 };

    [Fact]
    public async Task DescribeTrails_asks_for_shadow_trails_and_reads_each_trail()
    {
        var handler = new FakeAwsHandler().Json($$"""
            {
              "trailList": [
                { "Name": "management-events", "S3BucketName": "logs", "IncludeGlobalServiceEvents": true, "IsMultiRegionTrail": true,
                  "HomeRegion": "us-east-2", "TrailARN": "{{TrailArn}}", "LogFileValidationEnabled": true,
                  "HasCustomEventSelectors": false, "HasInsightSelectors": false, "IsOrganizationTrail": false },
                { "Name": "org", "IsMultiRegionTrail": false, "HomeRegion": "eu-west-1",
                  "TrailARN": "arn:aws:cloudtrail:eu-west-1:210987654321:trail/org", "IsOrganizationTrail": true },
                { "TrailARN": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/nameless" },
                { "Name": "no-arn", "HomeRegion": "eu-west-1", "IsMultiRegionTrail": true }
              ]
            }
            """);
        using var http = AwsTest.Http(handler);

        var trails = await new CloudTrailClient(http).DescribeTrailsAsync("eu-west-1");

        Assert.Equal(
        [
            new CloudTrailTrail("management-events", TrailArn, "us-east-2", IsMultiRegionTrail: true, IsOrganizationTrail: false),
            new CloudTrailTrail("org", "arn:aws:cloudtrail:eu-west-1:210987654321:trail/org", "eu-west-1", IsMultiRegionTrail: false, IsOrganizationTrail: true),
            new CloudTrailTrail("nameless", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/nameless", null, IsMultiRegionTrail: false, IsOrganizationTrail: false),
        ], trails);
        var request = handler.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://cloudtrail.eu-west-1.amazonaws.com/", request.Uri.AbsoluteUri);
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", request.ContentType);
        Assert.Equal("""{"includeShadowTrails":true}""", request.Body);
        AwsTest.AssertSigned(request, "cloudtrail", "eu-west-1");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task GetTrailStatus_reads_IsLogging(string isLogging, bool expected)
    {
        var handler = new FakeAwsHandler().Json($$"""{"IsLogging":{{isLogging}},"StartLoggingTime":1.7676072E9,"TimeLoggingStarted":"2026-01-05T10:00:00Z"}""");
        using var http = AwsTest.Http(handler);

        Assert.Equal(expected, await new CloudTrailClient(http).GetTrailIsLoggingAsync("us-east-2", TrailArn));

        var request = handler.Single();
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus", request.Header("X-Amz-Target"));
        Assert.Equal($$"""{"Name":"{{TrailArn}}"}""", request.Body);
        AwsTest.AssertSigned(request, "cloudtrail", "us-east-2");
    }

    [Fact]
    public async Task A_status_without_IsLogging_is_an_error_not_a_guess()
    {
        var handler = new FakeAwsHandler().Json("""{"LatestDeliveryError":"AccessDenied"}""");
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudTrailClient(http).GetTrailIsLoggingAsync("us-east-2", TrailArn));

        Assert.Equal(("MalformedResponse", "cloudtrail", "GetTrailStatus"), (error.ErrorCode, error.Service, error.Operation));
    }

    [Fact]
    public async Task GetEventSelectors_reads_basic_selectors()
    {
        var handler = new FakeAwsHandler().Json($$"""
            {
              "TrailARN": "{{TrailArn}}",
              "EventSelectors": [
                { "ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": [],
                  "ExcludeManagementEventSources": ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
                { "ReadWriteType": "WriteOnly", "IncludeManagementEvents": false,
                  "DataResources": [{ "Type": "AWS::S3::Object", "Values": ["arn:aws:s3"] }] },
                { }
              ]
            }
            """);
        using var http = AwsTest.Http(handler);

        var selectors = await new CloudTrailClient(http).GetEventSelectorsAsync("us-east-2", TrailArn);

        Assert.Empty(selectors.AdvancedEventSelectors);
        Assert.Equal(3, selectors.EventSelectors.Count);
        Assert.Equal(("All", true), (selectors.EventSelectors[0].ReadWriteType, selectors.EventSelectors[0].IncludeManagementEvents));
        Assert.Equal(["kms.amazonaws.com", "rdsdata.amazonaws.com"], selectors.EventSelectors[0].ExcludeManagementEventSources);
        Assert.Equal(("WriteOnly", false), (selectors.EventSelectors[1].ReadWriteType, selectors.EventSelectors[1].IncludeManagementEvents));
        Assert.Empty(selectors.EventSelectors[1].ExcludeManagementEventSources);
        Assert.Equal((null, false), (selectors.EventSelectors[2].ReadWriteType, selectors.EventSelectors[2].IncludeManagementEvents));
        var request = handler.Single();
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors", request.Header("X-Amz-Target"));
        Assert.Equal($$"""{"TrailName":"{{TrailArn}}"}""", request.Body);
    }

    [Fact]
    public async Task GetEventSelectors_reads_every_condition_of_advanced_selectors()
    {
        var handler = new FakeAwsHandler().Json($$"""
            {
              "TrailARN": "{{TrailArn}}",
              "AdvancedEventSelectors": [
                { "Name": "Management events", "FieldSelectors": [
                    { "Field": "eventCategory", "Equals": ["Management"] },
                    { "Field": "eventSource", "NotEquals": ["kms.amazonaws.com"], "NotStartsWith": ["rds"], "NotEndsWith": [".internal"] } ] },
                { "FieldSelectors": [
                    { "Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::bucket/"], "EndsWith": [".log"] } ] }
              ]
            }
            """);
        using var http = AwsTest.Http(handler);

        var selectors = await new CloudTrailClient(http).GetEventSelectorsAsync("us-east-2", TrailArn);

        Assert.Empty(selectors.EventSelectors);
        Assert.Equal(2, selectors.AdvancedEventSelectors.Count);
        var management = selectors.AdvancedEventSelectors[0];
        Assert.Equal(new CloudTrailFieldSelector("eventCategory", ["Management"], [], [], [], [], []), management[0], FieldSelectorComparer.Instance);
        Assert.Equal(new CloudTrailFieldSelector("eventSource", [], ["kms.amazonaws.com"], [], ["rds"], [], [".internal"]), management[1], FieldSelectorComparer.Instance);
        Assert.Equal(new CloudTrailFieldSelector("resources.ARN", [], [], ["arn:aws:s3:::bucket/"], [], [".log"], []),
            Assert.Single(selectors.AdvancedEventSelectors[1]), FieldSelectorComparer.Instance);
    }

    [Theory]
    [InlineData("""{ "Equals": ["Management"] }""")]
    [InlineData("""{ "Field": "", "Equals": ["Management"] }""")]
    [InlineData("""{ "Field": "readOnly", "Equals": [true] }""")]
    [InlineData("""{ "Field": "eventSource", "NotEquals": [null] }""")]
    public async Task An_advanced_selector_that_would_read_wider_than_it_is_an_error(string fieldSelector)
    {
        var handler = new FakeAwsHandler().Json($$"""{"AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{{fieldSelector}}]}]}""");
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudTrailClient(http).GetEventSelectorsAsync("us-east-2", TrailArn));

        Assert.Equal(("MalformedResponse", "GetEventSelectors"), (error.ErrorCode, error.Operation));
        Assert.Contains(TrailArn, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TrailNotFoundException", "Unknown trail: arn:aws:cloudtrail:us-east-2:123456789012:trail/x for the user: 123456789012", AwsErrorKind.NotFound)]
    [InlineData("AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/op/x is not authorized to perform: cloudtrail:GetTrailStatus", AwsErrorKind.AccessDenied)]
    [InlineData("CloudTrailARNInvalidException", "ARN x is not valid.", AwsErrorKind.Invalid)]
    [InlineData("com.amazonaws.cloudtrail.v20131101#TrailNotFoundException", "namespaced type", AwsErrorKind.NotFound)]
    public async Task Errors_come_from_the_type(string type, string message, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.BadRequest, $$"""{"__type":"{{type}}","message":"{{message}}"}""");
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudTrailClient(http).GetTrailIsLoggingAsync("us-east-2", TrailArn));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(type[(type.IndexOf('#', StringComparison.Ordinal) + 1)..], error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Throttling_is_retried_and_counted()
    {
        var handler = new FakeAwsHandler()
            .Enqueue(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""")
            .Json("""{"trailList":[]}""");
        using var http = AwsTest.Http(handler);

        Assert.Empty(await new CloudTrailClient(http).DescribeTrailsAsync("eu-west-1"));

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, http.Counters.Count("cloudtrail", "DescribeTrails", AwsCallCounters.Retry));
        Assert.Equal(1, http.Counters.Count("cloudtrail", "DescribeTrails", AwsCallCounters.Success));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_an_error()
    {
        var handler = new FakeAwsHandler().Json("""{"trailList":[{"Name":""");
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudTrailClient(http).DescribeTrailsAsync("eu-west-1"));

        Assert.Equal(("MalformedResponse", AwsErrorKind.Unknown), (error.ErrorCode, error.Kind));
    }

    /// <summary>Records compare lists by reference; this compares a field selector's values.</summary>
    private sealed class FieldSelectorComparer : IEqualityComparer<CloudTrailFieldSelector>
    {
        public static readonly FieldSelectorComparer Instance = new();

        public bool Equals(CloudTrailFieldSelector? x, CloudTrailFieldSelector? y) =>
            x is not null && y is not null && x.Field == y.Field && Lists(x).Zip(Lists(y)).All(p => p.First.SequenceEqual(p.Second));

        public int GetHashCode(CloudTrailFieldSelector obj) => obj.Field.GetHashCode(StringComparison.Ordinal);

        private static IReadOnlyList<string>[] Lists(CloudTrailFieldSelector s) =>
            [s.EqualsValues, s.NotEqualsValues, s.StartsWith, s.NotStartsWith, s.EndsWith, s.NotEndsWith];
    }
}
