namespace EksHardening.AwsStub.Tests;

/// <summary>
/// Requests signed by the AWS SDK's own SigV4 signer are accepted on every protocol; any tampering, a wrong key,
/// a stale date or a wrong scope is refused with the error code and status that protocol uses.
/// </summary>
public class SignatureTests : StubTest
{
    public static TheoryData<string> Services => ["cloudtrail", "ecr", "eks", "guardduty", "iam", "kms", "sts"];

    public override async Task InitializeAsyncCore()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        Stub.Iam.AddRole(new IamRole { Name = "app" });
        await Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_request_signed_by_the_SDK_signer_is_accepted(string service)
    {
        using var response = await Http.SendAsync(Signed(service));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("x-amzn-RequestId").Single()));
        Assert.Equal(Stub.Credentials.AccessKeyId, Stub.Requests.Single().AccessKeyId);
    }

    [Theory]
    [InlineData("ecr", 400, "InvalidSignatureException")]
    [InlineData("kms", 400, "InvalidSignatureException")]
    [InlineData("eks", 403, "InvalidSignatureException")]
    [InlineData("iam", 403, "SignatureDoesNotMatch")]
    [InlineData("sts", 403, "SignatureDoesNotMatch")]
    [InlineData("guardduty", 403, "InvalidSignatureException")]
    [InlineData("cloudtrail", 400, "InvalidSignatureException")]
    public async Task A_wrong_secret_gets_the_protocols_signature_error_with_the_expected_canonical_request(string service, int status, string code)
    {
        using var response = await Http.SendAsync(Signed(service, new StubCredentials(Stub.Credentials.AccessKeyId, "not-the-secret")));
        var (actualCode, message) = await ErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(code, actualCode);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", message, StringComparison.Ordinal);
        Assert.Contains("The Canonical String for this request should have been", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ecr")]
    [InlineData("kms")]
    [InlineData("iam")]
    [InlineData("cloudtrail")]
    public async Task An_altered_body_is_refused(string service)
    {
        var request = Signed(service);
        var original = await request.Content!.ReadAsByteArrayAsync();
        var contentType = request.Content.Headers.ContentType;
        var altered = Encoding.UTF8.GetString(original).Replace("app", "adm", StringComparison.Ordinal).Replace("{}", "{ }", StringComparison.Ordinal)
            .Replace("alias/x", "alias/y", StringComparison.Ordinal);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(altered));
        request.Content.Headers.ContentType = contentType;
        using var response = await Http.SendAsync(request);
        Assert.Contains("Signature", (await ErrorAsync(response, service == "iam" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest)).Code, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_signed_header_is_refused()
    {
        var request = Hand.Json11("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}");
        request.Headers.Remove("X-Amz-Target");
        request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeImages");
        using var response = await Http.SendAsync(request);
        Assert.Equal("InvalidSignatureException", (await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task An_added_query_parameter_is_refused()
    {
        var request = SdkSigner.Sign(Stub.BaseUrl, "eks", Stub.Region, HttpMethod.Get, "/clusters/prod/pod-identity-associations", null, null,
            new Dictionary<string, string> { ["maxResults"] = "5" }, Stub.Credentials);
        request.RequestUri = new Uri(request.RequestUri + "&namespace=shop");
        using var response = await Http.SendAsync(request);
        Assert.Equal("InvalidSignatureException", (await Responses.RestErrorAsync(response, HttpStatusCode.Forbidden)).Code);
    }

    [Theory]
    [InlineData("ecr", -6, "Signature expired", 400)]
    [InlineData("ecr", 6, "Signature not yet current", 400)]
    [InlineData("eks", -6, "Signature expired", 403)]
    [InlineData("guardduty", 6, "Signature not yet current", 403)]
    [InlineData("cloudtrail", -6, "Signature expired", 400)]
    [InlineData("iam", -16, "Signature expired", 403)]
    [InlineData("sts", 16, "Signature not yet current", 403)]
    public async Task A_date_outside_the_allowed_skew_is_refused(string service, int minutes, string expected, int status)
    {
        using var response = await Http.SendAsync(Signed(service, at: DateTime.UtcNow.AddMinutes(minutes)));
        var (code, message) = await ErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(service is "iam" or "sts" ? "SignatureDoesNotMatch" : "InvalidSignatureException", code);
        Assert.StartsWith(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ecr", -4)]
    [InlineData("iam", -14)]
    [InlineData("sts", 14)]
    public async Task A_date_within_the_allowed_skew_is_accepted(string service, int minutes)
    {
        using var response = await Http.SendAsync(Signed(service, at: DateTime.UtcNow.AddMinutes(minutes)));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("ecr", 400, "MissingAuthenticationTokenException")]
    [InlineData("kms", 400, "MissingAuthenticationTokenException")]
    [InlineData("eks", 403, "MissingAuthenticationTokenException")]
    [InlineData("iam", 403, "MissingAuthenticationToken")]
    [InlineData("sts", 403, "MissingAuthenticationToken")]
    [InlineData("guardduty", 403, "MissingAuthenticationTokenException")]
    [InlineData("cloudtrail", 400, "MissingAuthenticationTokenException")]
    public async Task An_unsigned_request_is_refused(string service, int status, string code)
    {
        var request = Signed(service);
        Assert.True(request.Headers.Remove("Authorization"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(code, (await ErrorAsync(response, (HttpStatusCode)status)).Code);
    }

    [Theory]
    [InlineData("ecr", 400, "IncompleteSignatureException")]
    [InlineData("eks", 403, "IncompleteSignatureException")]
    [InlineData("iam", 400, "IncompleteSignature")]
    public async Task An_authorization_header_without_signed_headers_is_incomplete(string service, int status, string code)
    {
        var request = Signed(service);
        var authorization = request.Headers.GetValues("Authorization").Single();
        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ").Where(p => !p.StartsWith("SignedHeaders=", StringComparison.Ordinal));
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 " + string.Join(", ", parts));
        using var response = await Http.SendAsync(request);
        var (actual, message) = await ErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(code, actual);
        Assert.Contains("Authorization header requires 'SignedHeaders' parameter.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ecr", 400, "UnrecognizedClientException")]
    [InlineData("kms", 400, "UnrecognizedClientException")]
    [InlineData("eks", 403, "UnrecognizedClientException")]
    [InlineData("iam", 403, "InvalidClientTokenId")]
    [InlineData("guardduty", 403, "UnrecognizedClientException")]
    [InlineData("cloudtrail", 400, "UnrecognizedClientException")]
    public async Task An_unknown_access_key_is_unrecognized(string service, int status, string code)
    {
        using var response = await Http.SendAsync(Signed(service, new StubCredentials("AKIAUNKNOWNKEY000000", Stub.Credentials.SecretAccessKey)));
        var (actual, message) = await ErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(code, actual);
        Assert.Equal("The security token included in the request is invalid.", message);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_and_an_added_one_starts()
    {
        var extra = Stub.AddAccessKey(new StubCredentials("AKIAEXTRAKEY00000000", "extra-secret"), "ci-user", "210987654321");
        using (var ok = await Http.SendAsync(Signed("sts", extra)))
        {
            var identity = await Responses.XmlAsync(ok);
            Assert.Equal("arn:aws:iam::210987654321:user/ci-user", identity.Descendants(Responses.StsNs + "Arn").Single().Value);
        }

        Assert.True(Stub.RevokeAccessKey(extra.AccessKeyId));
        using var refused = await Http.SendAsync(Signed("sts", extra));
        Assert.Equal("InvalidClientTokenId", (await ErrorAsync(refused, HttpStatusCode.Forbidden)).Code);
    }

    [Theory]
    [InlineData("ecr", "us-west-2", 400, "InvalidSignatureException")]
    [InlineData("kms", "us-east-1", 400, "InvalidSignatureException")]
    [InlineData("iam", "eu-west-1", 403, "SignatureDoesNotMatch")]
    public async Task A_credential_scope_for_another_region_is_refused(string service, string region, int status, string code)
    {
        Hand.Region = region;
        using var response = await Http.SendAsync(Signed(service, iamRegion: region));
        var (actual, message) = await ErrorAsync(response, (HttpStatusCode)status);
        Assert.Equal(code, actual);
        Assert.Equal($"Credential should be scoped to a valid region, not '{region}'. ", message);
    }

    [Fact]
    public async Task A_service_scope_that_the_stub_does_not_serve_is_refused_and_logged()
    {
        var request = SdkSigner.Sign(Stub.BaseUrl, "s3", Stub.Region, HttpMethod.Get, "/bucket", null, null, null, Stub.Credentials);
        using var response = await Http.SendAsync(request);
        Assert.Equal("UnknownOperationException", (await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest)).Code);
        Assert.Equal("s3", Stub.Requests.Single().Service);
    }

    [Fact]
    public async Task Temporary_credentials_need_their_session_token()
    {
        var issued = Stub.Sts.IssueCredentials("arn:aws:iam::123456789012:role/app", "test").Credentials;
        using (var withToken = await Http.SendAsync(Signed("ecr", issued)))
        {
            Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        }

        using var withoutToken = await Http.SendAsync(Signed("ecr", issued with { SessionToken = null }));
        Assert.Equal("UnrecognizedClientException", (await ErrorAsync(withoutToken, HttpStatusCode.BadRequest)).Code);
        using var wrongToken = await Http.SendAsync(Signed("iam", issued with { SessionToken = issued.SessionToken + "x" }));
        Assert.Equal("InvalidClientTokenId", (await ErrorAsync(wrongToken, HttpStatusCode.Forbidden)).Code);
        using var tokenWithLongTermKey = await Http.SendAsync(Signed("kms", Stub.Credentials with { SessionToken = issued.SessionToken }));
        Assert.Equal("UnrecognizedClientException", (await ErrorAsync(tokenWithLongTermKey, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task The_same_endpoint_serves_each_service_by_its_credential_scope()
    {
        foreach (var service in new[] { "ecr", "eks", "iam", "kms", "sts", "guardduty", "cloudtrail" })
        {
            using var response = await Http.SendAsync(Signed(service));
            Assert.True(response.IsSuccessStatusCode);
        }

        Assert.Equal(["ecr", "eks", "iam", "kms", "sts", "guardduty", "cloudtrail"], Stub.Requests.Select(r => r.Service));
        Assert.Equal(["DescribeRepositories", "DescribeCluster", "GetRole", "DescribeKey", "GetCallerIdentity", "ListDetectors", "DescribeTrails"],
            Stub.Requests.Select(r => r.Operation));
    }

    [Fact]
    public async Task A_presigned_GetCallerIdentity_url_is_accepted_and_refused_once_altered()
    {
        var url = SdkSigner.Presign(Stub.BaseUrl, "sts", Stub.Region,
            new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" }, Stub.Credentials);
        using (var response = await Http.GetAsync(url))
        {
            var identity = await Responses.XmlAsync(response);
            Assert.Equal(Stub.AccountId, identity.Descendants(Responses.StsNs + "Account").Single().Value);
        }

        using var altered = await Http.GetAsync(url.ToString().Replace("Version=2011-06-15", "Version=2011-06-15&Extra=1", StringComparison.Ordinal));
        Assert.Equal("SignatureDoesNotMatch", (await ErrorAsync(altered, HttpStatusCode.Forbidden)).Code);
    }

    /// <summary>A valid request to each service, signed by the SDK signer.</summary>
    private HttpRequestMessage Signed(string service, StubCredentials? credentials = null, DateTime? at = null, string? iamRegion = null)
    {
        if (service == "kms")
        {
            Stub.Kms.AddKey(new Kms.KmsKey { Aliases = ["alias/x"] });
        }

        Hand.Credentials = credentials ?? Stub.Credentials;
        return service switch
        {
            "ecr" => Hand.Json11("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}", at),
            "kms" => Hand.Json11("kms", "TrentService.DescribeKey", """{"KeyId":"alias/x"}""", at),
            "eks" => SdkSigner.Sign(Stub.BaseUrl, "eks", Hand.Region, HttpMethod.Get, "/clusters/prod", null, null, null, Hand.Credentials, at),
            "iam" => QueryAt("iam", iamRegion ?? "us-east-1", "2010-05-08", "GetRole", at, ("RoleName", "app")),
            "sts" => QueryAt("sts", Hand.Region, "2011-06-15", "GetCallerIdentity", at),
            "guardduty" => SdkSigner.Sign(Stub.BaseUrl, "guardduty", Hand.Region, HttpMethod.Get, "/detector", null, null, null, Hand.Credentials, at),
            "cloudtrail" => Hand.Json11("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", "{}", at),
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
    }

    private HttpRequestMessage QueryAt(string service, string region, string version, string action, DateTime? at, params (string, string)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters)
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        return SdkSigner.Sign(Stub.BaseUrl, service, region, HttpMethod.Post, "/", Encoding.UTF8.GetBytes(form),
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }, null, Hand.Credentials, at);
    }

    /// <summary>The error code and message, wherever the response's protocol puts them.</summary>
    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.Content.Headers.ContentType?.MediaType == "text/xml")
        {
            var root = await Responses.XmlAsync(response, status);
            var ns = root.Name.Namespace;
            return (root.Descendants(ns + "Code").Single().Value, root.Descendants(ns + "Message").Single().Value);
        }

        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types))
        {
            var body = await Responses.JsonAsync(response, status);
            return (types.Single(), body["message"]!.GetValue<string>());
        }

        return await Responses.Json11ErrorAsync(response, status);
    }
}
