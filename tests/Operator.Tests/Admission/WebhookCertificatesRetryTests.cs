namespace EksHardening.Operator.Tests.Admission;

/// <summary>A certificate check that fails is tried again after a doubling backoff, and stopping ends the wait.</summary>
public sealed class WebhookCertificatesRetryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly FailingApi _api;
    private readonly k8s.Kubernetes _client;
    private readonly WebhookCertificates _certificates;
    private readonly FakeLogger<WebhookCertificates> _logger = new();

    public WebhookCertificatesRetryTests()
    {
        _api = new FailingApi(_time);
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }, _api);
        _certificates = new WebhookCertificates(_client, new WebhookOptions(), new ServingCertificateHolder(), _time, _logger);
    }

    public void Dispose()
    {
        _certificates.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task A_failed_check_is_tried_again_after_2_s_then_4_s_and_stopping_ends_the_wait()
    {
        await _certificates.StartAsync(CancellationToken.None);
        foreach (var (checks, wait) in new[] { (1, 2), (2, 4) })
        {
            // The failure is logged as the wait is chosen, just before it starts.
            await Eventually.True(() => _logger.Collector.Count == checks, $"check {checks} failed");
            await Eventually.Settle();
            _time.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            await Eventually.Settle();
            Assert.Equal(checks, _api.Requests.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Eventually.True(() => _api.Requests.Count == 3, "check 3");
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _api.Requests.Zip(_api.Requests.Skip(1), (a, b) => b - a));

        // The fake clock stands still in the 8 s wait: only the stop can end it.
        await _certificates.StopAsync(CancellationToken.None);
        Assert.True(_certificates.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal(3, _api.Requests.Count);
    }

    /// <summary>An API server that answers every request 500 and records when each came.</summary>
    private sealed class FailingApi(TimeProvider time) : DelegatingHandler
    {
        public ConcurrentQueue<DateTimeOffset> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(time.GetUtcNow());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                RequestMessage = request,
                Content = new StringContent("""{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}"""),
            });
        }
    }
}
