namespace EksHardening.Operator.Aws;

/// <summary>What a request looks like to the signer: method, host, path and query as sent, headers, payload hash.</summary>
/// <param name="Path">The path as on the wire (already percent-encoded once), e.g. <c>/clusters/my%20cluster</c>.</param>
/// <param name="Query">The raw query string without <c>?</c>; it is decoded and re-encoded canonically.</param>
public sealed record SigV4Request(string Method, string Host, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, string PayloadHash);

/// <summary>The intermediate products and the result of signing, kept for tests and debugging.</summary>
public sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string Signature, string SignedHeaders, string Authorization, string AmzDate);

/// <summary>
/// AWS Signature Version 4 (AWS4-HMAC-SHA256) for every service but S3: the canonical URI is the wire path
/// normalized (empty and dot segments removed) and URI-encoded once more (so encoded twice in all), the query
/// is decoded, re-encoded with RFC 3986 unreserved characters only and sorted, headers are lowercased with
/// their values trimmed and inner whitespace collapsed. The session token is sent and signed as
/// <c>X-Amz-Security-Token</c>. Time comes from the injected clock.
/// </summary>
public sealed class SigV4Signer(TimeProvider? time = null)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Headers a proxy or the HTTP stack may add, drop or rewrite: never signed.</summary>
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "expect", "connection", "keep-alive", "proxy-connection", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "content-length", "x-amzn-trace-id",
    };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Also send and sign <c>x-amz-content-sha256</c> (the .NET SDK does; most services do not need it).</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>Signs <paramref name="request"/> in place: sets X-Amz-Date, X-Amz-Security-Token and Authorization.</summary>
    public async Task<SigV4Signature> SignAsync(HttpRequestMessage request, AwsCredentials credentials, string region, string service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payload = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Sign(request, payload, credentials, region, service);
    }

    /// <summary>Signs <paramref name="request"/> in place, given the bytes of its content.</summary>
    public SigV4Signature Sign(HttpRequestMessage request, ReadOnlySpan<byte> payload, AwsCredentials credentials, string region, string service)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        if (!uri.IsAbsoluteUri) throw new ArgumentException("The request URI must be absolute.", nameof(request));

        var now = _time.GetUtcNow();
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var payloadHash = Hex(SHA256.HashData(payload));

        foreach (var name in (string[])["Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"]) request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (!string.IsNullOrEmpty(credentials.SessionToken)) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        if (AddContentSha256Header) request.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", payloadHash);

        var headers = new List<KeyValuePair<string, string>>();
        var host = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}");
        headers.Add(new("host", host));
        foreach (var header in request.Headers.NonValidated)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in header.Value) headers.Add(new(header.Key, value));
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated)
            {
                foreach (var value in header.Value) headers.Add(new(header.Key, value));
            }
        }

        var query = uri.Query.StartsWith('?') ? uri.Query[1..] : uri.Query;
        var signature = Compute(new SigV4Request(request.Method.Method, host, uri.AbsolutePath, query, headers, payloadHash), credentials, region, service, now);
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    /// <summary>The signature of a request described field by field, at <paramref name="signedAt"/>.</summary>
    public static SigV4Signature Compute(SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset signedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var utc = signedAt.UtcDateTime;
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        var (canonicalHeaders, signedHeaders) = CanonicalHeaders(request.Headers);
        var canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalPath(request.Path),
            CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            request.PayloadHash);

        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signature, signedHeaders, authorization, amzDate);
    }

    /// <summary>
    /// The wire path with empty, <c>.</c> and <c>..</c> segments resolved and each segment URI-encoded again
    /// (a <c>%</c> becomes <c>%25</c>): the double encoding that all services but S3 expect.
    /// </summary>
    public static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path)) return "/";
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(UriEncode(segment));
        }

        if (segments.Count == 0) return "/";
        var trailingSlash = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal);
        return "/" + string.Join('/', segments) + (trailingSlash ? "/" : "");
    }

    /// <summary>The query's parameters decoded, re-encoded strictly and sorted by name, then value (byte order).</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query)) return "";
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0) continue;
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(name)), UriEncode(Uri.UnescapeDataString(value))));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding: unreserved characters (<c>A-Z a-z 0-9 - _ . ~</c>) stay, every other UTF-8 byte becomes <c>%XX</c>.</summary>
    public static string UriEncode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static (string Canonical, string Signed) CanonicalHeaders(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var lower = name.Trim().ToLowerInvariant();
            if (UnsignedHeaders.Contains(lower)) continue;
            if (!byName.TryGetValue(lower, out var values)) byName[lower] = values = [];
            values.Add(CollapseWhitespace(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName) canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    private static string CollapseWhitespace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
