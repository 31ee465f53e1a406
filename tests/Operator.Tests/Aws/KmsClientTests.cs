namespace EksHardening.Operator.Tests.Aws;

/// <summary>KMS through the official SDK client, configured with our endpoints, credentials and error kinds.</summary>
public sealed class KmsClientTests
{
    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string KeyArn = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static readonly AwsCredentials Credentials = AwsTest.Credentials with { SessionToken = "kms-session-token" };

    private static KmsClient Client(FakeAwsHandler handler, Func<string, string?>? environment = null, AwsCallCounters? counters = null) =>
        new(new StaticAwsCredentialsSource(Credentials), new AwsEndpoints(environment ?? (_ => null)), new AwsRetryOptions { MaxAttempts = 1 }, counters, handler);

    [Fact]
    public async Task DescribeKey()
    {
        var handler = new FakeAwsHandler().Json($$"""
            {
              "KeyMetadata": {
                "AWSAccountId": "111122223333",
                "Arn": "{{KeyArn}}",
                "CreationDate": 1.499988169234E9,
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "Description": "",
                "Enabled": true,
                "EncryptionAlgorithms": [ "SYMMETRIC_DEFAULT" ],
                "KeyId": "{{KeyId}}",
                "KeyManager": "CUSTOMER",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "KeyState": "Enabled",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "MultiRegion": false,
                "Origin": "AWS_KMS"
              }
            }
            """);
        using var kms = Client(handler);

        var key = await kms.DescribeKeyAsync("us-east-2", KeyArn);

        Assert.Equal(new KmsKey(KeyId, KeyArn, "Enabled", "CUSTOMER", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", true), key);
        var request = handler.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://kms.us-east-2.amazonaws.com/", request.Uri.AbsoluteUri);
        Assert.Equal("TrentService.DescribeKey", request.Header("X-Amz-Target"));
        Assert.Equal(KeyArn, JsonDocument.Parse(request.Body).RootElement.GetProperty("KeyId").GetString());
        Assert.Equal("kms-session-token", request.Header("X-Amz-Security-Token"));
        Assert.Contains("Credential=AKIDEXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("/us-east-2/kms/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKeyRotationStatus()
    {
        var handler = new FakeAwsHandler().Json($$"""
            { "KeyId": "{{KeyArn}}", "KeyRotationEnabled": true, "NextRotationDate": 1.735689600E9, "RotationPeriodInDays": 365 }
            """);
        using var kms = Client(handler);

        var rotation = await kms.GetKeyRotationStatusAsync("us-east-2", KeyArn);

        Assert.Equal(new KmsKeyRotation(KeyArn, true, 365, DateTimeOffset.FromUnixTimeSeconds(1735689600)), rotation);
        Assert.Equal("TrentService.GetKeyRotationStatus", handler.Single().Header("X-Amz-Target"));
    }

    [Fact]
    public async Task Honours_the_KMS_endpoint_override()
    {
        var handler = new FakeAwsHandler().Json("""{ "KeyId": "k", "KeyRotationEnabled": false }""");
        using var kms = Client(handler, name => name == "AWS_ENDPOINT_URL_KMS" ? "http://127.0.0.1:4566" : null);

        var rotation = await kms.GetKeyRotationStatusAsync("eu-west-1", "k");

        Assert.False(rotation.RotationEnabled);
        var request = handler.Single();
        Assert.Equal("http://127.0.0.1:4566/", request.Uri.AbsoluteUri);
        Assert.Contains("/eu-west-1/kms/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "NotFoundException", AwsErrorKind.NotFound)]
    [InlineData(HttpStatusCode.BadRequest, "AccessDeniedException", AwsErrorKind.AccessDenied)]
    [InlineData(HttpStatusCode.BadRequest, "UnsupportedOperationException", AwsErrorKind.Invalid)]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException", AwsErrorKind.Throttled)]
    [InlineData(HttpStatusCode.InternalServerError, "KMSInternalException", AwsErrorKind.ServerError)]
    public async Task Errors_become_the_same_kinds(HttpStatusCode status, string type, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue(status, $$"""{"__type":"{{type}}","message":"Key '{{KeyArn}}' problem"}""");
        var counters = new AwsCallCounters();
        using var kms = Client(handler, counters: counters);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => kms.GetKeyRotationStatusAsync("us-east-2", KeyArn));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(type, error.ErrorCode);
        Assert.Equal("kms", error.Service);
        Assert.Equal("GetKeyRotationStatus", error.Operation);
        Assert.Equal(1, counters.Count("kms", "GetKeyRotationStatus", kind.ToString()));
    }

    [Fact]
    public async Task A_failed_connection_is_a_timeout()
    {
        var handler = new FakeAwsHandler { Fallback = _ => throw new HttpRequestException("Connection refused") };
        using var kms = Client(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => kms.DescribeKeyAsync("us-east-2", KeyArn));

        Assert.Equal(AwsErrorKind.Timeout, error.Kind);
    }
}
