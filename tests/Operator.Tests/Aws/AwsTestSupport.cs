namespace EksHardening.Operator.Tests.Aws;

/// <summary>A request as the handler saw it, after signing.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The form fields of a Query protocol body, decoded.</summary>
    public IReadOnlyDictionary<string, string> Form() => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);

    /// <summary>The query parameters, decoded.</summary>
    public IReadOnlyDictionary<string, string> Query() => Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);
}

/// <summary>
/// An in-test AWS: records every request (headers, body) and answers with the next canned response, or with
/// what a function makes of the request.
/// </summary>
internal sealed class FakeAwsHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>>> _responses = new();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public Func<RecordedRequest, HttpResponseMessage>? Fallback { get; set; }

    public RecordedRequest Single() => Assert.Single(Requests);

    public FakeAwsHandler Enqueue(Func<RecordedRequest, HttpResponseMessage> response)
    {
        _responses.Enqueue((request, _) => Task.FromResult(response(request)));
        return this;
    }

    public FakeAwsHandler EnqueueAsync(Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>> response)
    {
        _responses.Enqueue(response);
        return this;
    }

    public FakeAwsHandler Enqueue(HttpStatusCode status, string body, string contentType = "application/x-amz-json-1.1", params (string Name, string Value)[] headers) =>
        Enqueue(_ => Response(status, body, contentType, headers));

    public FakeAwsHandler Json(string body) => Enqueue(HttpStatusCode.OK, body);

    public FakeAwsHandler Xml(string body) => Enqueue(HttpStatusCode.OK, body, "text/xml");

    public static HttpResponseMessage Response(HttpStatusCode status, string body, string contentType = "application/x-amz-json-1.1", params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
        response.Content.Headers.Remove("Content-Type");
        response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers.NonValidated) headers[header.Key] = string.Join(",", header.Value);
        string? contentType = null;
        var body = "";
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated) headers[header.Key] = string.Join(",", header.Value);
            contentType = headers.GetValueOrDefault("Content-Type");
            body = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!, headers, contentType, body);
        Requests.Enqueue(recorded);
        if (_responses.TryDequeue(out var next)) return await next(recorded, cancellationToken);
        if (Fallback is not null) return Fallback(recorded);
        throw new InvalidOperationException($"No canned response left for {request.Method} {request.RequestUri}");
    }
}

internal static class AwsTest
{
    public static readonly AwsCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A pipeline over the fake handler with no retry delays and the standard endpoints.</summary>
    public static AwsHttpClient Http(FakeAwsHandler handler, TimeProvider? time = null, AwsRetryOptions? retry = null, Func<string, string?>? environment = null) =>
        new(new StaticAwsCredentialsSource(Credentials), new AwsEndpoints(environment ?? (_ => null)),
            retry ?? new AwsRetryOptions { Random = () => 0 }, time ?? new FakeTimeProvider(Now), handler);

    /// <summary>Asserts that the request carries a SigV4 Authorization for the service and region.</summary>
    public static void AssertSigned(RecordedRequest request, string service, string region)
    {
        var authorization = request.Header("Authorization");
        Assert.NotNull(authorization);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/{region}/{service}/aws4_request, SignedHeaders=", authorization);
        Assert.Matches("Signature=[0-9a-f]{64}$", authorization);
        Assert.Equal("20261128T120000Z", request.Header("X-Amz-Date"));
    }
}

/// <summary>Tests that change process environment variables run one at a time, apart from all others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsEnvironmentCollection
{
    public const string Name = ProcessEnvironment.Name;
}
