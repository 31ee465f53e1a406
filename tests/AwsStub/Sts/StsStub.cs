namespace EksHardening.AwsStub.Sts;

/// <summary>STS: which web identities may assume which roles, and the temporary credentials issued (which the stub then accepts).</summary>
public sealed class StsStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly IamStub _iam;
    private readonly List<WebIdentityGrant> _grants = [];
    private readonly List<IssuedCredentials> _issued = [];

    internal StsStub(StubContext context, IamStub iam)
    {
        _context = context;
        _iam = iam;
        OidcIssuer = $"https://oidc.eks.{context.Region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    }

    internal StubContext Context => _context;

    /// <summary>The issuer <see cref="CreateWebIdentityToken"/> puts in tokens.</summary>
    public string OidcIssuer { get; set; }

    public IReadOnlyList<IssuedCredentials> Issued
    {
        get
        {
            lock (_gate)
            {
                return [.. _issued];
            }
        }
    }

    public WebIdentityGrant AllowWebIdentity(WebIdentityGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        lock (_gate)
        {
            _grants.Add(grant);
        }

        return grant;
    }

    /// <summary>Lets any unexpired JWT assume <paramref name="roleArn"/> (optionally only for one subject).</summary>
    public WebIdentityGrant AllowWebIdentity(string roleArn, string? subject = null) =>
        AllowWebIdentity(new WebIdentityGrant { RoleArn = roleArn, Subject = subject });

    public void RevokeWebIdentities(string roleArn)
    {
        lock (_gate)
        {
            _grants.RemoveAll(g => g.RoleArn == roleArn);
        }
    }

    /// <summary>
    /// A JWT shaped like a projected service account token (unsigned: the stub does not check token signatures),
    /// with <c>iss</c> = <see cref="OidcIssuer"/> unless given.
    /// </summary>
    public string CreateWebIdentityToken(string subject, string audience = "sts.amazonaws.com", DateTimeOffset? expires = null, string? issuer = null)
    {
        var now = _context.Now;
        var header = Base64Url("""{"alg":"RS256","kid":"aws-stub"}""");
        var payload = Base64Url(new JsonObject
        {
            ["iss"] = issuer ?? OidcIssuer,
            ["sub"] = subject,
            ["aud"] = new JsonArray(audience),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (expires ?? now.AddHours(1)).ToUnixTimeSeconds(),
        }.ToJsonString());
        return $"{header}.{payload}.{Base64Url("aws-stub-signature")}";
    }

    /// <summary>Issues temporary credentials for a role session directly, as a successful AssumeRole* would.</summary>
    public IssuedCredentials IssueCredentials(string roleArn, string sessionName, TimeSpan? duration = null, string? subject = null)
    {
        var account = roleArn.Split(':') is { Length: >= 6 } parts ? parts[4] : _context.AccountId;
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var roleId = _iam.FindRoleByArn(roleArn)?.RoleId ?? DerivedRoleId(roleArn);
        var credentials = new StubCredentials(
            _context.UpperId("ASIA", 16),
            _context.Secret(40),
            "IQoJb3JpZ2luX2VjE" + _context.Secret(300),
            _context.Now + (duration ?? TimeSpan.FromHours(1)));
        var assumedArn = $"arn:aws:sts::{account}:assumed-role/{roleName}/{sessionName}";
        _context.Credentials.Add(new KnownCredential(credentials, account, assumedArn, $"{roleId}:{sessionName}"));
        var issued = new IssuedCredentials(credentials, roleArn, sessionName, assumedArn, subject);
        lock (_gate)
        {
            _issued.Add(issued);
        }

        return issued;
    }

    /// <summary>
    /// Ends the life of every temporary credential issued so far, as if its duration had passed: calls signed with
    /// one are refused with the service's ExpiredToken error from now on. Returns how many were expired.
    /// </summary>
    public int ExpireIssuedCredentials()
    {
        var now = _context.Now;
        var expired = 0;
        lock (_gate)
        {
            foreach (var issued in _issued)
            {
                if (_context.Credentials.Find(issued.Credentials.AccessKeyId) is not { } known
                    || known.Credentials.Expiration is { } expiration && expiration <= now)
                {
                    continue;
                }

                _context.Credentials.Add(known with { Credentials = known.Credentials with { Expiration = now } });
                expired++;
            }
        }

        return expired;
    }

    internal string RoleIdOf(string roleArn) => _iam.FindRoleByArn(roleArn)?.RoleId ?? DerivedRoleId(roleArn);

    internal IReadOnlyList<WebIdentityGrant> GrantsFor(string roleArn)
    {
        lock (_gate)
        {
            return [.. _grants.Where(g => g.RoleArn == roleArn)];
        }
    }

    private static string DerivedRoleId(string roleArn) =>
        "AROA" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(roleArn)))[..17];

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
