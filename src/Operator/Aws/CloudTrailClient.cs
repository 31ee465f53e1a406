using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// CloudTrail over JSON 1.1 (PascalCase members, but <c>trailList</c> and <c>includeShadowTrails</c>): POST / with
/// <c>X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.&lt;Op&gt;</c>. Answers that would be
/// read as more coverage than they state (a field selector without its field, a condition value that is not a
/// string, a status without <c>IsLogging</c>) are errors, not guesses.
/// </summary>
public sealed class CloudTrailClient(AwsHttpClient http) : ICloudTrailClient
{
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
    public const string ContentType = AwsJsonRequests.Json11ContentType;

    public async Task<IReadOnlyList<CloudTrailTrail>> DescribeTrailsAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        using var document = await CallAsync(region, "DescribeTrails", writer => writer.WriteBoolean("includeShadowTrails", true), cancellationToken).ConfigureAwait(false);
        var trails = new List<CloudTrailTrail>();
        foreach (var trail in document.RootElement.Array("trailList"))
        {
            // A trail without an ARN cannot be asked for its status or selectors; leaving it out cannot make a region look covered.
            if (trail.String("TrailARN") is not { Length: > 0 } arn) continue;
            trails.Add(new CloudTrailTrail(
                trail.String("Name") ?? arn[(arn.LastIndexOf('/') + 1)..],
                arn,
                trail.String("HomeRegion"),
                trail.Bool("IsMultiRegionTrail") ?? false,
                trail.Bool("IsOrganizationTrail") ?? false));
        }

        return trails;
    }

    public async Task<bool> GetTrailIsLoggingAsync(string region, string trailArn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(trailArn);
        using var document = await CallAsync(region, "GetTrailStatus", writer => writer.WriteString("Name", trailArn), cancellationToken).ConfigureAwait(false);
        return document.RootElement.Bool("IsLogging")
            ?? throw Malformed("GetTrailStatus", $"The status of {trailArn} has no IsLogging.");
    }

    public async Task<CloudTrailEventSelectors> GetEventSelectorsAsync(string region, string trailArn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(trailArn);
        const string operation = "GetEventSelectors";
        using var document = await CallAsync(region, operation, writer => writer.WriteString("TrailName", trailArn), cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var basic = root.Array("EventSelectors")
            .Select(s => new CloudTrailEventSelector(
                s.String("ReadWriteType"),
                s.Bool("IncludeManagementEvents") ?? false,
                Values(s, "ExcludeManagementEventSources", trailArn)))
            .ToList();
        var advanced = root.Array("AdvancedEventSelectors")
            .Select(s => (IReadOnlyList<CloudTrailFieldSelector>)s.Array("FieldSelectors").Select(f => new CloudTrailFieldSelector(
                f.String("Field") is { Length: > 0 } field ? field : throw Malformed(operation, $"An advanced event selector of {trailArn} has a field selector without Field."),
                Values(f, "Equals", trailArn),
                Values(f, "NotEquals", trailArn),
                Values(f, "StartsWith", trailArn),
                Values(f, "NotStartsWith", trailArn),
                Values(f, "EndsWith", trailArn),
                Values(f, "NotEndsWith", trailArn))).ToList())
            .ToList();
        return new CloudTrailEventSelectors(basic, advanced);
    }

    /// <summary>A list of strings; a value of another type would silently widen a condition, so it is an error.</summary>
    private static List<string> Values(JsonElement element, string name, string trailArn)
    {
        var values = new List<string>();
        foreach (var value in element.Array(name))
        {
            values.Add(value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw Malformed("GetEventSelectors", $"{name} of an event selector of {trailArn} holds a {value.ValueKind}, not a string."));
        }

        return values;
    }

    private static AwsServiceException Malformed(string operation, string message) =>
        new(AwsErrorKind.Unknown, AwsServices.CloudTrail, operation, message, errorCode: "MalformedResponse");

    private Task<JsonDocument> CallAsync(string region, string operation, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken) =>
        http.SendForJsonAsync(AwsJsonRequests.Json11(AwsServices.CloudTrail, TargetPrefix, operation, writeBody), http.Endpoints.Resolve(AwsServices.CloudTrail, region), cancellationToken);
}
