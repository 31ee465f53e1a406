using System.Text.Json;

namespace EksHardening.AwsStub.Tests;

/// <summary>CloudTrail (JSON 1.1, PascalCase) requests built from the API reference and signed with the SDK's signer.</summary>
public class CloudTrailTests : StubTest
{
    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

    protected override void Configure(AwsStubOptions options) => options.AdditionalRegions.Add("us-east-1");

    [Fact]
    public async Task DescribeTrails_lists_own_trails_and_shadows_of_multi_region_and_organization_trails()
    {
        var own = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "regional" });
        var global = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "global", HomeRegion = "us-east-1", IsMultiRegionTrail = true });
        Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "elsewhere", HomeRegion = "us-east-1" });
        var organization = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "org", HomeRegion = "us-east-1", AccountId = "210987654321", IsMultiRegionTrail = true, IsOrganizationTrail = true });

        var withShadows = await TrailsAsync("{}");
        Assert.Equal([own.Arn!, global.Arn!, organization.Arn!], withShadows.Select(t => t["TrailARN"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var shadow = withShadows.Single(t => t["Name"]!.GetValue<string>() == "global");
        Assert.Equal(("us-east-1", true, false), (shadow["HomeRegion"]!.GetValue<string>(), shadow["IsMultiRegionTrail"]!.GetValue<bool>(), shadow["IsOrganizationTrail"]!.GetValue<bool>()));
        Assert.True(withShadows.Single(t => t["Name"]!.GetValue<string>() == "org")["IsOrganizationTrail"]!.GetValue<bool>());

        var ownOnly = await TrailsAsync("""{"includeShadowTrails":false}""");
        Assert.Equal([own.Arn!], ownOnly.Select(t => t["TrailARN"]!.GetValue<string>()));
        Assert.Equal($"arn:aws:cloudtrail:{Stub.Region}:{Stub.AccountId}:trail/regional", own.Arn);

        var byName = await TrailsAsync($$"""{"trailNameList":["regional","{{global.Arn}}"]}""");
        Assert.Equal([own.Arn!, global.Arn!], byName.Select(t => t["TrailARN"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetTrailStatus_by_name_in_the_home_region_and_by_ARN_wherever_the_trail_is_shown()
    {
        var global = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "global", HomeRegion = "us-east-1", IsMultiRegionTrail = true, IsLogging = false });
        var regional = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "regional", HomeRegion = "us-east-1" });

        Assert.False((await OkAsync("GetTrailStatus", $$"""{"Name":"{{global.Arn}}"}"""))["IsLogging"]!.GetValue<bool>());
        Stub.CloudTrail.SetLogging(global.Arn!, true);
        var status = await OkAsync("GetTrailStatus", $$"""{"Name":"{{global.Arn}}"}""");
        Assert.True(status["IsLogging"]!.GetValue<bool>());
        Assert.Equal(JsonValueKind.Number, status["StartLoggingTime"]!.GetValueKind());

        foreach (var name in new[] { "global", regional.Arn! })
        {
            var (code, message) = await ErrorAsync("GetTrailStatus", $$"""{"Name":"{{name}}"}""");
            Assert.Equal("TrailNotFoundException", code);
            Assert.StartsWith("Unknown trail: arn:aws:cloudtrail:", message, StringComparison.Ordinal);
        }

        Hand.Region = "us-east-1";
        Assert.True((await OkAsync("GetTrailStatus", """{"Name":"global"}"""))["IsLogging"]!.GetValue<bool>());
        Assert.True((await OkAsync("GetTrailStatus", $$"""{"Name":"{{regional.Arn}}"}"""))["IsLogging"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/x", "CloudTrailARNInvalidException")]
    [InlineData("arn:aws:s3:::bucket", "CloudTrailARNInvalidException")]
    [InlineData("ab", "InvalidTrailNameException")]
    [InlineData("my--trail", "InvalidTrailNameException")]
    [InlineData("-trail", "InvalidTrailNameException")]
    [InlineData("192.168.5.4", "InvalidTrailNameException")]
    [InlineData("missing", "TrailNotFoundException")]
    public async Task Bad_or_unknown_trail_names_get_CloudTrails_errors(string name, string code)
    {
        foreach (var (operation, member) in new[] { ("GetTrailStatus", "Name"), ("GetEventSelectors", "TrailName") })
        {
            Assert.Equal(code, (await ErrorAsync(operation, $$"""{"{{member}}":"{{name}}"}""")).Code);
        }
    }

    [Fact]
    public async Task GetEventSelectors_answers_the_default_basic_or_advanced_selectors()
    {
        var plain = Stub.CloudTrail.AddTrail(new CloudTrailTrail { Name = "plain" });
        var basic = Stub.CloudTrail.AddTrail(new CloudTrailTrail
        {
            Name = "basic",
            EventSelectors = [new CloudTrailEventSelector("WriteOnly", true, ["kms.amazonaws.com"])],
        });
        var advanced = Stub.CloudTrail.AddTrail(new CloudTrailTrail
        {
            Name = "advanced",
            AdvancedEventSelectors =
            [
                new CloudTrailAdvancedEventSelector("Management", [
                    new CloudTrailFieldSelector("eventCategory") { EqualsValues = ["Management"] },
                    new CloudTrailFieldSelector("eventSource") { NotEqualsValues = ["kms.amazonaws.com"], NotStartsWith = ["rds"], NotEndsWith = ["x"], StartsWith = ["a"], EndsWith = ["b"] },
                ]),
            ],
        });

        Assert.Equal(
            $$"""{"TrailARN":"{{plain.Arn}}","EventSelectors":[{"ReadWriteType":"All","IncludeManagementEvents":true,"DataResources":[],"ExcludeManagementEventSources":[]}]}""",
            (await OkAsync("GetEventSelectors", """{"TrailName":"plain"}""")).ToJsonString());
        Assert.Equal(
            $$"""{"TrailARN":"{{basic.Arn}}","EventSelectors":[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,"DataResources":[],"ExcludeManagementEventSources":["kms.amazonaws.com"]}]}""",
            (await OkAsync("GetEventSelectors", $$"""{"TrailName":"{{basic.Arn}}"}""")).ToJsonString());
        Assert.Equal(
            $$"""{"TrailARN":"{{advanced.Arn}}","AdvancedEventSelectors":[{"Name":"Management","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventSource","StartsWith":["a"],"EndsWith":["b"],"NotEquals":["kms.amazonaws.com"],"NotStartsWith":["rds"],"NotEndsWith":["x"]}]}]}""",
            (await OkAsync("GetEventSelectors", """{"TrailName":"advanced"}""")).ToJsonString());
    }

    [Fact]
    public void A_trail_takes_basic_or_advanced_selectors_not_both()
    {
        Assert.Throws<ArgumentException>(() => Stub.CloudTrail.AddTrail(new CloudTrailTrail
        {
            Name = "both",
            EventSelectors = [new CloudTrailEventSelector()],
            AdvancedEventSelectors = [new CloudTrailAdvancedEventSelector(null, [new CloudTrailFieldSelector("eventCategory") { EqualsValues = ["Management"] }])],
        }));
    }

    [Fact]
    public async Task Missing_members_and_bodies_that_are_not_json_are_refused()
    {
        Assert.Equal("InvalidParameterException", (await ErrorAsync("GetTrailStatus", "{}")).Code);
        Assert.Equal("SerializationException", (await ErrorAsync("DescribeTrails", """{"includeShadowTrails":"yes"}""")).Code);
        Assert.Equal("SerializationException", (await ErrorAsync("DescribeTrails", "not json")).Code);
    }

    [Theory]
    [InlineData("throttle", "ThrottlingException")]
    [InlineData("deny", "AccessDeniedException")]
    [InlineData("fail", "TrailNotFoundException")]
    public async Task Faults_answer_in_the_json_1_1_shape(string fault, string code)
    {
        _ = fault switch
        {
            "throttle" => Stub.Faults.Throttle("cloudtrail", "DescribeTrails"),
            "deny" => Stub.Faults.DenyAccess("cloudtrail", "DescribeTrails"),
            _ => Stub.Faults.Fail("cloudtrail", "DescribeTrails", code),
        };
        Assert.Equal(code, (await ErrorAsync("DescribeTrails", "{}")).Code);
        Assert.Equal(1, Stub.CountRequests("cloudtrail", "DescribeTrails", r => r.ErrorCode == code && r.Fault is not null));
    }

    [Fact]
    public void The_served_operations_list_cloudtrail()
    {
        Assert.Equal(["DescribeTrails", "GetEventSelectors", "GetTrailStatus"], AwsEndpointStub.ServedOperations["cloudtrail"]);
    }

    private Task<HttpResponseMessage> CloudTrailAsync(string operation, string json) =>
        Hand.SendAsync(Hand.Json11("cloudtrail", Target + operation, json));

    private async Task<JsonObject> OkAsync(string operation, string json)
    {
        using var response = await CloudTrailAsync(operation, json);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        return await Responses.JsonAsync(response);
    }

    private async Task<(string Code, string Message)> ErrorAsync(string operation, string json)
    {
        using var response = await CloudTrailAsync(operation, json);
        return await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest);
    }

    private async Task<IReadOnlyList<JsonNode>> TrailsAsync(string json) =>
        [.. (await OkAsync("DescribeTrails", json))["trailList"]!.AsArray().Select(t => t!)];
}
