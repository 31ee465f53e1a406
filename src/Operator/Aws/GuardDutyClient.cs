using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>GuardDuty over REST-JSON (camelCase members): <c>GET /detector</c> and <c>GET /detector/{detectorId}</c>.</summary>
public sealed class GuardDutyClient(AwsHttpClient http) : IGuardDutyClient
{
    /// <summary>The most detector ids ListDetectors returns per page (the API's maximum).</summary>
    public const int MaxResults = 50;

    public async Task<IReadOnlyList<string>> ListDetectorsAsync(string region, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        var detectorIds = new List<string>();
        await AwsPagination.FollowAsync(AwsServices.GuardDuty, "ListDetectors", "nextToken", async token =>
        {
            var query = new List<KeyValuePair<string, string>> { new("maxResults", MaxResults.ToString(CultureInfo.InvariantCulture)) };
            if (token is not null) query.Add(new("nextToken", token));

            using var page = await GetAsync(region, "ListDetectors", "/detector", query, cancellationToken).ConfigureAwait(false);
            detectorIds.AddRange(page.RootElement.Strings("detectorIds"));
            return page.RootElement.String("nextToken");
        }, serviceTitle: "GuardDuty").ConfigureAwait(false);

        return detectorIds;
    }

    public async Task<GuardDutyDetector> GetDetectorAsync(string region, string detectorId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(detectorId);
        using var document = await GetAsync(region, "GetDetector", $"/detector/{SigV4Signer.UriEncode(detectorId)}", [], cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var features = root.Array("features")
            .Where(f => f.String("name") is not null)
            .Select(f => new GuardDutyFeature(
                f.String("name")!,
                f.String("status"),
                ReadAdditionalConfiguration(f)))
            .ToList();
        return new GuardDutyDetector(detectorId, root.String("status"), features);
    }

    /// <summary>Sub-settings by name; a name listed twice keeps its first status, as the API lists each once.</summary>
    private static Dictionary<string, string?> ReadAdditionalConfiguration(JsonElement feature)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var setting in feature.Array("additionalConfiguration"))
        {
            if (setting.String("name") is { } name) settings.TryAdd(name, setting.String("status"));
        }

        return settings;
    }

    private Task<JsonDocument> GetAsync(string region, string operation, string path, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken cancellationToken) =>
        http.SendForJsonAsync(AwsJsonRequests.RestGet(AwsServices.GuardDuty, operation, path, query), http.Endpoints.Resolve(AwsServices.GuardDuty, region), cancellationToken);
}
