namespace EksHardening.AwsStub.Sts;

/// <summary>STS (Query/XML): AssumeRoleWithWebIdentity, unsigned as in AWS, and GetCallerIdentity.</summary>
internal sealed partial class StsOperations(StsStub sts, IamStub iam)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal) { "AssumeRoleWithWebIdentity", "GetCallerIdentity" };

    /// <summary>Operations that take no signature: the token is the credential.</summary>
    public static bool IsUnsigned(string operation) => operation is "AssumeRoleWithWebIdentity" or "AssumeRoleWithSAML";

    public AwsResponse Handle(AwsCall call)
    {
        var input = new Inputs(call);
        object[] result = call.Operation switch
        {
            "AssumeRoleWithWebIdentity" => AssumeRoleWithWebIdentity(input),
            "GetCallerIdentity" => GetCallerIdentity(call),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.QueryResult(call.Service, call.Operation, call.RequestId, result);
    }

    private static object[] GetCallerIdentity(AwsCall call)
    {
        var caller = call.Caller!;
        return [new XElement("Arn", caller.Arn), new XElement("UserId", caller.UserId), new XElement("Account", caller.Account)];
    }

    private object[] AssumeRoleWithWebIdentity(Inputs input)
    {
        var roleArn = input.Required("RoleArn", 20, 2048);
        var sessionName = input.Required("RoleSessionName", 2, 64);
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw input.Constraint("roleSessionName", sessionName, @"Member must satisfy regular expression pattern: [\w+=,.@-]*");
        }

        var token = input.Required("WebIdentityToken", 4, 20_000);
        var duration = input.Int("DurationSeconds", 900, 43_200) ?? 3600;
        if (!RoleArnPattern().IsMatch(roleArn))
        {
            throw ServiceErrors.Validation(AwsService.Sts, $"{roleArn} is not a valid role ARN.");
        }

        if (iam.FindRoleByArn(roleArn) is { } role && duration > role.MaxSessionDuration)
        {
            throw ServiceErrors.Validation(AwsService.Sts,
                $"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var claims = Claims(token);
        var grants = sts.GrantsFor(roleArn);
        var exact = grants.FirstOrDefault(g => g.Token == token);
        if (exact is null && claims is null)
        {
            throw new AwsServiceException("InvalidIdentityToken", 400, "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
        }

        if (claims is { Expires: { } expires } && expires <= sts.Context.Now)
        {
            throw new AwsServiceException("ExpiredTokenException", 400,
                $"Token expired: current date/time {sts.Context.Now.ToUnixTimeSeconds()} must be before the expiration date/time {expires.ToUnixTimeSeconds()}");
        }

        var grant = exact ?? Match(grants, claims!);
        var subject = claims?.Subject ?? "web-identity";
        var issued = sts.IssueCredentials(roleArn, sessionName, TimeSpan.FromSeconds(duration), subject);
        var issuer = claims?.Issuer ?? grant.Issuer ?? sts.OidcIssuer;
        var host = issuer.Replace("https://", "", StringComparison.Ordinal);
        var account = roleArn.Split(':')[4];
        return
        [
            new XElement("Credentials",
                new XElement("AccessKeyId", issued.Credentials.AccessKeyId),
                new XElement("SecretAccessKey", issued.Credentials.SecretAccessKey),
                new XElement("SessionToken", issued.Credentials.SessionToken),
                new XElement("Expiration", Wire.Iso(issued.Credentials.Expiration!.Value))),
            new XElement("SubjectFromWebIdentityToken", subject),
            new XElement("AssumedRoleUser",
                new XElement("AssumedRoleId", $"{sts.RoleIdOf(roleArn)}:{sessionName}"),
                new XElement("Arn", issued.AssumedRoleArn)),
            new XElement("Provider", $"arn:aws:iam::{account}:oidc-provider/{host}"),
            new XElement("Audience", (claims is { Audiences.Count: > 0 } ? claims.Audiences[0] : null) ?? grant.Audience ?? "sts.amazonaws.com"),
        ];
    }

    private static WebIdentityGrant Match(IReadOnlyList<WebIdentityGrant> grants, TokenClaims claims)
    {
        var open = grants.Where(g => g.Token is null).ToList();
        if (open.Count == 0)
        {
            throw AccessDenied();
        }

        var issuerKnown = open.Where(g => g.Issuer is null || g.Issuer == claims.Issuer).ToList();
        if (issuerKnown.Count == 0)
        {
            throw new AwsServiceException("InvalidIdentityToken", 400, $"No OpenIDConnect provider found in your account for {claims.Issuer}");
        }

        var audienceKnown = issuerKnown.Where(g => g.Audience is null || claims.Audiences.Contains(g.Audience)).ToList();
        if (audienceKnown.Count == 0)
        {
            throw new AwsServiceException("InvalidIdentityToken", 400, "Incorrect token audience");
        }

        return audienceKnown.FirstOrDefault(g => g.Subject is null || g.Subject == claims.Subject) ?? throw AccessDenied();
    }

    private static AwsServiceException AccessDenied() => new("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity");

    /// <summary>The claims of a JWT (its signature is not checked), or null when the token is not a JWT.</summary>
    private static TokenClaims? Claims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            if (JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))) is not JsonObject claims)
            {
                return null;
            }

            var audiences = claims["aud"] switch
            {
                JsonArray array => array.Select(a => a?.GetValue<string>() ?? "").ToList(),
                JsonValue value => [value.GetValue<string>()],
                _ => [],
            };
            DateTimeOffset? expires = claims["exp"] is JsonValue exp && exp.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
            return new TokenClaims(claims["iss"]?.GetValue<string>() ?? "", claims["sub"]?.GetValue<string>() ?? "", audiences, expires);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[\w+=,.@-]*$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")]
    private static partial Regex RoleArnPattern();

    private sealed record TokenClaims(string Issuer, string Subject, IReadOnlyList<string> Audiences, DateTimeOffset? Expires);
}
