namespace EksHardening.Operator.Tests.Resilience;

/// <summary>The retry-until-cancelled pipeline behind informer reconnects and certificate checks.</summary>
public class RetryPipelinesTests
{
    private readonly TimerCountingTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Failures_are_retried_after_the_delay_chosen_for_each_until_one_succeeds()
    {
        var seen = new List<(string Error, int Failures)>();
        var pipeline = RetryPipelines.UntilCancelled(_time, (error, failures) =>
        {
            seen.Add((error.Message, failures));
            return TimeSpan.FromSeconds(failures + 1);
        });
        var attempts = 0;

        var run = pipeline.ExecuteAsync(_ => ++attempts < 3 ? throw new InvalidOperationException($"failure {attempts}") : ValueTask.FromResult(attempts)).AsTask();
        await Eventually.True(() => _time.TimersCreated == 1, "the wait after the first attempt");
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => _time.TimersCreated == 2, "the wait after the second attempt, 1 s later");
        Assert.Equal(2, attempts);
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        await Eventually.Settle();
        Assert.Equal(2, attempts);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(3, await run);
        Assert.Equal([("failure 1", 0), ("failure 2", 1)], seen);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_between_attempts_and_nothing_is_tried_again()
    {
        var pipeline = RetryPipelines.UntilCancelled(_time, (_, _) => TimeSpan.FromMinutes(5));
        using var cancel = new CancellationTokenSource();
        var attempts = 0;

        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            throw new HttpRequestException("connection refused");
        }, cancel.Token).AsTask();
        await Eventually.True(() => attempts == 1, "the first attempt");
        await cancel.CancelAsync();

        // The fake clock never moves: only the cancellation can end the wait.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        _time.Advance(TimeSpan.FromHours(1));
        await Eventually.Settle();
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task The_callers_cancellation_inside_an_attempt_is_not_retried_but_a_timeout_is()
    {
        using var cancel = new CancellationTokenSource();
        var delays = 0;
        var pipeline = RetryPipelines.UntilCancelled(_time, (_, _) =>
        {
            delays++;
            return TimeSpan.Zero;
        });

        // An attempt that times out on its own (the caller still waits) is a failure like any other.
        var timedOut = 0;
        await pipeline.ExecuteAsync(_ => ++timedOut == 1 ? throw new TaskCanceledException("attempt timed out") : ValueTask.CompletedTask, cancel.Token);
        Assert.Equal((2, 1), (timedOut, delays));

        // The caller's own cancellation ends the call at once.
        var cancelled = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.ExecuteAsync(token =>
        {
            cancelled++;
            cancel.Cancel();
            token.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }, cancel.Token).AsTask());
        Assert.Equal((1, 1), (cancelled, delays));
    }
}
