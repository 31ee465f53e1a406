namespace EksHardening.Operator.Tests.Aws;

/// <summary>The pipeline's standard-mode retries, timeouts, quota and counters.</summary>
public sealed class AwsHttpClientTests
{
    private const string Throttled = """{"__type":"ThrottlingException","message":"Rate exceeded"}""";
    private const string Unavailable = """{"__type":"ServiceUnavailableException","message":"Service unavailable"}""";

    private static readonly EcrRegistry Registry = new("123456789012", "eu-west-1");

    private static AwsRequest Request(string operation = "GetRegistryScanningConfiguration") => new()
    {
        Service = "ecr",
        Operation = operation,
        Protocol = AwsProtocol.Json,
        Headers = [new("X-Amz-Target", EcrClient.TargetPrefix + operation)],
        Body = "{}"u8.ToArray(),
        ContentType = EcrClient.ContentType,
    };

    [Theory]
    [InlineData(1.0, 1, false, 100)]
    [InlineData(1.0, 2, false, 200)]
    [InlineData(1.0, 3, false, 400)]
    [InlineData(1.0, 1, true, 1_000)]
    [InlineData(1.0, 3, true, 4_000)]
    [InlineData(1.0, 6, true, 20_000)]
    [InlineData(1.0, 100, false, 20_000)]
    [InlineData(0.25, 2, true, 500)]
    [InlineData(0.0, 5, true, 0)]
    public void Backoff_is_exponential_from_100_ms_or_1_s_when_throttled_capped_at_20_s_with_full_jitter(double random, int retry, bool throttled, double expectedMilliseconds)
    {
        var options = new AwsRetryOptions { Random = () => random };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), AwsStandardRetryMode.Backoff(options, retry, throttled));
    }

    [Fact]
    public void Defaults_are_the_standard_retry_mode()
    {
        var options = new AwsRetryOptions();
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ThrottlingBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), options.MaxBackoff);
        Assert.Equal(500, options.RetryQuotaCapacity);
    }

    [Fact]
    public async Task Throttling_is_retried_after_growing_delays_then_succeeds()
    {
        var time = new FakeTimeProvider(AwsTest.Now);
        var handler = new FakeAwsHandler()
            .Enqueue(HttpStatusCode.BadRequest, Throttled)
            .Enqueue(HttpStatusCode.BadRequest, Throttled)
            .Enqueue(HttpStatusCode.BadRequest, Throttled)
            .Json("""{"registryId":"123456789012","scanningConfiguration":{"scanType":"BASIC","rules":[]}}""");
        using var http = AwsTest.Http(handler, time, new AwsRetryOptions { MaxAttempts = 4, Random = () => 1 });

        var call = http.SendAsync(Request(), "eu-west-1");
        foreach (var (attempts, delay) in new[] { (1, 1000), (2, 2000), (3, 4000) })
        {
            await Eventually.True(() => handler.Requests.Count == attempts, $"attempt {attempts}");
            time.Advance(TimeSpan.FromMilliseconds(delay - 1));
            await Task.Delay(50);
            Assert.Equal(attempts, handler.Requests.Count);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var body = await call;
        Assert.Contains("BASIC", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(3, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", AwsCallCounters.Retry));
        Assert.Equal(1, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", AwsCallCounters.Success));
        // Every attempt is signed afresh, at the time it is sent.
        Assert.Equal(["20261128T120000Z", "20261128T120001Z", "20261128T120003Z", "20261128T120007Z"], handler.Requests.Select(r => r.Header("X-Amz-Date")));
        Assert.All(handler.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/eu-west-1/ecr/aws4_request", r.Header("Authorization"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_server_error_is_retried_after_the_short_base_delay()
    {
        var time = new FakeTimeProvider(AwsTest.Now);
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.ServiceUnavailable, Unavailable).Json("{}");
        using var http = AwsTest.Http(handler, time, new AwsRetryOptions { Random = () => 1 });

        var call = http.SendAsync(Request(), "eu-west-1");
        await Eventually.True(() => handler.Requests.Count == 1, "the first attempt");
        time.Advance(TimeSpan.FromMilliseconds(100));
        await call;

        Assert.Equal(2, handler.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"__type":"AccessDeniedException","message":"not authorized"}""", AwsErrorKind.AccessDenied)]
    [InlineData(HttpStatusCode.BadRequest, """{"__type":"RepositoryNotFoundException","message":"no such repository"}""", AwsErrorKind.NotFound)]
    [InlineData(HttpStatusCode.BadRequest, """{"__type":"InvalidParameterException","message":"bad"}""", AwsErrorKind.Invalid)]
    [InlineData(HttpStatusCode.NotImplemented, """{"message":"not implemented"}""", AwsErrorKind.ServerError)]
    public async Task Permanent_errors_are_not_retried(HttpStatusCode status, string body, AwsErrorKind kind)
    {
        var handler = new FakeAwsHandler().Enqueue(status, body);
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(1, error.Attempts);
        Assert.Single(handler.Requests);
        Assert.Equal(0, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", AwsCallCounters.Retry));
        Assert.Equal(1, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", kind.ToString()));
    }

    [Fact]
    public async Task Attempts_are_capped_at_three()
    {
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.BadRequest, Throttled) };
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));

        Assert.Equal(AwsErrorKind.Throttled, error.Kind);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(2, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", AwsCallCounters.Retry));
        Assert.Equal(1, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", "Throttled"));
        // Retries are kept by the error that caused them.
        Assert.Equal(2, http.Counters.RetrySnapshot()[new AwsCallKey("ecr", "GetRegistryScanningConfiguration", "Throttled")]);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_times_out_and_is_retried()
    {
        var time = new FakeTimeProvider(AwsTest.Now);
        var handler = new FakeAwsHandler()
            .EnqueueAsync(async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                throw new InvalidOperationException("unreachable");
            })
            .Json("{}");
        using var http = AwsTest.Http(handler, time, new AwsRetryOptions { Random = () => 0, RequestTimeout = TimeSpan.FromSeconds(5) });

        var call = http.SendAsync(Request(), "eu-west-1");
        await Eventually.True(() => handler.Requests.Count == 1, "the first attempt");
        time.Advance(TimeSpan.FromSeconds(5));
        await call;

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, http.Counters.Count("ecr", "GetRegistryScanningConfiguration", AwsCallCounters.Retry));
    }

    [Fact]
    public async Task Connection_failures_are_retried_and_reported_as_timeouts()
    {
        var handler = new FakeAwsHandler { Fallback = _ => throw new HttpRequestException("Connection refused (127.0.0.1:1)") };
        using var http = AwsTest.Http(handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));

        Assert.Equal(AwsErrorKind.Timeout, error.Kind);
        Assert.Equal("ConnectionFailed", error.ErrorCode);
        Assert.Equal(3, error.Attempts);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_an_AWS_error()
    {
        var handler = new FakeAwsHandler().EnqueueAsync(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var http = AwsTest.Http(handler);
        using var cancel = new CancellationTokenSource();

        var call = http.SendAsync(Request(), "eu-west-1", cancel.Token);
        await Eventually.True(() => handler.Requests.Count == 1, "the attempt");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task An_exhausted_retry_quota_stops_retries_and_successes_refill_it()
    {
        var handler = new FakeAwsHandler
        {
            Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.ServiceUnavailable, Unavailable),
        };
        using var http = AwsTest.Http(handler, retry: new AwsRetryOptions { Random = () => 0, RetryQuotaCapacity = 7, RetryCost = 5 });

        await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));
        Assert.Equal(2, handler.Requests.Count); // one retry took 5 of 7 tokens; a second would need 5 more
        Assert.Equal(2, http.RetryQuotaAvailable);

        handler.Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.OK, "{}");
        await http.SendAsync(Request(), "eu-west-1");
        Assert.Equal(3, http.RetryQuotaAvailable);
    }

    [Theory]
    [InlineData(1, 11)]   // a first-time success puts one token back
    [InlineData(2, 10)]   // one retry that succeeded: its 5 tokens come back
    [InlineData(3, 5)]    // the first retry failed and keeps its 5; the second succeeded and returns its 5
    public async Task A_retry_that_failed_keeps_its_quota_tokens_and_the_one_that_succeeded_returns_them(int attempts, int expectedAvailable)
    {
        var handler = new FakeAwsHandler();
        // First a call that fails three times: its two retries take 10 of the 20 tokens.
        for (var i = 0; i < 3; i++) handler.Enqueue(HttpStatusCode.ServiceUnavailable, Unavailable);
        for (var i = 1; i < attempts; i++) handler.Enqueue(HttpStatusCode.ServiceUnavailable, Unavailable);
        handler.Json("{}");
        using var http = AwsTest.Http(handler, retry: new AwsRetryOptions { Random = () => 0, RetryQuotaCapacity = 20, RetryCost = 5 });
        await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));
        Assert.Equal(10, http.RetryQuotaAvailable);

        await http.SendAsync(Request(), "eu-west-1");

        Assert.Equal(3 + attempts, handler.Requests.Count);
        Assert.Equal(expectedAvailable, http.RetryQuotaAvailable);
    }

    [Fact]
    public async Task Cancelling_ends_the_backoff_wait_and_nothing_is_sent_again()
    {
        var time = new FakeTimeProvider(AwsTest.Now);
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.ServiceUnavailable, Unavailable) };
        using var http = AwsTest.Http(handler, time, new AwsRetryOptions { Random = () => 1 });
        using var cancel = new CancellationTokenSource();

        var call = http.SendAsync(Request(), "eu-west-1", cancel.Token);
        await Eventually.True(() => handler.Requests.Count == 1, "the first attempt");
        await cancel.CancelAsync();

        // The fake clock never moves: only the cancellation can end the wait.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Settle();
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task An_expired_token_answer_fetches_the_credentials_again_and_retries_once_at_once()
    {
        var credentials = new CountingCredentials();
        var handler = new FakeAwsHandler()
            .Enqueue(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""")
            .Json("{}");
        using var http = new AwsHttpClient(credentials, new AwsEndpoints(_ => null), new AwsRetryOptions { Random = () => 0 }, new FakeTimeProvider(AwsTest.Now), handler);

        await http.SendAsync(Request(), "eu-west-1");

        Assert.Equal(1, credentials.Invalidations);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Credentials_that_are_still_expired_after_a_fresh_fetch_are_AccessDenied_after_two_attempts()
    {
        var credentials = new CountingCredentials();
        const string Expired = """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""";
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.BadRequest, Expired).Enqueue(HttpStatusCode.BadRequest, Expired);
        using var http = new AwsHttpClient(credentials, new AwsEndpoints(_ => null), new AwsRetryOptions { Random = () => 0 }, new FakeTimeProvider(AwsTest.Now), handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));

        Assert.Equal(AwsErrorKind.AccessDenied, error.Kind);
        Assert.Equal(2, credentials.Invalidations);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_signature_error_keeps_neither_the_quoted_signed_request_nor_the_credentials_in_its_message()
    {
        var credentials = AwsTest.Credentials with { SessionToken = "FwoGZXIvYXdzEXAMPLEsessiontoken" };
        var message = "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nhost:api.ecr.eu-west-1.amazonaws.com\nx-amz-security-token:FwoGZXIvYXdzEXAMPLEsessiontoken\n'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256'";
        var body = new System.Text.Json.Nodes.JsonObject { ["__type"] = "InvalidSignatureException", ["message"] = message }.ToJsonString();
        var handler = new FakeAwsHandler().Enqueue(HttpStatusCode.BadRequest, body);
        using var http = new AwsHttpClient(new StaticAwsCredentialsSource(credentials), new AwsEndpoints(_ => null), new AwsRetryOptions { Random = () => 0 }, new FakeTimeProvider(AwsTest.Now), handler);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => http.SendAsync(Request(), "eu-west-1"));

        Assert.Equal("The request signature we calculated does not match the signature you provided.", error.Message);
        Assert.DoesNotContain(credentials.SessionToken!, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_token_is_sent_and_signed()
    {
        var handler = new FakeAwsHandler().Json("{}");
        using var http = new AwsHttpClient(new StaticAwsCredentialsSource(AwsTest.Credentials with { SessionToken = "FwoGZXIvYXdzEXAMPLE" }),
            new AwsEndpoints(_ => null), new AwsRetryOptions(), new FakeTimeProvider(AwsTest.Now), handler);

        await http.SendAsync(Request(), "eu-west-1");

        var request = handler.Single();
        Assert.Equal("FwoGZXIvYXdzEXAMPLE", request.Header("X-Amz-Security-Token"));
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_go_to_the_overridden_endpoint_and_are_signed_for_the_region()
    {
        var handler = new FakeAwsHandler().Json("""{"repositories":[]}""");
        using var http = AwsTest.Http(handler, environment: name => name == "AWS_ENDPOINT_URL_ECR" ? "http://127.0.0.1:4566/ecr-stub" : null);

        await new EcrClient(http).DescribeRepositoriesAsync(Registry);

        var request = handler.Single();
        Assert.Equal("http://127.0.0.1:4566/ecr-stub/", request.Uri.AbsoluteUri);
        AwsTest.AssertSigned(request, "ecr", "eu-west-1");
    }

    private sealed class CountingCredentials : IAwsCredentialsSource
    {
        public int Invalidations { get; private set; }

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(AwsTest.Credentials);

        public void Invalidate() => Invalidations++;
    }
}
