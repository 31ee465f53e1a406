using System.Reflection;

namespace EksHardening.ApiEmulator;

/// <summary>
/// An in-process Kubernetes API server for integration tests: the REST and watch protocol KubernetesClient speaks,
/// served by Kestrel on 127.0.0.1, with fault injection, a request log, and a direct API to seed and inspect state.
/// </summary>
public sealed class ApiServerEmulator : IAsyncDisposable
{
    private readonly ApiEmulatorOptions _options;
    private readonly ResourceCatalog _catalog = new();
    private readonly ObjectStore _store;
    private readonly ResourceOperations _operations;
    private readonly RequestLog<RecordedRequest> _log;
    private readonly LoopbackHttpServer _server = new(maxRequestBodySize: 64 * 1024 * 1024);
    private readonly CancellationTokenSource _stopping = new();
    private long _bookmarkTicks;
    private Uri? _baseUri;

    /// <summary>The options it was started with; <see cref="ApiEmulatorOptions.ServerVersion"/> may be changed while it runs.</summary>
    public ApiEmulatorOptions Options => _options;

    public ApiServerEmulator(ApiEmulatorOptions? options = null)
    {
        _options = options ?? new ApiEmulatorOptions();
        var hub = new WatchHub();
        _store = new ObjectStore(new ChangeHistory(_options.WatchHistoryLimit), hub);
        _operations = new ResourceOperations(_store, _catalog, _options.TimeProvider, _options.RandomSeed)
        {
            RequireNamespace = _options.RequireNamespaceExists,
        };
        _log = new RequestLog<RecordedRequest>(_options.RequestLogLimit);
        Faults = new FaultInjector(_options.TimeProvider, _options.RandomSeed, () => hub.DropAll(), CompactHistory);
        BookmarkInterval = _options.BookmarkInterval;
        foreach (var ns in _options.InitialNamespaces)
        {
            Seed(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
        }

        foreach (var custom in _options.CustomResources)
        {
            RegisterCustomResource(custom);
        }
    }

    /// <summary>Fault injection knobs; changeable while serving.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>; available after <see cref="StartAsync"/>.</summary>
    public string BaseUrl => _baseUri?.GetLeftPart(UriPartial.Authority)
        ?? throw new InvalidOperationException("The emulator has not been started.");

    /// <summary>How often watches that allow bookmarks get one; applies to watches opened afterwards.</summary>
    public TimeSpan BookmarkInterval
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _bookmarkTicks));
        set => Interlocked.Exchange(ref _bookmarkTicks, Math.Max(TimeSpan.FromMilliseconds(10).Ticks, value.Ticks));
    }

    /// <summary>The newest resourceVersion handed out (all resources share one counter).</summary>
    public long ResourceVersion => _store.Revision;

    public int OpenWatches => _store.Hub.OpenWatches;

    /// <summary>A snapshot of the requests answered so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _log.Snapshot();

    public static async Task<ApiServerEmulator> StartNewAsync(ApiEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new ApiServerEmulator(options);
        await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Starts serving and returns the base URL.</summary>
    public async Task<string> StartAsync(CancellationToken cancellationToken = default)
    {
        if (_baseUri is not null)
        {
            return BaseUrl;
        }

        var watches = new WatchStream(_store, Faults, () => BookmarkInterval);
        var handler = new ApiRequestHandler(_catalog, _operations, watches, Faults, _log, _options.TimeProvider,
            () => _baseUri?.Authority ?? "127.0.0.1", () => _options.ServerVersion, _stopping.Token);
        _baseUri = await _server.StartAsync(handler.HandleAsync, cancellationToken).ConfigureAwait(false);
        return BaseUrl;
    }

    /// <summary>A client configuration pointing at this emulator.</summary>
    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = BaseUrl };

    /// <summary>A real <see cref="Kubernetes"/> client pointing at this emulator; dispose it when done.</summary>
    public Kubernetes CreateClient() => new(ClientConfiguration());

    /// <summary>
    /// Counts answered requests by verb (get, list, watch, create, update, patch, delete, deletecollection) and
    /// optionally resource: <c>pods</c> counts the main resource only, <c>pods/status</c> the subresource.
    /// </summary>
    public int CountRequests(string verb, string? resource = null) =>
        _log.Snapshot().Count(r => r.Verb == verb && (resource is null || r.ResourceWithSubresource == resource));

    public void ClearRequests() => _log.Clear();

    /// <summary>
    /// Creates or replaces an object directly (no HTTP): a typed KubernetesClient model, a <see cref="JsonObject"/>
    /// or a JSON string. Status is taken as given; resourceVersion is bumped and watches see the change.
    /// A namespaced object without a namespace goes to <c>default</c>. Returns the stored object.
    /// </summary>
    public JsonObject Seed(object obj)
    {
        var node = ToNode(obj);
        return _operations.Seed(TypeOf(node), node).ToNode();
    }

    /// <summary>Seeds a typed object and returns the stored state as the same type.</summary>
    public T Seed<T>(T obj)
        where T : class, IKubernetesObject
    {
        var node = ToNode(obj);
        return KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(_operations.Seed(TypeOf(node), node).Json));
    }

    public void SeedMany(IEnumerable<object> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        foreach (var obj in objects)
        {
            var node = ToNode(obj);
            _operations.Seed(TypeOf(node), node);
        }
    }

    /// <summary>Gets an object by apiVersion and kind (or plural), or null when there is none.</summary>
    public JsonObject? Get(string apiVersion, string kind, string? ns, string name) =>
        _operations.Find(Resolve(apiVersion, kind), ns, name)?.ToNode();

    public T? Get<T>(string? ns, string name)
        where T : class, IKubernetesObject
    {
        var (apiVersion, kind) = EntityOf(typeof(T));
        var stored = _operations.Find(Resolve(apiVersion, kind), ns, name);
        return stored is null ? null : KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(stored.Json));
    }

    public T? Get<T>(string name)
        where T : class, IKubernetesObject => Get<T>(null, name);

    /// <summary>Lists objects in key order, optionally in one namespace and filtered by a label selector.</summary>
    public IReadOnlyList<JsonObject> List(string apiVersion, string kind, string? ns = null, string? labelSelector = null) =>
        [.. ListStored(Resolve(apiVersion, kind), ns, labelSelector).Select(o => o.ToNode())];

    public IReadOnlyList<T> List<T>(string? ns = null, string? labelSelector = null)
        where T : class, IKubernetesObject
    {
        var (apiVersion, kind) = EntityOf(typeof(T));
        return [.. ListStored(Resolve(apiVersion, kind), ns, labelSelector)
            .Select(o => KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(o.Json)))];
    }

    public int Count(string apiVersion, string kind, string? ns = null) => _operations.Count(Resolve(apiVersion, kind), ns);

    /// <summary>
    /// Deletes as the API would (finalizers, garbage collection). Returns true when the object is gone, false when
    /// it now waits on finalizers; throws <see cref="ApiStatusException"/> (404) when there is no such object.
    /// </summary>
    public bool Delete(string apiVersion, string kind, string? ns, string name) =>
        _operations.Delete(Resolve(apiVersion, kind), ns, name, DeleteRequest.Default).Removed;

    public bool Delete<T>(string? ns, string name)
        where T : class, IKubernetesObject
    {
        var (apiVersion, kind) = EntityOf(typeof(T));
        return Delete(apiVersion, kind, ns, name);
    }

    /// <summary>Serves a custom resource, by storing the CustomResourceDefinition a cluster would have for it.</summary>
    public void RegisterCustomResource(CustomResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Seed(CustomResourceDefinitions.ToCrd(type));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _store.Hub.DropAll();
        await _server.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void CompactHistory()
    {
        lock (_store.Gate)
        {
            _store.History.CompactTo(_store.Revision);
        }
    }

    private IEnumerable<StoredObject> ListStored(ResourceType type, string? ns, string? labelSelector) =>
        _operations.List(type, new ListRequest { Namespace = ns, Labels = LabelSelector.Parse(labelSelector) }).Items;

    private ResourceType Resolve(string apiVersion, string kindOrPlural) =>
        _catalog.FindByKindOrPlural(apiVersion, kindOrPlural)
        ?? throw new ArgumentException($"The emulator does not serve {kindOrPlural} in {apiVersion}.");

    private ResourceType TypeOf(JsonObject node)
    {
        var apiVersion = ObjectRules.Text(node["apiVersion"]);
        var kind = ObjectRules.Text(node["kind"]);
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw new ArgumentException("A seeded object needs apiVersion and kind.");
        }

        return Resolve(apiVersion, kind);
    }

    private static JsonObject ToNode(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        switch (obj)
        {
            case JsonObject json:
                return (JsonObject)json.DeepClone();
            case string text:
                return JsonNode.Parse(text) as JsonObject ?? throw new ArgumentException("The JSON is not an object.", nameof(obj));
            case JsonElement element:
                return JsonObject.Create(element) is { } fromElement ? (JsonObject)fromElement.DeepClone() : throw new ArgumentException("The JSON is not an object.", nameof(obj));
            default:
            {
                var node = JsonNode.Parse(KubernetesJson.Serialize(obj)) as JsonObject
                    ?? throw new ArgumentException("The object does not serialize to a JSON object.", nameof(obj));
                if (obj.GetType().GetCustomAttribute<KubernetesEntityAttribute>() is not null)
                {
                    var (apiVersion, kind) = EntityOf(obj.GetType());
                    node["apiVersion"] ??= apiVersion;
                    node["kind"] ??= kind;
                }

                return node;
            }
        }
    }

    private static (string ApiVersion, string Kind) EntityOf(Type type)
    {
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type.Name} has no [KubernetesEntity] attribute.");
        var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        return (apiVersion, entity.Kind);
    }
}
