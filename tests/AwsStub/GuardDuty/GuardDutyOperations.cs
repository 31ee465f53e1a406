namespace EksHardening.AwsStub.GuardDuty;

/// <summary>
/// The GuardDuty operations (REST-JSON, camelCase members) the threat-detection rule needs: ListDetectors and
/// GetDetector, with GuardDuty's BadRequestException for bad input and for a detector the caller does not own.
/// </summary>
internal sealed class GuardDutyOperations(GuardDutyStub guardDuty)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal) { "GetDetector", "ListDetectors" };

    /// <summary>Maps a method and path to an operation and its path labels; null when no served route matches.</summary>
    public static (string Operation, Dictionary<string, string> Labels)? Route(string method, string rawPath)
    {
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (method != "GET")
        {
            return null;
        }

        return segments switch
        {
            ["detector"] => ("ListDetectors", []),
            ["detector", var id] => ("GetDetector", new() { ["detectorId"] = id }),
            _ => null,
        };
    }

    public AwsResponse Handle(AwsCall call, string region)
    {
        var input = new Inputs(call);
        var body = call.Operation switch
        {
            "ListDetectors" => ListDetectors(input, region),
            "GetDetector" => GetDetector(input, region),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject ListDetectors(Inputs input, string region)
    {
        var maxResults = input.Int("maxResults", 1, 50) ?? 50;
        var ids = guardDuty.DetectorsIn(region).Select(d => d.DetectorId!).ToList();
        var (page, next) = PageToken.Page(ids, $"detectors|{region}", input.String("nextToken"), maxResults,
            () => BadRequest("The request is rejected because the input nextToken is not valid."));
        return Wire.Object(("detectorIds", Wire.Strings(page)), ("nextToken", next));
    }

    private JsonObject GetDetector(Inputs input, string region)
    {
        var id = input.Required("detectorId", 1, 300);
        var detector = guardDuty.Find(region, id)
            ?? throw BadRequest("The request is rejected because the input detectorId is not owned by the current account.");
        var created = detector.CreatedAt!.Value;
        var features = new JsonArray([.. detector.Features.Select(f => (JsonNode)Wire.Object(
            ("name", f.Name),
            ("status", f.Status),
            ("updatedAt", Wire.Epoch(created)),
            ("additionalConfiguration", f.AdditionalConfiguration is { } settings
                ? new JsonArray([.. settings.Select(s => (JsonNode)new JsonObject { ["name"] = s.Key, ["status"] = s.Value, ["updatedAt"] = Wire.Epoch(created) })])
                : null)))]);
        return Wire.Object(
            ("createdAt", Wire.Iso(created)),
            ("findingPublishingFrequency", detector.FindingPublishingFrequency),
            ("serviceRole", $"arn:aws:iam::{guardDuty.Context.AccountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"),
            ("status", detector.Status),
            ("updatedAt", Wire.Iso(created)),
            ("features", features),
            ("tags", new JsonObject()));
    }

    /// <summary>GuardDuty's 400 for any bad input; the body's <c>type</c> says which.</summary>
    private static AwsServiceException BadRequest(string message) =>
        new("BadRequestException", 400, message, ServiceErrors.Fields(("type", "InvalidInputException")));
}
