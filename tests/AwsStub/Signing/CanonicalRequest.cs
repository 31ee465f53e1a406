namespace EksHardening.AwsStub.Signing;

/// <summary>The pieces of Signature Version 4: canonical request, string to sign, signing key and signature.</summary>
internal static class CanonicalRequest
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Terminator = "aws4_request";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// The canonical request of a non-S3 service: the path as sent is URI-encoded once more (double encoding), query
    /// parameters are decoded, re-encoded and sorted, signed headers are lowercased, trimmed and space-collapsed.
    /// </summary>
    public static string Build(
        string method,
        string rawPath,
        string rawQuery,
        Func<string, string?> header,
        IReadOnlyList<string> signedHeaders,
        string payloadHash,
        bool presigned)
    {
        var builder = new StringBuilder();
        builder.Append(method.ToUpperInvariant()).Append('\n');
        builder.Append(CanonicalPath(rawPath)).Append('\n');
        builder.Append(CanonicalQuery(rawQuery, presigned)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(header(name) ?? "")).Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretAccessKey, string date, string region, string service, string stringToSign)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string PayloadHash(ReadOnlySpan<byte> body) => Hex(SHA256.HashData(body));

    /// <summary>RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay, everything else is %XX in upper case.</summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Collapses runs of spaces to one and trims, as the canonical header rules ask.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string CanonicalPath(string rawPath)
    {
        var path = string.IsNullOrEmpty(rawPath) ? "/" : RemoveDotSegments(rawPath);
        return UriEncode(path, keepSlash: true);
    }

    private static string CanonicalQuery(string rawQuery, bool presigned)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            if (presigned && name == "X-Amz-Signature")
            {
                continue;
            }

            pairs.Add((UriEncode(name, keepSlash: false), UriEncode(value, keepSlash: false)));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    private static string RemoveDotSegments(string path)
    {
        if (!path.Contains("/.", StringComparison.Ordinal))
        {
            return path;
        }

        var output = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (output.Count > 1)
                {
                    output.RemoveAt(output.Count - 1);
                }

                continue;
            }

            output.Add(segment);
        }

        var normalized = string.Join('/', output);
        if (path.EndsWith("/.", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal))
        {
            normalized += "/";
        }

        return normalized.StartsWith('/') ? normalized : "/" + normalized;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
