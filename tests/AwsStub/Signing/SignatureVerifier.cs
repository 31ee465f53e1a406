namespace EksHardening.AwsStub.Signing;

/// <summary>
/// Recomputes a request's SigV4 signature from the secret the stub knows for its access key and rejects it, with
/// the service's own error, when anything does not hold: key, session token, scope, date, skew or signature.
/// </summary>
internal sealed class SignatureVerifier(CredentialStore credentials, TimeProvider time, Func<AwsService, TimeSpan> maxSkew, Func<string, bool> regionServed)
{
    public KnownCredential Verify(IncomingRequest request, SignatureInput input, AwsService service)
    {
        var known = credentials.Find(input.AccessKeyId) ?? throw ServiceErrors.UnrecognizedClient(service);
        var now = time.GetUtcNow();
        if (known.Credentials.SessionToken is { } token)
        {
            if (input.SessionToken is null || !FixedEquals(input.SessionToken, token))
            {
                throw ServiceErrors.UnrecognizedClient(service);
            }

            if (known.Credentials.Expiration is { } expiration && expiration <= now)
            {
                throw ServiceErrors.ExpiredToken(service);
            }
        }
        else if (input.SessionToken is not null)
        {
            throw ServiceErrors.UnrecognizedClient(service);
        }

        if (input.Service != service.Name)
        {
            throw ServiceErrors.SignatureMismatch(service, $"Credential should be scoped to correct service: '{service.Name}'. ");
        }

        var regionValid = service.GlobalRegion is { } global ? input.Region == global : regionServed(input.Region);
        if (!regionValid)
        {
            throw ServiceErrors.SignatureMismatch(service, $"Credential should be scoped to a valid region, not '{input.Region}'. ");
        }

        if (input.Terminator != CanonicalRequest.Terminator)
        {
            throw ServiceErrors.SignatureMismatch(service, $"Credential should be scoped with a valid terminator: 'aws4_request', not '{input.Terminator}'. ");
        }

        if (!DateTimeOffset.TryParseExact(input.AmzDate, CanonicalRequest.AmzDateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            throw ServiceErrors.IncompleteSignature(service,
                $"Date must be in ISO-8601 'basic format'. Got '{input.AmzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        if (input.AmzDate![..8] != input.ScopeDate)
        {
            throw ServiceErrors.SignatureMismatch(service,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{input.ScopeDate}' != '{input.AmzDate[..8]}', from '{input.AmzDate}'.");
        }

        CheckTime(service, input, signedAt, now);
        if (!input.SignedHeaders.Contains("host"))
        {
            throw ServiceErrors.SignatureMismatch(service, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var payloadHash = CanonicalRequest.PayloadHash(request.Body);
        if (request.Header("X-Amz-Content-SHA256") is { } declared && declared != payloadHash && declared != CanonicalRequest.UnsignedPayload)
        {
            throw ServiceErrors.SignatureMismatch(service, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var candidates = input.Presigned ? new[] { payloadHash, CanonicalRequest.UnsignedPayload } : [payloadHash];
        string? canonical = null;
        string? stringToSign = null;
        foreach (var hash in candidates)
        {
            canonical = CanonicalRequest.Build(request.Method, request.RawPath, request.RawQuery, request.Header, input.SignedHeaders, hash, input.Presigned);
            stringToSign = CanonicalRequest.StringToSign(input.AmzDate, input.Scope, canonical);
            var expected = CanonicalRequest.Signature(known.Credentials.SecretAccessKey, input.ScopeDate, input.Region, input.Service, stringToSign);
            if (FixedEquals(expected, input.Signature))
            {
                return known;
            }
        }

        throw ServiceErrors.SignatureMismatch(service,
            $"{ServiceErrors.SignatureMismatchMessage}\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n");
    }

    private void CheckTime(AwsService service, SignatureInput input, DateTimeOffset signedAt, DateTimeOffset now)
    {
        if (input.Presigned)
        {
            if (input.ExpiresSeconds is { } expires && now > signedAt.AddSeconds(expires))
            {
                throw ServiceErrors.SignatureMismatch(service, $"Signature expired: {input.AmzDate} is now earlier than {Format(now.AddSeconds(-expires))} ({Format(now)} - {expires} sec.)");
            }

            if (signedAt > now + maxSkew(service))
            {
                throw ServiceErrors.SignatureMismatch(service, $"Signature not yet current: {input.AmzDate} is still later than {Format(now + maxSkew(service))}");
            }

            return;
        }

        var skew = maxSkew(service);
        var minutes = skew.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture);
        if (signedAt < now - skew)
        {
            throw ServiceErrors.SignatureMismatch(service, $"Signature expired: {input.AmzDate} is now earlier than {Format(now - skew)} ({Format(now)} - {minutes} min.)");
        }

        if (signedAt > now + skew)
        {
            throw ServiceErrors.SignatureMismatch(service, $"Signature not yet current: {input.AmzDate} is still later than {Format(now + skew)} ({Format(now)} + {minutes} min.)");
        }
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(CanonicalRequest.AmzDateFormat, CultureInfo.InvariantCulture);

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
