namespace EksHardening.Operator.Tests.Aws;

/// <summary>Error responses as each protocol sends them, mapped to <see cref="AwsErrorKind"/>.</summary>
public sealed class AwsErrorMappingTests
{
    private static readonly AwsRetryOptions NoRetry = new() { MaxAttempts = 1, Random = () => 0 };
    private static readonly EcrRegistry Registry = new("123456789012", "eu-west-1");

    [Theory]
    [InlineData(400, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/op/x is not authorized to perform: ecr:DescribeRepositories", AwsErrorKind.AccessDenied)]
    [InlineData(400, "ThrottlingException", "Rate exceeded", AwsErrorKind.Throttled)]
    [InlineData(400, "TooManyRequestsException", "Too many requests", AwsErrorKind.Throttled)]
    [InlineData(400, "RepositoryNotFoundException", "The repository with name 'web' does not exist in the registry with id '123456789012'", AwsErrorKind.NotFound)]
    [InlineData(400, "ImageNotFoundException", "The image with imageId {imageDigest:'sha256:00'} does not exist", AwsErrorKind.NotFound)]
    [InlineData(400, "ScanNotFoundException", "Image scan does not exist for the image", AwsErrorKind.NotFound)]
    [InlineData(400, "InvalidParameterException", "Invalid parameter at 'maxResults'", AwsErrorKind.Invalid)]
    [InlineData(400, "ValidationException", "1 validation error detected", AwsErrorKind.Invalid)]
    [InlineData(408, "RequestTimeoutException", "Request timed out", AwsErrorKind.Timeout)]
    [InlineData(500, "ServerException", "Internal error", AwsErrorKind.ServerError)]
    [InlineData(400, "com.amazonaws.ecr.v20150921#RepositoryNotFoundException", "namespaced type", AwsErrorKind.NotFound)]
    [InlineData(400, "UnrecognizedClientException", "The security token included in the request is invalid.", AwsErrorKind.AccessDenied)]
    public async Task Json_1_1_errors_from_type(int status, string type, string message, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue((HttpStatusCode)status, $$"""{"__type":"{{type}}","message":"{{message}}"}""", headers: ("x-amzn-RequestId", "req-1"));
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EcrClient(http).DescribeRepositoriesAsync(Registry));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(type[(type.IndexOf('#', StringComparison.Ordinal) + 1)..], error.ErrorCode);
        Assert.Equal(message, error.Message);
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal("req-1", error.RequestId);
        Assert.Equal("ecr", error.Service);
        Assert.Equal("DescribeRepositories", error.Operation);
    }

    [Fact]
    public async Task Rest_json_errors_from_the_error_type_header()
    {
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.NotFound, """{"message":"No cluster found for name: prod."}""", "application/json",
            ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.eks/"));
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EksClient(http).DescribeClusterAsync("eu-west-1", "prod"));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal("No cluster found for name: prod.", error.Message);
    }

    [Theory]
    [InlineData(403, """{"message":"User is not authorized"}""", null, AwsErrorKind.AccessDenied)]
    [InlineData(429, """{"message":"Too Many Requests"}""", null, AwsErrorKind.Throttled)]
    [InlineData(400, """{"code":"InvalidParameterException","message":"bad"}""", "InvalidParameterException", AwsErrorKind.Invalid)]
    [InlineData(503, "<html>Service Unavailable</html>", null, AwsErrorKind.ServerError)]
    [InlineData(302, "", null, AwsErrorKind.Unknown)]
    public async Task Without_a_known_code_the_status_decides(int status, string body, string? code, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue((HttpStatusCode)status, body, "application/json");
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EksClient(http).DescribeClusterAsync("eu-west-1", "prod"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.ErrorCode);
    }

    [Theory]
    [InlineData(404, "Sender", "NoSuchEntity", "The role with name app cannot be found.", AwsErrorKind.NotFound)]
    [InlineData(403, "Sender", "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/op/x is not authorized to perform: iam:GetRole", AwsErrorKind.AccessDenied)]
    [InlineData(400, "Sender", "Throttling", "Rate exceeded", AwsErrorKind.Throttled)]
    [InlineData(400, "Sender", "InvalidInput", "ARN arn:aws:iam::aws:policy/x is not valid.", AwsErrorKind.Invalid)]
    [InlineData(400, "Sender", "ValidationError", "1 validation error detected", AwsErrorKind.Invalid)]
    [InlineData(500, "Receiver", "ServiceFailure", "Internal failure", AwsErrorKind.ServerError)]
    [InlineData(403, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match", AwsErrorKind.AccessDenied)]
    public async Task Query_xml_errors(int status, string type, string code, string message, AwsErrorKind kind)
    {
        var body = $"""
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error>
                <Type>{type}</Type>
                <Code>{code}</Code>
                <Message>{message}</Message>
              </Error>
              <RequestId>4a2e0c9d-example</RequestId>
            </ErrorResponse>
            """;
        var handler = new FakeAwsHandler().Enqueue((HttpStatusCode)status, body, "text/xml");
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new IamClient(http).GetRoleAsync("app"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(message, error.Message);
        Assert.Equal("4a2e0c9d-example", error.RequestId);
        Assert.Equal("iam", error.Service);
        Assert.Equal("GetRole", error.Operation);
    }

    [Fact]
    public async Task Ec2_style_xml_errors()
    {
        var body = """
            <Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>ec2-req</RequestID></Response>
            """;
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.Forbidden, body, "text/xml");
        using var http = AwsTest.Http(handler, retry: NoRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new IamClient(http).GetRoleAsync("app"));

        Assert.Equal(AwsErrorKind.AccessDenied, error.Kind);
        Assert.Equal("UnauthorizedOperation", error.ErrorCode);
        Assert.Equal("ec2-req", error.RequestId);
    }

    [Theory]
    [InlineData("RequestLimitExceeded", AwsErrorKind.Throttled)]
    [InlineData("UnauthorizedOperation", AwsErrorKind.AccessDenied)]
    [InlineData("NotFoundException", AwsErrorKind.NotFound)]
    [InlineData("ResourceNotFoundException", AwsErrorKind.NotFound)]
    [InlineData("KMSInternalException", AwsErrorKind.ServerError)]
    [InlineData("UnsupportedOperationException", AwsErrorKind.Invalid)]
    public void Codes_of_other_services(string code, AwsErrorKind kind) => Assert.Equal(kind, AwsErrorClassifier.Classify(code, 400));

    [Theory]
    [InlineData("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "FooError")]
    [InlineData("FooError", "FooError")]
    [InlineData("com.amazonaws.ecr#FooError", "FooError")]
    [InlineData("  ", null)]
    public void Error_codes_are_sanitized_as_the_protocols_specify(string raw, string? code) => Assert.Equal(code, AwsErrorParser.SanitizeCode(raw));

    [Theory]
    [InlineData(AwsErrorKind.Throttled, 400, null, true)]
    [InlineData(AwsErrorKind.Timeout, null, null, true)]
    [InlineData(AwsErrorKind.ServerError, 500, null, true)]
    [InlineData(AwsErrorKind.ServerError, 503, null, true)]
    [InlineData(AwsErrorKind.ServerError, 501, null, false)]
    [InlineData(AwsErrorKind.ServerError, 400, "InternalFailure", true)]
    [InlineData(AwsErrorKind.AccessDenied, 403, null, false)]
    [InlineData(AwsErrorKind.NotFound, 404, null, false)]
    [InlineData(AwsErrorKind.Invalid, 400, null, false)]
    [InlineData(AwsErrorKind.Unknown, 302, null, false)]
    public void What_the_standard_retry_mode_retries(AwsErrorKind kind, int? status, string? code, bool retryable) =>
        Assert.Equal(retryable, AwsErrorClassifier.IsRetryable(new AwsServiceException(kind, "ecr", "Op", "m", code, (HttpStatusCode?)status)));
}
