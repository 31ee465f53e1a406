using EksHardening.Operator.Resilience;
using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Aws;

/// <summary>
/// The AWS SDKs' "standard" retry mode as a Polly retry strategy. Throttling, timeouts and transient service failures
/// (<see cref="AwsErrorClassifier.IsRetryable"/>) are retried up to <see cref="AwsRetryOptions.MaxAttempts"/> attempts
/// while the retry quota lasts, after an exponential backoff with full jitter (from a longer base when throttled). An
/// expired or rotated credential is fetched again and the call tried once more at once, at no quota cost. Every retry is
/// counted by the error that caused it, every finished call by its outcome.
/// </summary>
internal sealed class AwsStandardRetryMode
{
    private static readonly ResiliencePropertyKey<Call> CallKey = new("eks-hardening.aws-call");

    private readonly AwsRetryOptions _options;
    private readonly AwsRetryQuota _quota;
    private readonly IAwsCredentialsSource _credentials;
    private readonly AwsCallCounters _counters;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    public AwsStandardRetryMode(AwsRetryOptions options, IAwsCredentialsSource credentials, AwsCallCounters counters, TimeProvider time, ILogger logger)
    {
        _options = options;
        _quota = new AwsRetryQuota(options);
        _credentials = credentials;
        _counters = counters;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // The mode itself decides in ShouldRetry (attempts, error kind, quota); this is only the outer bound.
                MaxRetryAttempts = Math.Max(1, options.MaxAttempts - 1),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, CallOf(args.Context))),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.Outcome.Exception, CallOf(args.Context))),
                OnRetry = args =>
                {
                    var failure = (AwsServiceException)args.Outcome.Exception!;
                    var call = CallOf(args.Context);
                    AwsLog.Retrying(_logger, call.Service, call.Operation, call.Attempts, failure.Kind, failure.ErrorCode, (long)args.RetryDelay.TotalMilliseconds);
                    _counters.RecordRetry(call.Service, call.Operation, failure.Kind);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Tokens left in the retry quota.</summary>
    public int QuotaAvailable => _quota.Available;

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 for the first): random · min(cap, base · 2^(retry-1)),
    /// the base the throttling one when <paramref name="throttled"/>.
    /// </summary>
    public static TimeSpan Backoff(AwsRetryOptions options, int retry, bool throttled)
    {
        var backoff = new ExponentialBackoff(throttled ? options.ThrottlingBaseDelay : options.BaseDelay, options.MaxBackoff, Jitter: 1);
        // Full jitter waits the drawn share of the nominal delay: the share taken off is one less the draw.
        return backoff.Delay(retry - 1, 1 - options.Random());
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, from 1) until it succeeds or the mode gives up, and counts the
    /// call's outcome. A failure comes out as the last attempt's <see cref="AwsServiceException"/>, with the attempts made.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(string service, string operation, Func<int, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var call = new Call(service, operation) { CancellationToken = cancellationToken };
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            var result = await _pipeline.ExecuteAsync(static async (context, state) =>
            {
                var (call, attempt) = state;
                call.Attempts++;
                try
                {
                    return await attempt(call.Attempts, context.CancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException e)
                {
                    throw e.WithAttempts(call.Attempts);
                }
            }, context, (call, attempt)).ConfigureAwait(false);
            _quota.Release(call.LastRetryCost);
            _counters.RecordSuccess(service, operation);
            return result;
        }
        catch (AwsServiceException failure)
        {
            AwsLog.Failed(_logger, service, operation, failure.Attempts, failure.Kind, failure.ErrorCode, failure.Message);
            _counters.RecordFailure(service, operation, failure.Kind);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static Call CallOf(ResilienceContext context) => context.Properties.GetValue(CallKey, null!);

    private bool ShouldRetry(Exception? error, Call call)
    {
        call.RefreshingCredentials = false;
        // A call the caller gave up on is not retried, and takes nothing from the quota.
        if (error is not AwsServiceException failure || call.CancellationToken.IsCancellationRequested) return false;
        if (AwsErrorClassifier.IsExpiredCredentials(failure.ErrorCode))
        {
            _credentials.Invalidate();
            // Credentials that expired or were rotated under us (IRSA): one more try at once with fresh ones.
            if (!call.Refreshed && call.Attempts < _options.MaxAttempts)
            {
                call.Refreshed = call.RefreshingCredentials = true;
                return true;
            }
        }

        if (call.Attempts >= _options.MaxAttempts || !AwsErrorClassifier.IsRetryable(failure)) return false;
        var cost = _quota.TryAcquire(failure.Kind == AwsErrorKind.Timeout);
        if (cost == 0)
        {
            AwsLog.QuotaExhausted(_logger, call.Service, call.Operation);
            return false;
        }

        call.LastRetryCost = cost;
        return true;
    }

    private TimeSpan DelayBefore(Exception? error, Call call) => call.RefreshingCredentials
        ? TimeSpan.Zero
        : Backoff(_options, call.Attempts, error is AwsServiceException { Kind: AwsErrorKind.Throttled });

    /// <summary>One call's progress through its attempts.</summary>
    private sealed class Call(string service, string operation)
    {
        public string Service { get; } = service;
        public string Operation { get; } = operation;
        public int Attempts { get; set; }
        /// <summary>
        /// What the latest retry took from the quota: returned if that retry succeeds. A retry that failed keeps its
        /// tokens, as in the SDKs ("on failure, it remains leased"), so a failing partition drains the quota.
        /// </summary>
        public int LastRetryCost { get; set; }
        public CancellationToken CancellationToken { get; init; }
        public bool Refreshed { get; set; }
        /// <summary>The retry about to happen is the one at once with fresh credentials.</summary>
        public bool RefreshingCredentials { get; set; }
    }
}
