namespace EksHardening.AwsStub.Tests;

/// <summary>Temporary credentials expire on the stub's clock.</summary>
public class ExpiringCredentialTests : StubTest
{
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override void Configure(AwsStubOptions options) => options.TimeProvider = _clock;

    [Fact]
    public async Task Expired_session_credentials_get_the_expired_token_error()
    {
        var issued = Stub.Sts.IssueCredentials("arn:aws:iam::123456789012:role/app", "s", TimeSpan.FromMinutes(15)).Credentials;
        _clock.Advance(TimeSpan.FromMinutes(16));
        Hand.Credentials = issued;
        using var json = await Http.SendAsync(Hand.Json11("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}", _clock.GetUtcNow().UtcDateTime));
        Assert.Equal(("ExpiredTokenException", "The security token included in the request is expired"),
            await Responses.Json11ErrorAsync(json, HttpStatusCode.BadRequest));
        var query = Hand.Iam("GetRole", ("RoleName", "x"));
        using var xml = await Http.SendAsync(SdkSigner.Sign(Stub.BaseUrl, "iam", "us-east-1", HttpMethod.Post, "/",
            await query.Content!.ReadAsByteArrayAsync(), new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
            null, issued, _clock.GetUtcNow().UtcDateTime));
        Assert.Equal("ExpiredToken", (await Responses.QueryErrorAsync(xml, HttpStatusCode.BadRequest, Responses.IamNs)).Code);
    }

    [Fact]
    public async Task A_presigned_url_expires_after_X_Amz_Expires()
    {
        var url = SdkSigner.Presign(Stub.BaseUrl, "sts", Stub.Region,
            new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" }, Stub.Credentials, expiresSeconds: 60);
        _clock.Advance(TimeSpan.FromMinutes(2));
        using var response = await Http.GetAsync(url);
        var error = await Responses.QueryErrorAsync(response, HttpStatusCode.Forbidden, Responses.StsNs);
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.StartsWith("Signature expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skew_is_measured_against_the_stubs_clock()
    {
        _clock.Advance(TimeSpan.FromHours(2));
        using var stale = await Http.SendAsync(Hand.Json11("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}"));
        Assert.StartsWith("Signature expired", (await Responses.Json11ErrorAsync(stale, HttpStatusCode.BadRequest)).Message, StringComparison.Ordinal);
        using var current = await Http.SendAsync(Hand.Json11("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}", _clock.GetUtcNow().UtcDateTime));
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }
}
