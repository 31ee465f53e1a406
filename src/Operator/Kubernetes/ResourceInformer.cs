using k8s.Autorest;
using EksHardening.Operator.Resilience;

namespace EksHardening.Operator.Kubernetes;

/// <summary>What changed in an informer's cache. <c>Old</c> is null for adds, <c>New</c> for deletes.</summary>
public enum InformerEventType
{
    Added,
    Updated,
    Deleted,
}

public readonly record struct InformerEvent<T>(InformerEventType Type, T? Old, T? New) where T : class
{
    public T Object => New ?? Old!;
}

/// <summary>What the host needs of an informer regardless of its type: run it, know when it has synced, its cache size.</summary>
public interface IInformer
{
    string Resource { get; }
    bool HasSynced { get; }
    Task Synced { get; }
    int Count { get; }
    long WatchFailures { get; }
    Task RunAsync(CancellationToken cancellationToken);
    void Reset();
}

/// <summary>Informer tuning; the defaults suit a production cluster.</summary>
public sealed class InformerOptions
{
    public int PageSize { get; set; } = 500;
    /// <summary>Server-side watch timeout; each watch adds up to 20 % jitter so informers do not reconnect in step.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Longest wait between reconnects, a server's Retry-After included: an API server back from an outage is seen within this time.</summary>
    public TimeSpan RetryCap { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A shared informer for one resource type: paginated list, then watch from the list's resourceVersion with
/// bookmarks and a server timeout; reconnect with backoff (at least a 429's or 503's Retry-After, capped); on 410 Gone a relist that is diffed against the
/// cache, so that deletes missed while disconnected are delivered as deletes. Handlers run on the informer's
/// loop and must be quick (enqueue keys, nothing more).
/// </summary>
public sealed class ResourceInformer<T> : IInformer where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceSource<T> _source;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Func<T, T>? _transform;
    // Keyed by the object's own namespace and name strings: a joined key would be one more string per cached object.
    private readonly ConcurrentDictionary<(string Namespace, string Name), T> _cache = new();
    private volatile Action<InformerEvent<T>>[] _handlers = [];
    private volatile TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly InformerCounters? _counters;
    private readonly ExponentialBackoff _backoff;
    private long _watchFailures;
    // The loop's state, touched only by RunAsync's one execution at a time.
    private bool _needList = true;
    private int _watches;
    private int _failures;
    private int _quietCloses;
    private int _expiries;

    /// <param name="transform">Applied to every object before caching, e.g. to drop managedFields.</param>
    /// <param name="counters">Where lists, watch restarts and relists are counted; null: not counted.</param>
    public ResourceInformer(IResourceSource<T> source, ILogger logger, TimeProvider? clock = null, InformerOptions? options = null, Func<T, T>? transform = null,
        InformerCounters? counters = null)
    {
        _source = source;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _options = options ?? new InformerOptions();
        _backoff = new ExponentialBackoff(_options.RetryBase, _options.RetryCap, Jitter: 0.5);
        _transform = transform;
        _counters = counters;
        counters?.Started(source.Resource);
    }

    public string Resource => _source.Resource;
    public bool HasSynced => _synced.Task.IsCompleted;
    public Task Synced => _synced.Task;
    public int Count => _cache.Count;
    public IEnumerable<T> Items => _cache.Values;
    /// <summary>Watches and lists that failed with an error other than 410 Gone or a quiet close (each retried with backoff).</summary>
    public long WatchFailures => Interlocked.Read(ref _watchFailures);
    /// <summary>The resourceVersion the informer has seen up to.</summary>
    public string LastResourceVersion { get; private set; } = "";

    public T? Get(string? ns, string name) => _cache.GetValueOrDefault(CacheKey(ns, name));

    private static (string Namespace, string Name) CacheKey(string? ns, string? name) => (ns ?? "", name ?? "");

    private static (string Namespace, string Name) CacheKey(T item) => CacheKey(item.Metadata?.NamespaceProperty, item.Metadata?.Name);

    /// <summary>
    /// After a run has ended: forgets the cached objects (without events) and the sync, so that the memory is freed and
    /// a later run lists afresh. Never while a run is going on.
    /// </summary>
    public void Reset()
    {
        _cache.Clear();
        _synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_needList, _watches, _failures, _quietCloses, _expiries) = (true, 0, 0, 0, 0);
        LastResourceVersion = "";
    }

    /// <summary>Registers a handler; call before <see cref="RunAsync"/>.</summary>
    /// <remarks>Safe while the informer runs: handlers are an array replaced on write.</remarks>
    public void AddHandler(Action<InformerEvent<T>> handler)
    {
        lock (_cache) _handlers = [.. _handlers, handler];
    }

    /// <summary>
    /// Lists, then watches, until cancelled; every failure is retried on a Polly pipeline with the wait
    /// <see cref="ReconnectDelay"/> chooses, and a watch that ends normally is reopened at once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reconnects = RetryPipelines.UntilCancelled(_clock, (failure, _) => ReconnectDelay(failure));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await reconnects.ExecuteAsync(static (informer, token) => informer.ListAndWatchAsync(token), this, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Relists when needed, then watches from the last resourceVersion until the watch ends or fails.</summary>
    private async ValueTask ListAndWatchAsync(CancellationToken cancellationToken)
    {
        if (_needList)
        {
            await RelistAsync(cancellationToken).ConfigureAwait(false);
            _needList = false;
            _synced.TrySetResult();
        }

        Exception? watchError = null;
        if (++_watches > 1) _counters?.WatchRestarted(Resource);
        var timeout = (int)(_options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble() * 0.2));
        await foreach (var (type, item) in _source.WatchAsync(LastResourceVersion, timeout, e => watchError ??= e, cancellationToken).ConfigureAwait(false))
        {
            _failures = 0;
            _quietCloses = 0;
            _expiries = 0;
            Apply(type, item);
        }

        if (watchError is not null) throw watchError;
    }

    /// <summary>
    /// How long to wait after <paramref name="failure"/> before the next list or watch, and what it means: a quiet close
    /// reconnects at once (a few times in a row), a 410 Gone relists (backing off from the second in a row), anything
    /// else backs off. A 429 or 503 waits at least its Retry-After, up to the cap.
    /// </summary>
    private TimeSpan ReconnectDelay(Exception failure)
    {
        if (IsQuietClose(failure) && ++_quietCloses <= 3)
        {
            // A watch the server ends before its first event (timeout, dropped connection) surfaces from
            // KubernetesClient as an end-of-stream error: reconnect at once, but back off if it keeps happening.
            return TimeSpan.Zero;
        }

        if (IsGone(failure))
        {
            // Our resourceVersion is older than the server's history: only a relist can catch up.
            _counters?.Relisted(Resource);
            InformerLog.Expired(_logger, Resource, LastResourceVersion);
            _needList = true;
            // A watch that expires again before delivering anything would relist in a hot loop: back off from the second.
            return ++_expiries > 1 ? Backoff(_expiries - 1, failure) : TimeSpan.Zero;
        }

        Interlocked.Increment(ref _watchFailures);
        var delay = Backoff(++_failures, failure);
        InformerLog.WatchFailed(_logger, Resource, failure.Message, (int)delay.TotalMilliseconds);
        return delay;
    }

    private void Apply(WatchEventType type, T item)
    {
        var resourceVersion = item.Metadata?.ResourceVersion;
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                Upsert(Prepare(item));
                break;
            case WatchEventType.Deleted:
                if (_cache.TryRemove(CacheKey(item), out var old)) Notify(new InformerEvent<T>(InformerEventType.Deleted, old, null));
                break;
            case WatchEventType.Bookmark:
                break;
            default:
                return;
        }

        if (!string.IsNullOrEmpty(resourceVersion)) LastResourceVersion = resourceVersion;
    }

    private void Upsert(T item)
    {
        var key = CacheKey(item);
        T? old = null;
        _cache.AddOrUpdate(key, item, (_, existing) =>
        {
            old = existing;
            return item;
        });
        Notify(new InformerEvent<T>(old is null ? InformerEventType.Added : InformerEventType.Updated, old, item));
    }

    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<(string Namespace, string Name), T>();
        string? continueToken = null;
        while (true)
        {
            _counters?.Listed(Resource);
            ListPage<T> page;
            try
            {
                page = await _source.ListAsync(continueToken, _options.PageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (continueToken is not null && IsGone(e))
            {
                // The continue token expired mid-list: start the whole list again for a consistent snapshot.
                fresh.Clear();
                continueToken = null;
                continue;
            }

            foreach (var item in page.Items) fresh[CacheKey(item)] = Prepare(item);
            if (string.IsNullOrEmpty(page.Continue))
            {
                // Only a complete list's resourceVersion is a point to watch from.
                LastResourceVersion = page.ResourceVersion;
                break;
            }

            continueToken = page.Continue;
        }

        foreach (var (key, old) in _cache)
        {
            if (!fresh.ContainsKey(key) && _cache.TryRemove(key, out _)) Notify(new InformerEvent<T>(InformerEventType.Deleted, old, null));
        }

        foreach (var (key, item) in fresh)
        {
            if (_cache.TryGetValue(key, out var existing) && existing.Metadata?.ResourceVersion == item.Metadata?.ResourceVersion) continue;
            Upsert(item);
        }

        InformerLog.Listed(_logger, fresh.Count, Resource, LastResourceVersion);
    }

    private T Prepare(T item) => _transform is null ? item : _transform(item);

    private void Notify(InformerEvent<T> change)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(change);
            }
            catch (Exception e)
            {
                InformerLog.HandlerFailed(_logger, e, Resource, ObjectKeys.Of(change.Object));
            }
        }
    }

    /// <summary>The backoff before the retry after <paramref name="failures"/> failures in a row, and no less than a Retry-After.</summary>
    private TimeSpan Backoff(int failures, Exception failure) =>
        _backoff.Delay(failures - 1, Random.Shared.NextDouble(), ApiRetryAfter.Of(failure, _clock.GetUtcNow()));

    internal static bool IsQuietClose(Exception e) =>
        e is HttpRequestException { InnerException: EndOfStreamException } or EndOfStreamException;

    /// <summary>410 Gone: from the watch (KubernetesException with a Status) or a list (HTTP 410).</summary>
    internal static bool IsGone(Exception e) => e switch
    {
        KubernetesException { Status.Code: 410 } => true,
        HttpOperationException { Response.StatusCode: HttpStatusCode.Gone } => true,
        _ => false,
    };
}

/// <summary>Cache keys: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
public static class ObjectKeys
{
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : ns + "/" + name;

    public static string Of(IKubernetesObject<V1ObjectMeta> obj) => Key(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? "");
}

internal static partial class InformerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion}; relisting")]
    public static partial void Expired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Resource} failed ({Error}); retrying in {DelayMs} ms")]
    public static partial void WatchFailed(ILogger logger, string resource, string error, int delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {Resource} failed on {Key}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string resource, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, int count, string resource, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "A policy turns on the {Duty} duty: starting the informers of {Resources}")]
    public static partial void DutyStarted(ILogger logger, string duty, string resources);

    [LoggerMessage(Level = LogLevel.Information, Message = "No policy turns on the {Duty} duty any more: stopping its informers and dropping their caches")]
    public static partial void DutyStopped(ILogger logger, string duty);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Asking the API server's /version failed ({Error}); retrying in a minute")]
    public static partial void VersionFailed(ILogger logger, string error);
}
