using EksHardening.Operator.Resilience;
using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The API client's answer to "come back later": a request answered 429 or 503 with <c>Retry-After</c> is sent again,
/// up to <see cref="MaxRetries"/> times, after the longer of the server's wait and an exponential backoff, capped at
/// <see cref="Backoff"/>'s maximum, as client-go's REST client does (<c>rest/with_retry.go</c>: the server has not
/// processed the request, so any verb may be repeated). Every request of the operator passes it: informer lists and
/// watches, status writes, Events, the Lease, certificates. An answer without <c>Retry-After</c> goes to the caller,
/// whose own retry decides.
/// </summary>
public sealed class RetryAfterHandler : DelegatingHandler
{
    /// <summary>client-go's default <c>maxRetries</c>.</summary>
    public const int MaxRetries = 10;

    /// <summary>From 200 ms up to 10 s, the informers' reconnect backoff: an API server back from an outage is seen within 10 s.</summary>
    public static readonly ExponentialBackoff Backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), Jitter: 0.5);

    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retries;

    public RetryAfterHandler(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _retries = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } response && ApiRetryAfter.Of(response, _time.GetUtcNow()) is not null),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    Backoff.Delay(args.AttemptNumber, Random.Shared.NextDouble(), ApiRetryAfter.Of(args.Outcome.Result!, _time.GetUtcNow()))),
                OnRetry = args =>
                {
                    // The answer that asked us to wait is not the caller's: release its connection before the next try.
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _retries.ExecuteAsync(static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, token)),
            (Handler: this, Request: request), cancellationToken).AsTask();

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}
