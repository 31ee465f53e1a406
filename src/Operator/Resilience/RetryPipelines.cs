using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Resilience;

/// <summary>Retry pipelines on Polly shared by the clients.</summary>
public static class RetryPipelines
{
    /// <summary>
    /// Retries every failure but the caller's cancellation, without end. After each failure it waits what
    /// <paramref name="delayAfter"/> returns for it (given the failure and the failures before it in this execution);
    /// the wait ends early, with <see cref="OperationCanceledException"/>, when the caller cancels.
    /// </summary>
    public static ResiliencePipeline UntilCancelled(TimeProvider time, Func<Exception, int, TimeSpan> delayAfter)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(delayAfter);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !IsCallerCancellation(e, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delayAfter(args.Outcome.Exception!, args.AttemptNumber)),
            })
            .Build();
    }

    /// <summary>A cancellation the caller asked for, as opposed to a timeout inside the call.</summary>
    public static bool IsCallerCancellation(Exception error, CancellationToken callerToken) =>
        error is OperationCanceledException && callerToken.IsCancellationRequested;
}
