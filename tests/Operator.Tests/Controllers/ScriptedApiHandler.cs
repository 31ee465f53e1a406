namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// Stands in for the API server behind a real KubernetesClient: records each request (method, path and query, body)
/// and answers with the status <see cref="Answer"/> gives for it (200 with an empty object by default). No network.
/// </summary>
internal sealed class ScriptedApiHandler : DelegatingHandler
{
    public List<(string Method, string PathAndQuery, string Body)> Requests { get; } = [];

    /// <summary>The status code for a request, by method and path.</summary>
    public Func<string, string, HttpStatusCode> Answer { get; set; } = (_, _) => HttpStatusCode.OK;

    /// <summary>The body of a successful answer, by method, path and request body (null: an empty object).</summary>
    public Func<string, string, string, string?> Respond { get; set; } = (_, _, _) => null;

    public k8s.Kubernetes Client() => new(new k8s.KubernetesClientConfiguration { Host = "http://api.invalid" }, this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.PathAndQuery;
        lock (Requests) Requests.Add((request.Method.Method, path, body));
        var code = Answer(request.Method.Method, request.RequestUri.AbsolutePath);
        var answer = (int)code < 300 ? Respond(request.Method.Method, request.RequestUri.AbsolutePath, body) ?? "{}" : $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","code":{{(int)code}},"message":"scripted {{(int)code}}"}""";
        return new HttpResponseMessage(code) { Content = new StringContent(answer, Encoding.UTF8, "application/json"), RequestMessage = request };
    }
}
