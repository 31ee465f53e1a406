namespace EksHardening.AwsStub.CloudTrail;

/// <summary>
/// The CloudTrail operations (JSON 1.1, PascalCase members) the audit-trail rule needs: DescribeTrails (shadow trails
/// included by default), GetTrailStatus and GetEventSelectors. A trail named by name must be homed in the called
/// region; by ARN it is answered wherever CloudTrail shows it (its home region, or as a shadow of a multi-region or
/// organization trail), as the API reference says a shadow trail's status is asked by ARN.
/// </summary>
internal sealed partial class CloudTrailOperations(CloudTrailStub cloudTrail)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal) { "DescribeTrails", "GetEventSelectors", "GetTrailStatus" };

    public AwsResponse Handle(AwsCall call, string region)
    {
        var input = new Inputs(call);
        var account = call.Caller?.Account ?? cloudTrail.Context.AccountId;
        var body = call.Operation switch
        {
            "DescribeTrails" => DescribeTrails(call, input, region, account),
            "GetTrailStatus" => GetTrailStatus(Resolve(input.Required("Name"), region, account)),
            "GetEventSelectors" => GetEventSelectors(Resolve(input.Required("TrailName"), region, account)),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject DescribeTrails(AwsCall call, Inputs input, string region, string account)
    {
        var includeShadowTrails = call.Json["includeShadowTrails"] switch
        {
            null => true,
            JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
            _ => throw ServiceErrors.Serialization("Unexpected value for member 'includeShadowTrails': expected a boolean."),
        };
        var visible = cloudTrail.VisibleIn(region, account, includeShadowTrails);
        if (input.Strings("trailNameList") is { Count: > 0 } names)
        {
            visible = [.. visible.Where(t => names.Contains(t.Arn!) || (names.Contains(t.Name) && t.HomeRegion == region && t.AccountId == account))];
        }

        return new JsonObject { ["trailList"] = new JsonArray([.. visible.Select(t => (JsonNode)TrailJson(t))]) };
    }

    private static JsonObject TrailJson(CloudTrailTrail trail) => Wire.Object(
        ("Name", trail.Name),
        ("S3BucketName", trail.S3BucketName),
        ("IncludeGlobalServiceEvents", trail.IsMultiRegionTrail),
        ("IsMultiRegionTrail", trail.IsMultiRegionTrail),
        ("HomeRegion", trail.HomeRegion),
        ("TrailARN", trail.Arn),
        ("LogFileValidationEnabled", true),
        ("HasCustomEventSelectors", trail.EventSelectors is not null || trail.AdvancedEventSelectors is not null),
        ("HasInsightSelectors", false),
        ("IsOrganizationTrail", trail.IsOrganizationTrail));

    private static JsonObject GetTrailStatus(CloudTrailTrail trail)
    {
        var created = trail.CreatedAt!.Value;
        return Wire.Object(
            ("IsLogging", trail.IsLogging),
            ("StartLoggingTime", Wire.Epoch(created)),
            ("StopLoggingTime", trail.IsLogging ? null : Wire.Epoch(created)),
            ("LatestDeliveryTime", trail.IsLogging ? Wire.Epoch(created) : null),
            ("TimeLoggingStarted", Wire.Iso(created)),
            ("TimeLoggingStopped", trail.IsLogging ? null : Wire.Iso(created)));
    }

    private static JsonObject GetEventSelectors(CloudTrailTrail trail)
    {
        if (trail.AdvancedEventSelectors is { } advanced)
        {
            return new JsonObject
            {
                ["TrailARN"] = trail.Arn,
                ["AdvancedEventSelectors"] = new JsonArray([.. advanced.Select(s => (JsonNode)Wire.Object(
                    ("Name", s.Name),
                    ("FieldSelectors", new JsonArray([.. s.FieldSelectors.Select(f => (JsonNode)Wire.Object(
                        ("Field", f.Field),
                        ("Equals", Values(f.EqualsValues)),
                        ("StartsWith", Values(f.StartsWith)),
                        ("EndsWith", Values(f.EndsWith)),
                        ("NotEquals", Values(f.NotEqualsValues)),
                        ("NotStartsWith", Values(f.NotStartsWith)),
                        ("NotEndsWith", Values(f.NotEndsWith))))]))))]),
            };
        }

        var selectors = trail.EventSelectors ?? [new CloudTrailEventSelector()];
        return new JsonObject
        {
            ["TrailARN"] = trail.Arn,
            ["EventSelectors"] = new JsonArray([.. selectors.Select(s => (JsonNode)new JsonObject
            {
                ["ReadWriteType"] = s.ReadWriteType,
                ["IncludeManagementEvents"] = s.IncludeManagementEvents,
                ["DataResources"] = new JsonArray(),
                ["ExcludeManagementEventSources"] = Wire.Strings(s.ExcludeManagementEventSources ?? []),
            })]),
        };
    }

    private static JsonArray? Values(IReadOnlyList<string>? values) => values is null ? null : Wire.Strings(values);

    /// <summary>A trail by ARN (wherever it is shown) or by name (homed in the region); CloudTrail's errors otherwise.</summary>
    private CloudTrailTrail Resolve(string nameOrArn, string region, string account)
    {
        if (nameOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (!TrailArn().IsMatch(nameOrArn))
            {
                throw new AwsServiceException("CloudTrailARNInvalidException", 400,
                    $"ARN {nameOrArn} is not valid. Trail ARNs look like arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.");
            }

            return cloudTrail.FindByArn(nameOrArn) is { } byArn && CloudTrailStub.IsVisible(byArn, region, account)
                ? byArn
                : throw NotFound(nameOrArn, account);
        }

        if (!TrailName().IsMatch(nameOrArn) || AdjacentPunctuation().IsMatch(nameOrArn) || System.Net.IPAddress.TryParse(nameOrArn, out _))
        {
            throw new AwsServiceException("InvalidTrailNameException", 400,
                "Trail name must starts with a letter or number, end with a letter or number, contain only ASCII letters, numbers, periods, underscores or dashes and be between 3 and 128 characters.");
        }

        return cloudTrail.VisibleIn(region, account, includeShadowTrails: false).FirstOrDefault(t => t.Name == nameOrArn)
            ?? throw NotFound($"arn:aws:cloudtrail:{region}:{account}:trail/{nameOrArn}", account);
    }

    private static AwsServiceException NotFound(string arn, string account) =>
        new("TrailNotFoundException", 400, $"Unknown trail: {arn} for the user: {account}");

    [GeneratedRegex(@"^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail/.+$")]
    private static partial Regex TrailArn();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")]
    private static partial Regex TrailName();

    [GeneratedRegex(@"[._-]{2}")]
    private static partial Regex AdjacentPunctuation();
}
