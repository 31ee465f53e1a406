namespace EksHardening.Operator.Tests.Kubernetes;

public class ResourceInformerRelistTests
{
    /// <summary>Pages of pods; the second page's continue token expires once (410), as after an etcd compaction.</summary>
    private sealed class ExpiringSource : IResourceSource<V1Pod>
    {
        private bool _expired;
        public int ListCalls;
        public string Resource => "pods";

        public Task<ListPage<V1Pod>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            ListCalls++;
            if (continueToken == "page-2" && !_expired)
            {
                _expired = true;
                throw new KubernetesException(new V1Status { Code = 410, Reason = "Expired" });
            }

            var start = continueToken == "page-2" ? 2 : 0;
            var items = Enumerable.Range(start, 2).Select(i => new V1Pod { Metadata = new V1ObjectMeta { Name = $"p{i}", NamespaceProperty = "ns", ResourceVersion = "1" } }).ToList();
            return Task.FromResult(new ListPage<V1Pod>(items, start == 0 ? "page-2" : null, "42"));
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }

    [Fact]
    public async Task An_expired_continue_token_restarts_the_list_instead_of_emptying_the_cache()
    {
        var source = new ExpiringSource();
        var informer = new ResourceInformer<V1Pod>(source, NullLogger.Instance);
        var deletes = 0;
        informer.AddHandler(e => { if (e.Type == InformerEventType.Deleted) Interlocked.Increment(ref deletes); });
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, informer.Count);
        Assert.Equal(0, deletes);
        Assert.Equal(4, source.ListCalls);   // page 1, page 2 (410), page 1 again, page 2
        Assert.Equal("42", informer.LastResourceVersion);
        await stop.CancelAsync();
        await run;
    }
}
