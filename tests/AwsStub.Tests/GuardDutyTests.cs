using System.Text.Json;

namespace EksHardening.AwsStub.Tests;

/// <summary>GuardDuty (REST-JSON, camelCase) requests built from the API reference and signed with the SDK's signer.</summary>
public class GuardDutyTests : StubTest
{
    protected override void Configure(AwsStubOptions options) => options.AdditionalRegions.Add("us-east-1");

    [Fact]
    public async Task ListDetectors_pages_through_the_detectors_of_the_called_region_only()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Stub.GuardDuty.AddDetector(new GuardDutyDetector()).DetectorId!).ToList();
        var elsewhere = Stub.GuardDuty.AddDetector(new GuardDutyDetector { Region = "us-east-1" });

        var listed = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = new Dictionary<string, string> { ["maxResults"] = "2" };
            if (token is not null)
            {
                query["nextToken"] = token;
            }

            var body = await OkAsync("/detector", query);
            listed.AddRange(body["detectorIds"]!.AsArray().Select(id => id!.GetValue<string>()));
            token = body["nextToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Hand.Region = "us-east-1";
        Assert.Equal($"""["{elsewhere.DetectorId}"]""", (await OkAsync("/detector"))["detectorIds"]!.ToJsonString());
    }

    [Fact]
    public async Task A_region_without_detectors_lists_an_empty_array_and_no_token()
    {
        var body = await OkAsync("/detector");
        Assert.Equal("""{"detectorIds":[]}""", body.ToJsonString());
    }

    [Theory]
    [InlineData("maxResults", "51")]
    [InlineData("maxResults", "0")]
    [InlineData("nextToken", "not-a-token")]
    public async Task Bad_list_input_is_a_400_BadRequestException(string name, string value)
    {
        using var response = await GuardDutyAsync("/detector", new Dictionary<string, string> { [name] = value });
        var (code, body) = await Responses.RestErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("BadRequestException", code);
        Assert.Equal("InvalidInputException", body["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetDetector_reports_status_and_features_with_their_additional_configuration()
    {
        var detector = Stub.GuardDuty.AddDetector(new GuardDutyDetector
        {
            Features =
            [
                new GuardDutyFeature("EKS_AUDIT_LOGS"),
                new GuardDutyFeature("RUNTIME_MONITORING", "ENABLED", new Dictionary<string, string> { ["EKS_ADDON_MANAGEMENT"] = "DISABLED" }),
                new GuardDutyFeature("EKS_RUNTIME_MONITORING", "DISABLED"),
            ],
        });

        var body = await OkAsync($"/detector/{detector.DetectorId}");

        Assert.Equal("ENABLED", body["status"]!.GetValue<string>());
        Assert.Equal("SIX_HOURS", body["findingPublishingFrequency"]!.GetValue<string>());
        Assert.EndsWith("AWSServiceRoleForAmazonGuardDuty", body["serviceRole"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body["createdAt"]!.GetValue<string>());
        var features = body["features"]!.AsArray();
        Assert.Equal(["EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"], features.Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal(["ENABLED", "ENABLED", "DISABLED"], features.Select(f => f!["status"]!.GetValue<string>()));
        Assert.Null(features[0]!["additionalConfiguration"]);
        var setting = Assert.Single(features[1]!["additionalConfiguration"]!.AsArray())!;
        Assert.Equal(("EKS_ADDON_MANAGEMENT", "DISABLED"), (setting["name"]!.GetValue<string>(), setting["status"]!.GetValue<string>()));
        Assert.Equal(JsonValueKind.Number, features[0]!["updatedAt"]!.GetValueKind());
        Assert.Matches("^[0-9a-f]{32}$", detector.DetectorId);
    }

    [Fact]
    public async Task A_detector_not_in_the_called_region_or_unknown_is_a_400_BadRequestException()
    {
        var other = Stub.GuardDuty.AddDetector(new GuardDutyDetector { Region = "us-east-1" });
        foreach (var id in new[] { other.DetectorId!, "0123456789abcdef0123456789abcdef" })
        {
            using var response = await GuardDutyAsync($"/detector/{id}");
            var (code, body) = await Responses.RestErrorAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal("BadRequestException", code);
            Assert.Equal("The request is rejected because the input detectorId is not owned by the current account.", body["message"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("throttle", 429, "ThrottlingException")]
    [InlineData("deny", 403, "AccessDeniedException")]
    [InlineData("fail", 500, "InternalServerErrorException")]
    public async Task Faults_answer_in_the_rest_json_shape(string fault, int status, string code)
    {
        _ = fault switch
        {
            "throttle" => Stub.Faults.Throttle("guardduty", "ListDetectors"),
            "deny" => Stub.Faults.DenyAccess("guardduty", "ListDetectors"),
            _ => Stub.Faults.Fail("guardduty", "ListDetectors", code, status),
        };
        using var response = await GuardDutyAsync("/detector");
        var (actual, body) = await Responses.RestErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(code, actual);
        Assert.False(string.IsNullOrEmpty(body["message"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_malformed_response_fault_cuts_the_body()
    {
        Stub.Faults.MalformResponses("guardduty", "GetDetector");
        var detector = Stub.GuardDuty.AddDetector(new GuardDutyDetector());
        using var response = await GuardDutyAsync($"/detector/{detector.DetectorId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));
    }

    [Fact]
    public void The_served_operations_list_guardduty()
    {
        Assert.Equal(["GetDetector", "ListDetectors"], AwsEndpointStub.ServedOperations["guardduty"]);
    }

    private Task<HttpResponseMessage> GuardDutyAsync(string path, IReadOnlyDictionary<string, string>? query = null) =>
        Hand.SendAsync(SdkSigner.Sign(Stub.BaseUrl, "guardduty", Hand.Region, HttpMethod.Get, path, null, null, query, Hand.Credentials));

    private async Task<JsonObject> OkAsync(string path, IReadOnlyDictionary<string, string>? query = null)
    {
        using var response = await GuardDutyAsync(path, query);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await Responses.JsonAsync(response);
    }
}
