namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>The API client waits out a 429's or 503's Retry-After (capped) and sends the request again.</summary>
public sealed class RetryAfterHandlerTests : IDisposable
{
    private readonly TimerCountingTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedHandler _server;
    private readonly HttpMessageInvoker _client;

    public RetryAfterHandlerTests()
    {
        _server = new ScriptedHandler(_time);
        _client = new HttpMessageInvoker(new RetryAfterHandler(_time) { InnerHandler = _server });
    }

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData(429, "3", 3_000)]
    [InlineData(503, "2", 2_000)]
    [InlineData(429, "Sat, 28 Nov 2026 12:00:05 GMT", 5_000)]   // an HTTP date 5 s ahead
    [InlineData(429, "3600", 10_000)]                          // an hour asked for: the backoff's cap
    [InlineData(503, "Sun, 29 Nov 2026 12:00:00 GMT", 10_000)]  // a day asked for: the cap
    public async Task The_request_is_sent_again_once_the_wait_has_passed_not_before(int status, string retryAfter, int expectedMilliseconds)
    {
        _server.Answer(status, retryAfter).Answer(200);

        var send = Send();
        await Eventually.True(() => _time.TimersCreated == 1, "the wait after the first request");
        _time.Advance(TimeSpan.FromMilliseconds(expectedMilliseconds - 1));
        await Eventually.Settle();
        Assert.Single(_server.Requests);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await send;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), _server.Requests.Last() - _server.Requests.First());
    }

    [Theory]
    [InlineData(429, null)]     // no Retry-After: the caller's own retry decides
    [InlineData(503, null)]
    [InlineData(500, "3")]      // only 429 and 503
    [InlineData(409, "3")]
    public async Task Other_answers_go_to_the_caller_at_once(int status, string? retryAfter)
    {
        _server.Answer(status, retryAfter).Answer(200);

        using var response = await Send();

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task After_the_last_retry_the_caller_gets_the_answer_that_asked_to_wait()
    {
        for (var i = 0; i <= RetryAfterHandler.MaxRetries; i++) _server.Answer(429, "1");

        var send = Send();
        for (var attempt = 1; attempt <= RetryAfterHandler.MaxRetries; attempt++)
        {
            await Eventually.True(() => _time.TimersCreated == attempt, $"the wait after attempt {attempt}");
            _time.Advance(RetryAfterHandler.Backoff.MaxDelay);
        }

        using var response = await send;
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(RetryAfterHandler.MaxRetries + 1, _server.Requests.Count);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_and_sends_nothing_more()
    {
        _server.Answer(429, "5").Answer(200);
        using var cancel = new CancellationTokenSource();

        var send = Send(cancel.Token);
        await Eventually.True(() => _server.Requests.Count == 1, "the first request");
        await cancel.CancelAsync();

        // The fake clock never moves: only the cancellation can end the wait.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Settle();
        Assert.Single(_server.Requests);
    }

    private Task<HttpResponseMessage> Send(CancellationToken cancellationToken = default) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://cluster.example:6443/api/v1/pods"), cancellationToken);

    /// <summary>Answers with the scripted status codes in turn and records when each request came.</summary>
    private sealed class ScriptedHandler(TimeProvider time) : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _answers = new();

        public ConcurrentQueue<DateTimeOffset> Requests { get; } = new();

        public ScriptedHandler Answer(int status, string? retryAfter = null)
        {
            _answers.Enqueue((status, retryAfter));
            return this;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(time.GetUtcNow());
            Assert.True(_answers.TryDequeue(out var answer), "a request beyond the script");
            var response = new HttpResponseMessage((HttpStatusCode)answer.Status) { RequestMessage = request };
            if (answer.RetryAfter is not null) response.Headers.TryAddWithoutValidation(ApiRetryAfter.Header, answer.RetryAfter);
            return Task.FromResult(response);
        }
    }
}
