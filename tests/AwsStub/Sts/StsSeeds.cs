namespace EksHardening.AwsStub.Sts;

/// <summary>
/// Lets AssumeRoleWithWebIdentity succeed for a role. A JWT token is accepted when its claims match every non-null
/// of <see cref="Issuer"/>, <see cref="Subject"/> and <see cref="Audience"/> and it has not expired; an opaque token
/// only when it equals <see cref="Token"/>.
/// </summary>
public sealed record WebIdentityGrant
{
    public required string RoleArn { get; init; }

    /// <summary>An exact token to accept (JWT or not); null: any JWT whose claims match.</summary>
    public string? Token { get; init; }

    /// <summary>The <c>iss</c> claim required, e.g. the cluster's OIDC issuer URL; null: any.</summary>
    public string? Issuer { get; init; }

    /// <summary>The <c>sub</c> claim required, e.g. <c>system:serviceaccount:NS:SA</c>; null: any.</summary>
    public string? Subject { get; init; }

    /// <summary>The <c>aud</c> claim required, e.g. <c>sts.amazonaws.com</c>; null: any.</summary>
    public string? Audience { get; init; }
}

/// <summary>Temporary credentials STS handed out, and for which role session.</summary>
public sealed record IssuedCredentials(StubCredentials Credentials, string RoleArn, string SessionName, string AssumedRoleArn, string? Subject);
