namespace EksHardening.AwsStub.Http;

/// <summary>One HTTP request as received: method, raw path and query as they were on the wire, headers and body.</summary>
internal sealed class IncomingRequest
{
    public IncomingRequest(string method, string rawPath, string rawQuery, IHeaderDictionary headers, byte[] body)
    {
        Method = method;
        RawPath = rawPath;
        RawQuery = rawQuery;
        Headers = headers;
        Body = body;
        Query = QueryHelpers.ParseQuery(rawQuery);
    }

    public string Method { get; }

    /// <summary>The path exactly as sent, still percent-encoded.</summary>
    public string RawPath { get; }

    /// <summary>The query without the leading <c>?</c>, still percent-encoded.</summary>
    public string RawQuery { get; }

    public IHeaderDictionary Headers { get; }

    public byte[] Body { get; }

    public Dictionary<string, StringValues> Query { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) && value.Count > 0 ? string.Join(',', value.ToArray()) : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) && value.Count > 0 ? value[0] : null;

    public bool IsForm => (Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Query protocol parameters: the form body, or the URL query of a GET.</summary>
    public IReadOnlyDictionary<string, string> QueryProtocolParameters()
    {
        var source = IsForm ? QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(Body)) : Query;
        return source.ToDictionary(p => p.Key, p => p.Value.Count > 0 ? p.Value[0] ?? "" : "", StringComparer.Ordinal);
    }

    public static IncomingRequest From(HttpContext context, byte[] body)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        var q = raw.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? raw : raw[..q];
        var query = q < 0 ? "" : raw[(q + 1)..];
        return new IncomingRequest(context.Request.Method, path, query, context.Request.Headers, body);
    }
}
