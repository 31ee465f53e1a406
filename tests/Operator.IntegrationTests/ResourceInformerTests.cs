namespace EksHardening.Operator.IntegrationTests;

public sealed class ResourceInformerTests : IAsyncLifetime
{
    private ApiServerEmulator _emulator = null!;
    private k8s.Kubernetes _client = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<InformerEvent<V1Pod>> _events = [];
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private MetricCollector<long> _lists = null!;
    private MetricCollector<long> _relists = null!;
    private MetricCollector<long> _watchRestarts = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartNewAsync(new ApiEmulatorOptions { WatchHistoryLimit = 50 });
        _client = _emulator.CreateClient();
        var meters = _metrics.GetRequiredService<IMeterFactory>();
        _lists = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_informer_lists_total");
        _relists = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_informer_relists_total");
        _watchRestarts = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_watch_restarts_total");
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _client.Dispose();
        await _emulator.DisposeAsync();
        _stop.Dispose();
        _lists.Dispose();
        _relists.Dispose();
        _watchRestarts.Dispose();
        await _metrics.DisposeAsync();
    }

    private static long Counted(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().EvaluateAsCounter();

    private static V1Pod Pod(string name, string ns = "default", string image = "app:1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };

    private (ResourceInformer<V1Pod> Informer, Task Run) Start(int pageSize = 500)
    {
        var informer = new ResourceInformer<V1Pod>(ResourceSources.Pods(_client), NullLogger.Instance,
            options: new InformerOptions { PageSize = pageSize, RetryBase = TimeSpan.FromMilliseconds(20), RetryCap = TimeSpan.FromMilliseconds(200) },
            counters: new InformerCounters(_metrics.GetRequiredService<IMeterFactory>()));
        informer.AddHandler(e => { lock (_events) _events.Add(e); });
        return (informer, Task.Run(() => informer.RunAsync(_stop.Token)));
    }

    private int EventsOf(InformerEventType type, string name)
    {
        lock (_events) return _events.Count(e => e.Type == type && e.Object.Metadata.Name == name);
    }

    [Fact]
    public async Task Lists_in_pages_then_follows_adds_updates_and_deletes()
    {
        for (var i = 0; i < 25; i++) _emulator.Seed(Pod($"p{i}"));
        var (informer, _) = Start(pageSize: 10);
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(25, informer.Count);
        Assert.Equal(3, Counted(_lists));
        Assert.Equal(3, _emulator.CountRequests("list", "pods"));

        await _client.CoreV1.CreateNamespacedPodAsync(Pod("new"), "default");
        var changed = Pod("p1", image: "app:2");
        await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch("{\"metadata\":{\"labels\":{\"v\":\"2\"}}}", V1Patch.PatchType.MergePatch), "p1", "default");
        await _client.CoreV1.DeleteNamespacedPodAsync("p2", "default");

        await Eventually.True(() => informer.Get("default", "new") is not null && informer.Get("default", "p2") is null
                                    && informer.Get("default", "p1")?.Metadata.Labels?["v"] == "2", "the watch delivered the changes");
        Assert.Equal(1, EventsOf(InformerEventType.Added, "new"));
        Assert.Equal(1, EventsOf(InformerEventType.Updated, "p1"));
        Assert.Equal(1, EventsOf(InformerEventType.Deleted, "p2"));
        Assert.Equal(3, _emulator.CountRequests("list", "pods"));
        GC.KeepAlive(changed);
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_its_resourceVersion_without_relisting()
    {
        _emulator.Seed(Pod("a"));
        var (informer, _) = Start();
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));

        for (var round = 0; round < 3; round++)
        {
            await Eventually.True(() => _emulator.OpenWatches >= 1, "the informer is watching");
            var restarts = Counted(_watchRestarts);
            _emulator.Faults.DropWatches();
            // The next drop must hit the new watch, not the one just dropped while it is still closing.
            await Eventually.True(() => Counted(_watchRestarts) > restarts, $"the informer restarts its watch after drop {round + 1}");
            await _client.CoreV1.CreateNamespacedPodAsync(Pod($"after-drop-{round}"), "default");
        }

        await Eventually.True(() => informer.Count == 4, "pods created around dropped watches arrive");
        Assert.Equal(1, Counted(_lists));
        Assert.Equal(0, Counted(_relists));
        Assert.True(_emulator.CountRequests("watch", "pods") >= 2);
        // Each pod created after a drop came through a new watch.
        Assert.True(Counted(_watchRestarts) >= 3, $"{Counted(_watchRestarts)} watch restarts after three drops");
    }

    [Fact]
    public async Task After_410_a_relist_delivers_the_deletes_missed_while_disconnected()
    {
        for (var i = 0; i < 5; i++) _emulator.Seed(Pod($"p{i}"));
        var (informer, _) = Start();
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));

        // Simulate a long disconnection: the watch breaks, deletes happen, history is compacted.
        // Downtime drops the watch and fails every request, so nothing is seen until it ends.
        await Eventually.True(() => _emulator.OpenWatches >= 1, "the informer is watching");
        _emulator.Faults.StartDowntime(TimeSpan.FromSeconds(30), DowntimeMode.ServiceUnavailable);
        _emulator.Delete<V1Pod>("default", "p3");
        _emulator.Seed(Pod("p9"));
        _emulator.Faults.CompactHistory();
        _emulator.Faults.ExpireNextWatches(1);
        _emulator.Faults.EndDowntime();

        await Eventually.True(() => informer.Get("default", "p3") is null && informer.Get("default", "p9") is not null, "relist caught up");
        Assert.True(Counted(_relists) >= 1, $"a 410 led to a relist (lists {Counted(_lists)}, watch restarts {Counted(_watchRestarts)}, failures {informer.WatchFailures}, requests: {string.Join(" ", _emulator.Requests.Select(r => r.Verb + ":" + r.StatusCode))})");
        Assert.Equal(1, EventsOf(InformerEventType.Deleted, "p3"));
        Assert.Equal(1, EventsOf(InformerEventType.Added, "p9"));
        Assert.Equal(5, informer.Count);
    }

    [Fact]
    public async Task Errors_are_retried_with_backoff_until_the_server_answers()
    {
        _emulator.Faults.FailRequests("list", 503, resource: "pods", times: 3);
        _emulator.Seed(Pod("a"));
        var (informer, _) = Start();
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, informer.Count);
        Assert.Equal(4, _emulator.CountRequests("list", "pods"));
        Assert.Equal(3, informer.WatchFailures);
    }
}
