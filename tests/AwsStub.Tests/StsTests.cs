using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace EksHardening.AwsStub.Tests;

/// <summary>STS through the official AWSSDK.SecurityToken client: caller identity and the IRSA web-identity flow.</summary>
public class StsTests : StubTest
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/irsa-app";

    [Fact]
    public async Task GetCallerIdentity_names_the_signing_principal()
    {
        using var sts = Sts();
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(Stub.AccountId, identity.Account);
        Assert.Equal($"arn:aws:iam::{Stub.AccountId}:user/aws-stub", identity.Arn);
        Assert.StartsWith("AIDA", identity.UserId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_web_identity_assumes_a_role_and_the_issued_credentials_sign_a_KMS_call()
    {
        var role = Stub.Iam.AddRole(new IamRole { Name = "irsa-app" });
        Stub.Sts.AllowWebIdentity(new WebIdentityGrant { RoleArn = role.Arn!, Subject = "system:serviceaccount:shop:web", Audience = "sts.amazonaws.com" });
        var token = Stub.Sts.CreateWebIdentityToken("system:serviceaccount:shop:web");
        using var sts = Sts();
        var assumed = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = role.Arn,
            RoleSessionName = "operator",
            WebIdentityToken = token,
            DurationSeconds = 900,
        });
        Assert.StartsWith("ASIA", assumed.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(assumed.Credentials.SessionToken));
        Assert.InRange(assumed.Credentials.Expiration!.Value, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));
        Assert.Equal("system:serviceaccount:shop:web", assumed.SubjectFromWebIdentityToken);
        Assert.Equal("sts.amazonaws.com", assumed.Audience);
        Assert.Equal($"arn:aws:sts::123456789012:assumed-role/irsa-app/operator", assumed.AssumedRoleUser.Arn);
        Assert.Equal($"{role.RoleId}:operator", assumed.AssumedRoleUser.AssumedRoleId);
        Assert.StartsWith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.", assumed.Provider, StringComparison.Ordinal);
        Assert.Null(Stub.Requests.Single().AccessKeyId);

        var temporary = new StubCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
        var key = Stub.Kms.AddKey(new KmsKey { RotationEnabled = true });
        using var kms = Kms(temporary);
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
        using var asRole = Sts(temporary);
        Assert.Equal(assumed.AssumedRoleUser.Arn, (await asRole.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn);
        Assert.Equal(temporary.AccessKeyId, Stub.Requests[^1].AccessKeyId);
    }

    [Fact]
    public async Task The_SDKs_web_identity_credential_provider_runs_against_the_stub()
    {
        Stub.Sts.AllowWebIdentity(RoleArn);
        var tokenFile = Path.Combine(Path.GetTempPath(), $"aws-stub-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, Stub.Sts.CreateWebIdentityToken("system:serviceaccount:ops:operator"));
        try
        {
            var provider = new Amazon.Runtime.AssumeRoleWithWebIdentityCredentials(tokenFile, RoleArn, "eks-hardening");
            var original = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_STS");
            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", Stub.BaseUrl);
            Amazon.Runtime.ImmutableCredentials credentials;
            try
            {
                credentials = await provider.GetCredentialsAsync();
            }
            finally
            {
                Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", original);
            }

            Assert.StartsWith("ASIA", credentials.AccessKey, StringComparison.Ordinal);
            var key = Stub.Kms.AddKey(new KmsKey());
            using var kms = Kms(new StubCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token));
            Assert.Equal(key.Arn, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.Arn);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task A_role_without_a_grant_is_access_denied()
    {
        using var sts = Sts();
        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleWithWebIdentityAsync(Request(Stub.Sts.CreateWebIdentityToken("x"))));
        Assert.Equal(("AccessDenied", HttpStatusCode.Forbidden), (error.ErrorCode, error.StatusCode));
        Assert.Equal("Not authorized to perform sts:AssumeRoleWithWebIdentity", error.Message);
    }

    [Fact]
    public async Task A_subject_other_than_the_granted_one_is_access_denied()
    {
        Stub.Sts.AllowWebIdentity(RoleArn, "system:serviceaccount:shop:web");
        using var sts = Sts();
        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleWithWebIdentityAsync(Request(Stub.Sts.CreateWebIdentityToken("system:serviceaccount:shop:other"))));
        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task An_expired_token_is_an_ExpiredTokenException()
    {
        Stub.Sts.AllowWebIdentity(RoleArn);
        using var sts = Sts();
        var token = Stub.Sts.CreateWebIdentityToken("s", expires: DateTimeOffset.UtcNow.AddMinutes(-1));
        var error = await Assert.ThrowsAsync<ExpiredTokenException>(() => sts.AssumeRoleWithWebIdentityAsync(Request(token)));
        Assert.StartsWith("Token expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_that_is_not_a_JWT_is_an_InvalidIdentityToken_unless_granted_exactly()
    {
        Stub.Sts.AllowWebIdentity(RoleArn);
        using var sts = Sts();
        await Assert.ThrowsAsync<InvalidIdentityTokenException>(() => sts.AssumeRoleWithWebIdentityAsync(Request("opaque-token")));
        Stub.Sts.AllowWebIdentity(new WebIdentityGrant { RoleArn = RoleArn, Token = "opaque-token" });
        Assert.NotNull((await sts.AssumeRoleWithWebIdentityAsync(Request("opaque-token"))).Credentials);
    }

    [Fact]
    public async Task A_wrong_audience_or_issuer_is_an_InvalidIdentityToken()
    {
        Stub.Sts.AllowWebIdentity(new WebIdentityGrant { RoleArn = RoleArn, Audience = "sts.amazonaws.com", Issuer = Stub.Sts.OidcIssuer });
        using var sts = Sts();
        var audience = await Assert.ThrowsAsync<InvalidIdentityTokenException>(() =>
            sts.AssumeRoleWithWebIdentityAsync(Request(Stub.Sts.CreateWebIdentityToken("s", audience: "other"))));
        Assert.Equal("Incorrect token audience", audience.Message);
        var issuer = await Assert.ThrowsAsync<InvalidIdentityTokenException>(() =>
            sts.AssumeRoleWithWebIdentityAsync(Request(Stub.Sts.CreateWebIdentityToken("s", issuer: "https://elsewhere.example"))));
        Assert.Equal("No OpenIDConnect provider found in your account for https://elsewhere.example", issuer.Message);
    }

    [Theory]
    [InlineData("RoleSessionName=s&WebIdentityToken=abcd", "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")]
    [InlineData("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=s1", "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null")]
    [InlineData("RoleArn=not-an-arn-but-long-enough&RoleSessionName=s1&WebIdentityToken=abcd", "not-an-arn-but-long-enough is not a valid role ARN.")]
    [InlineData("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx&RoleSessionName=s1&WebIdentityToken=abcd&DurationSeconds=60", "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")]
    public async Task Invalid_input_is_a_ValidationError(string form, string message)
    {
        using var content = new StringContent($"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&{form}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.PostAsync(Stub.BaseUrl + "/", content);
        var error = await Responses.QueryErrorAsync(response, HttpStatusCode.BadRequest, Responses.StsNs);
        Assert.Equal(("Sender", "ValidationError", message), error);
    }

    [Fact]
    public async Task The_session_may_not_outlast_the_roles_maximum()
    {
        Stub.Iam.AddRole(new IamRole { Name = "irsa-app", MaxSessionDuration = 3600 });
        Stub.Sts.AllowWebIdentity(RoleArn);
        using var sts = Sts();
        var request = Request(Stub.Sts.CreateWebIdentityToken("s"));
        request.DurationSeconds = 7200;
        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleWithWebIdentityAsync(request));
        Assert.Equal("ValidationError", error.ErrorCode);
    }

    [Fact]
    public async Task Issued_credentials_are_listed()
    {
        Stub.Sts.AllowWebIdentity(RoleArn);
        using var sts = Sts();
        var response = await sts.AssumeRoleWithWebIdentityAsync(Request(Stub.Sts.CreateWebIdentityToken("system:serviceaccount:a:b")));
        var issued = Assert.Single(Stub.Sts.Issued);
        Assert.Equal((response.Credentials.AccessKeyId, RoleArn, "system:serviceaccount:a:b"), (issued.Credentials.AccessKeyId, issued.RoleArn, issued.Subject));
    }

    [Fact]
    public async Task Expiring_the_issued_credentials_makes_their_calls_ExpiredToken_while_the_test_keys_still_work()
    {
        var issued = Stub.Sts.IssueCredentials(RoleArn, "operator");
        var key = Stub.Kms.AddKey(new KmsKey { RotationEnabled = true });
        using var asRole = Kms(issued.Credentials);
        await asRole.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn });

        Assert.Equal(1, Stub.Sts.ExpireIssuedCredentials());
        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => asRole.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn }));
        Assert.Equal("ExpiredTokenException", error.ErrorCode);
        Assert.Equal(0, Stub.Sts.ExpireIssuedCredentials());   // already expired
        using var longTerm = Kms();
        Assert.True((await longTerm.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
        var fresh = Stub.Sts.IssueCredentials(RoleArn, "operator");
        using var renewed = Kms(fresh.Credentials);
        Assert.True((await renewed.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.Arn })).KeyRotationEnabled);
    }

    private static AssumeRoleWithWebIdentityRequest Request(string token) =>
        new() { RoleArn = RoleArn, RoleSessionName = "test", WebIdentityToken = token };
}
