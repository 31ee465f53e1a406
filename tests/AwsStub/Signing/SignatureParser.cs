namespace EksHardening.AwsStub.Signing;

/// <summary>The SigV4 fields of a request, from the Authorization header or from a presigned URL's query.</summary>
internal sealed record SignatureInput(
    string Credential,
    string AccessKeyId,
    string ScopeDate,
    string Region,
    string Service,
    string Terminator,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string? AmzDate,
    string? SessionToken,
    bool Presigned,
    int? ExpiresSeconds)
{
    public string Scope => $"{ScopeDate}/{Region}/{Service}/{Terminator}";
}

/// <summary>What the parser made of a request's signature.</summary>
internal sealed record SignatureParse(SignatureInput? Input, string? IncompleteMessage, string? ScopeService)
{
    public bool Unsigned => Input is null && IncompleteMessage is null;
}

/// <summary>Reads the Authorization header (or presigned query) without judging it; verification comes later.</summary>
internal static class SignatureParser
{
    public static SignatureParse Parse(IncomingRequest request)
    {
        if (request.Header("Authorization") is { } authorization)
        {
            return ParseHeader(request, authorization);
        }

        if (request.QueryValue("X-Amz-Algorithm") is { } algorithm)
        {
            return ParsePresigned(request, algorithm);
        }

        return new SignatureParse(null, null, null);
    }

    private static SignatureParse ParseHeader(IncomingRequest request, string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? authorization : authorization[..space];
        if (algorithm != CanonicalRequest.Algorithm)
        {
            return new SignatureParse(null, $"Unsupported AWS 'algorithm': '{algorithm}'", null);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[(space + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        var amzDate = request.Header("X-Amz-Date") ?? DateHeader(request.Header("Date"));
        var missing = new List<string>();
        foreach (var required in new[] { "Credential", "Signature", "SignedHeaders" })
        {
            if (!fields.ContainsKey(required))
            {
                missing.Add($"Authorization header requires '{required}' parameter.");
            }
        }

        if (amzDate is null)
        {
            missing.Add("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        var scopeService = fields.TryGetValue("Credential", out var credential) ? ServiceOf(credential) : null;
        if (missing.Count > 0)
        {
            return new SignatureParse(null, $"{string.Join(' ', missing)} Authorization={authorization}", scopeService);
        }

        return Build(credential!, fields["SignedHeaders"], fields["Signature"], amzDate, request.Header("X-Amz-Security-Token"), false, null);
    }

    private static SignatureParse ParsePresigned(IncomingRequest request, string algorithm)
    {
        if (algorithm != CanonicalRequest.Algorithm)
        {
            return new SignatureParse(null, $"Unsupported AWS 'algorithm': '{algorithm}'", null);
        }

        var credential = request.QueryValue("X-Amz-Credential");
        var missing = new List<string>();
        foreach (var required in new[] { "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date" })
        {
            if (request.QueryValue(required) is null)
            {
                missing.Add($"AWS query-string parameters must include '{required}'.");
            }
        }

        if (missing.Count > 0)
        {
            return new SignatureParse(null, string.Join(' ', missing) + " Re-examine the query-string parameters.", credential is null ? null : ServiceOf(credential));
        }

        int? expires = int.TryParse(request.QueryValue("X-Amz-Expires"), out var seconds) ? seconds : null;
        return Build(credential!, request.QueryValue("X-Amz-SignedHeaders")!, request.QueryValue("X-Amz-Signature")!,
            request.QueryValue("X-Amz-Date"), request.QueryValue("X-Amz-Security-Token"), true, expires);
    }

    private static SignatureParse Build(string credential, string signedHeaders, string signature, string? amzDate, string? token, bool presigned, int? expires)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5)
        {
            return new SignatureParse(null,
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'", null);
        }

        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries);
        var input = new SignatureInput(credential, parts[0], parts[1], parts[2], parts[3], parts[4], headers, signature, amzDate, token, presigned, expires);
        return new SignatureParse(input, null, parts[3]);
    }

    private static string? ServiceOf(string credential)
    {
        var parts = credential.Split('/');
        return parts.Length == 5 ? parts[3] : null;
    }

    private static string? DateHeader(string? date) =>
        date is not null && DateTimeOffset.TryParse(date, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.UtcDateTime.ToString(CanonicalRequest.AmzDateFormat, System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
