namespace EksHardening.Operator.Testing.Kubernetes;

/// <summary>
/// An in-memory cluster behind real <see cref="ClusterInformers"/>: no API server, no HTTP. Objects given before
/// <see cref="StartAsync"/> are listed; later changes are watched, and <see cref="ApplyAsync"/> and <see cref="DeleteAsync"/>
/// return once the informer has applied the change and run every handler (the controllers' enqueues, the evaluation
/// cache's revision), so a unit test of a controller needs no waiting of its own.
/// </summary>
public sealed class FakeCluster : IAsyncDisposable
{
    private readonly Dictionary<Type, IMemorySource> _sources = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private long _revision;

    public FakeCluster(ILoggerFactory? loggers = null, IMeterFactory? meters = null, TimeProvider? clock = null)
    {
        Meters = meters ?? new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var sources = new ClusterSources(
            Source<ResponsibilityPolicy>(ResponsibilityPolicy.Plural), Source<V1Namespace>("namespaces"), Source<V1NetworkPolicy>("networkpolicies"),
            Source<V1ServiceAccount>("serviceaccounts"), Source<V1Pod>("pods"), Source<V1Deployment>("deployments"), Source<V1StatefulSet>("statefulsets"),
            Source<V1DaemonSet>("daemonsets"), Source<V1ReplicaSet>("replicasets"), Source<V1Job>("jobs"), Source<V1CronJob>("cronjobs"),
            Source<V1ReplicationController>("replicationcontrollers"), Source<V1PodTemplate>("podtemplates"),
            Source<V1Node>("nodes"), Source<V1StorageClass>("storageclasses"), Source<V1PersistentVolumeClaim>("persistentvolumeclaims"),
            Source<V1Ingress>("ingresses"), Source<V1Service>("services"), Source<V1ClusterRole>("clusterroles"),
            Source<V1ClusterRoleBinding>("clusterrolebindings"), Source<V1Role>("roles"), Source<V1RoleBinding>("rolebindings"),
            Source<V1ConfigMap>("configmaps"), _ => Task.FromResult(ApiServerVersion));
        Informers = new ClusterInformers(sources, loggers ?? NullLoggerFactory.Instance, Meters, clock);
    }

    /// <summary>What /version answers (gitVersion); null: the answer carries none.</summary>
    public string? ApiServerVersion { get; set; }

    /// <summary>The informers over this cluster, as the operator's controllers read them.</summary>
    public ClusterInformers Informers { get; }

    /// <summary>The meter factory the informers count in (a test may read other components' instruments from it too).</summary>
    public IMeterFactory Meters { get; }

    /// <summary>
    /// A source for a type the shared informers do not watch (the reports a controller owns), for an informer the test or
    /// the controller runs; <see cref="ApplyAsync"/> and <see cref="DeleteAsync"/> then take objects of that type too.
    /// </summary>
    public IResourceSource<T> AddSource<T>(string resource) where T : class, IKubernetesObject<V1ObjectMeta> => Source<T>(resource);

    /// <summary>Takes the next resourceVersion, as an API server does for a write the informer has not yet seen.</summary>
    public string NextResourceVersion() => Interlocked.Increment(ref _revision).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Lists every object given so far and waits until each informer has synced; from then on changes are watched.</summary>
    public async Task StartAsync()
    {
        _running = Informers.RunAsync(_stop.Token);
        await Informers.WaitForSyncAsync(_stop.Token).ConfigureAwait(false);
    }

    /// <summary>Adds or replaces objects: a copy each, with a new resourceVersion, a uid if it has none, and the next generation if it names none.</summary>
    public async Task ApplyAsync(params IKubernetesObject<V1ObjectMeta>[] objects)
    {
        foreach (var obj in objects) await SourceOf(obj).ApplyAsync(obj, Interlocked.Increment(ref _revision)).ConfigureAwait(false);
    }

    /// <summary>Removes an object (matched by namespace and name).</summary>
    public Task DeleteAsync(IKubernetesObject<V1ObjectMeta> obj) => SourceOf(obj).DeleteAsync(obj, Interlocked.Increment(ref _revision));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            try
            {
                await _running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private MemorySource<T> Source<T>(string resource) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var source = new MemorySource<T>(resource);
        _sources[typeof(T)] = source;
        return source;
    }

    private IMemorySource SourceOf(IKubernetesObject<V1ObjectMeta> obj) =>
        _sources.TryGetValue(obj.GetType(), out var source) ? source : throw new ArgumentException($"the fake cluster has no informer for {obj.GetType().Name}", nameof(obj));

    private interface IMemorySource
    {
        Task ApplyAsync(IKubernetesObject<V1ObjectMeta> obj, long revision);

        Task DeleteAsync(IKubernetesObject<V1ObjectMeta> obj, long revision);
    }

    /// <summary>One resource: a list of what is stored, and a watch fed by a channel that says when each event was handled.</summary>
    private sealed class MemorySource<T>(string resource) : IResourceSource<T>, IMemorySource where T : class, IKubernetesObject<V1ObjectMeta>
    {
        private readonly Dictionary<string, T> _objects = new(StringComparer.Ordinal);
        private readonly System.Threading.Channels.Channel<(WatchEventType Type, T Object, TaskCompletionSource Handled)> _events =
            System.Threading.Channels.Channel.CreateUnbounded<(WatchEventType, T, TaskCompletionSource)>();
        private long _listedAt;
        private bool _listed;

        public string Resource => resource;

        public Task<ListPage<T>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            lock (_objects)
            {
                _listed = true;
                return Task.FromResult(new ListPage<T>(_objects.Values.Select(Copy).ToList(), null, _listedAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var (type, obj, handled) in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return (type, Copy(obj));
                // The informer asks for the next event only after applying this one and running its handlers.
                handled.TrySetResult();
            }
        }

        public Task ApplyAsync(IKubernetesObject<V1ObjectMeta> obj, long revision)
        {
            var stored = Copy((T)obj);
            stored.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stored.Metadata.Uid ??= $"uid-{resource}-{stored.Metadata.NamespaceProperty}-{stored.Metadata.Name}";
            bool existed;
            lock (_objects)
            {
                existed = _objects.TryGetValue(Key(stored), out var previous);
                // As if every apply changed the spec, unless the test says which generation it is.
                stored.Metadata.Generation ??= (previous?.Metadata.Generation ?? 0) + 1;
                _objects[Key(stored)] = stored;
                if (!_listed)
                {
                    _listedAt = revision;
                    return Task.CompletedTask;
                }
            }

            return Send(existed ? WatchEventType.Modified : WatchEventType.Added, stored);
        }

        public Task DeleteAsync(IKubernetesObject<V1ObjectMeta> obj, long revision)
        {
            T? removed;
            lock (_objects)
            {
                if (!_objects.Remove(Key(obj), out removed)) return Task.CompletedTask;
                if (!_listed) return Task.CompletedTask;
            }

            removed.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Send(WatchEventType.Deleted, removed);
        }

        private Task Send(WatchEventType type, T obj)
        {
            var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_events.Writer.TryWrite((type, obj, handled))) throw new InvalidOperationException("the fake watch is closed");
            return handled.Task;
        }

        private static string Key(IKubernetesObject<V1ObjectMeta> obj) => ObjectKeys.Of(obj);

        /// <summary>The informer trims what it caches in place: it gets a copy, never the test's object.</summary>
        private static T Copy(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
    }
}
