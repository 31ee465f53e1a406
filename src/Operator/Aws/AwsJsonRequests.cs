namespace EksHardening.Operator.Aws;

/// <summary>The requests of the two JSON protocols, sending them for a parsed answer, and following their <c>nextToken</c>.</summary>
internal static class AwsJsonRequests
{
    public const string Json11ContentType = "application/x-amz-json-1.1";

    /// <summary>A REST-JSON read: GET of the operation's path, its input in the query.</summary>
    public static AwsRequest RestGet(string service, string operation, string path, IReadOnlyList<KeyValuePair<string, string>> query) => new()
    {
        Service = service,
        Operation = operation,
        Protocol = AwsProtocol.RestJson,
        Method = HttpMethod.Get,
        Path = path,
        Query = query,
    };

    /// <summary>A JSON 1.1 call: POST / with <c>X-Amz-Target: &lt;prefix&gt;&lt;operation&gt;</c> and the body <paramref name="writeBody"/> writes.</summary>
    public static AwsRequest Json11(string service, string targetPrefix, string operation, Action<Utf8JsonWriter> writeBody) => new()
    {
        Service = service,
        Operation = operation,
        Protocol = AwsProtocol.Json,
        Method = HttpMethod.Post,
        Path = "/",
        Headers = [new("X-Amz-Target", targetPrefix + operation)],
        Body = AwsJson.Write(writeBody),
        ContentType = Json11ContentType,
    };

    /// <summary>Sends the call and parses its answer; a body that is not JSON is a <c>MalformedResponse</c> error.</summary>
    public static async Task<JsonDocument> SendForJsonAsync(this AwsHttpClient http, AwsRequest request, AwsServiceEndpoint endpoint, CancellationToken cancellationToken)
    {
        var body = await http.SendAsync(request, endpoint, cancellationToken).ConfigureAwait(false);
        return AwsJson.Parse(body, request.Service, request.Operation);
    }
}
