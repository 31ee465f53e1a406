using System.Net.Http.Headers;

namespace EksHardening.Operator.Aws;

/// <summary>The code, message and request id of an AWS error response, in any of the protocols.</summary>
internal sealed record AwsErrorDetails(string? Code, string? Message, string? RequestId);

/// <summary>
/// Reads AWS error responses: JSON protocols (<c>x-amzn-errortype</c> header, then <c>__type</c> or <c>code</c>
/// in the body; <c>message</c>/<c>Message</c>) and the Query protocol
/// (<c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt;…&lt;/Code&gt;&lt;Message&gt;…</c>). The body decides, not the
/// protocol, because gateways in front of a service answer in their own format.
/// </summary>
internal static class AwsErrorParser
{
    public static AwsErrorDetails Parse(HttpResponseHeaders? headers, ReadOnlySpan<byte> body)
    {
        string? headerCode = headers is not null && headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null;
        string? requestId = headers is not null && (headers.TryGetValues("x-amzn-RequestId", out var ids) || headers.TryGetValues("x-amz-request-id", out ids))
            ? ids.FirstOrDefault()
            : null;

        var trimmed = TrimStart(body);
        AwsErrorDetails fromBody = trimmed.Length == 0 ? new AwsErrorDetails(null, null, null)
            : trimmed[0] == (byte)'{' ? FromJson(trimmed)
            : trimmed[0] == (byte)'<' ? FromXml(trimmed)
            : new AwsErrorDetails(null, null, null);

        var code = SanitizeCode(headerCode) ?? SanitizeCode(fromBody.Code);
        return new AwsErrorDetails(code, fromBody.Message, requestId ?? fromBody.RequestId);
    }

    /// <summary>
    /// <c>aws.protocoltests#FooError:http://internal.amazon.com/coral/…</c> → <c>FooError</c>: the part before
    /// any colon, after any hash.
    /// </summary>
    internal static string? SanitizeCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var value = code.Trim();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) value = value[..colon];
        var hash = value.LastIndexOf('#');
        if (hash >= 0) value = value[(hash + 1)..];
        return value.Length == 0 ? null : value;
    }

    private static AwsErrorDetails FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return new AwsErrorDetails(null, null, null);
            var root = document.RootElement;
            return new AwsErrorDetails(
                String(root, "__type") ?? String(root, "code") ?? String(root, "Code"),
                String(root, "message") ?? String(root, "Message") ?? String(root, "errorMessage"),
                null);
        }
        catch (JsonException)
        {
            return new AwsErrorDetails(null, null, null);
        }
    }

    private static AwsErrorDetails FromXml(ReadOnlySpan<byte> body)
    {
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            var document = XDocument.Load(stream);
            var error = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") ?? document.Root;
            string? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var requestId = document.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
            return new AwsErrorDetails(Child(error, "Code"), Child(error, "Message"), requestId);
        }
        catch (XmlException)
        {
            return new AwsErrorDetails(null, null, null);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> body)
    {
        // Skip a UTF-8 byte order mark and leading whitespace.
        if (body.StartsWith("\uFEFF"u8)) body = body[3..];
        var i = 0;
        while (i < body.Length && body[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return body[i..];
    }
}
