namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>The informer's reconnects: backoff, a server's Retry-After, and a stop that ends every wait.</summary>
public class ResourceInformerReconnectTests
{
    private readonly TimerCountingTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Lists fail with the scripted errors in turn, then answer one pod; the watch waits until stopped.</summary>
    private sealed class FailingSource(params Func<Exception>[] failures) : IResourceSource<V1Pod>
    {
        private int _lists;
        public int ListCalls => Volatile.Read(ref _lists);
        public string Resource => "pods";

        public Task<ListPage<V1Pod>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _lists);
            if (call <= failures.Length) throw failures[call - 1]();
            var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", ResourceVersion = "1" } };
            return Task.FromResult(new ListPage<V1Pod>([pod], null, "7"));
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }

    [Fact]
    public async Task Stopping_ends_the_wait_before_a_reconnect_and_nothing_is_tried_again()
    {
        var source = new FailingSource(() => new HttpRequestException("connection refused"));
        var informer = new ResourceInformer<V1Pod>(source, NullLogger.Instance, _time, new InformerOptions { RetryBase = TimeSpan.FromMinutes(1), RetryCap = TimeSpan.FromMinutes(1) });
        using var stop = new CancellationTokenSource();

        var run = informer.RunAsync(stop.Token);
        await Eventually.True(() => source.ListCalls == 1, "the first list");
        await stop.CancelAsync();

        // The fake clock never moves: only the cancellation can end the wait.
        await run;
        Assert.Equal(1, source.ListCalls);
        Assert.False(informer.Synced.IsCompleted);
    }

    [Theory]
    [InlineData("3", 3_000)]
    [InlineData("Sat, 28 Nov 2026 12:00:04 GMT", 4_000)]
    [InlineData("3600", 10_000)]   // an hour asked for: the reconnect cap
    public async Task A_429_with_Retry_After_is_listed_again_once_the_wait_has_passed(string retryAfter, int expectedMilliseconds)
    {
        var source = new FailingSource(() => ApiRetryAfterTests.Failure(ApiRetryAfterTests.Answer(429, retryAfter)));
        var informer = new ResourceInformer<V1Pod>(source, NullLogger.Instance, _time, new InformerOptions { RetryCap = TimeSpan.FromSeconds(10) });
        using var stop = new CancellationTokenSource();

        var run = informer.RunAsync(stop.Token);
        await Eventually.True(() => _time.TimersCreated == 1, "the wait after the first list");
        _time.Advance(TimeSpan.FromMilliseconds(expectedMilliseconds - 1));
        await Eventually.Settle();
        Assert.Equal(1, source.ListCalls);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.True(() => informer.Synced.IsCompleted, "the second list");
        Assert.Equal(2, source.ListCalls);
        Assert.Equal(1, informer.Count);

        await stop.CancelAsync();
        await run;
    }
}
