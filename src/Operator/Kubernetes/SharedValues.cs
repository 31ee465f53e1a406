namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Shares equal values between cached objects: thousands of pods repeat a few hundred distinct strings (namespaces,
/// label keys and values, images), label sets (every replica of a Deployment has the same) and resource limits.
/// Shared collections are read-only, so that a change through one object cannot reach another. Each pool is bounded:
/// when it holds <see cref="Capacity"/> entries it starts afresh, so values that are unique per object (a pod's name
/// in a label) cannot grow it for ever; objects already cached keep what they share.
/// </summary>
public sealed class SharedValues(int capacity = SharedValues.DefaultCapacity)
{
    public const int DefaultCapacity = 50_000;
    private const int MaxStringLength = 256;
    private readonly Pool<string> _strings = new(capacity);
    private readonly Pool<IDictionary<string, string>> _maps = new(capacity);
    private readonly Pool<IList<string>> _lists = new(capacity);
    private readonly Pool<IDictionary<string, ResourceQuantity>> _quantities = new(capacity);
    private readonly Pool<object> _objects = new(capacity);
    private readonly Pool<IList<V1OwnerReference>> _owners = new(capacity);

    public int Capacity { get; } = capacity;

    /// <summary>The pooled instance equal to <paramref name="value"/> (long strings are not pooled).</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Share(string? value) =>
        value is null || value.Length > MaxStringLength ? value : _strings.GetOrAdd(value, static (v, _) => v, this);

    /// <summary>A read-only map equal to <paramref name="map"/> (same pairs), shared with every other object that has it.</summary>
    [return: NotNullIfNotNull(nameof(map))]
    public IDictionary<string, string>? Share(IDictionary<string, string>? map)
    {
        if (map is null) return null;
        var key = new StringBuilder();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal)) key.Append(k).Append('\u0001').Append(v).Append('\u0002');
        return _maps.GetOrAdd(key.ToString(), static (_, state) =>
        {
            var (values, pairs) = state;
            var copy = new Dictionary<string, string>(pairs.Count, StringComparer.Ordinal);
            foreach (var (k, v) in pairs) copy[values.Share(k)] = values.Share(v);
            return new ReadOnlyDictionary<string, string>(copy);
        }, (this, map));
    }

    /// <summary>A read-only list equal to <paramref name="list"/>, shared.</summary>
    [return: NotNullIfNotNull(nameof(list))]
    public IList<string>? Share(IList<string>? list) => list is null
        ? null
        : _lists.GetOrAdd(string.Join('\u0001', list), static (_, state) =>
            new ReadOnlyCollection<string>([.. state.list.Select(s => state.values.Share(s))]), (values: this, list));

    /// <summary>A read-only owner list equal to <paramref name="owners"/> (every field), shared: the replicas of one controller name the same owner.</summary>
    [return: NotNullIfNotNull(nameof(owners))]
    public IList<V1OwnerReference>? Share(IList<V1OwnerReference>? owners)
    {
        if (owners is null) return null;
        var key = new StringBuilder();
        foreach (var o in owners)
        {
            key.Append(o?.ApiVersion).Append('\u0001').Append(o?.Kind).Append('\u0001').Append(o?.Name).Append('\u0001').Append(o?.Uid)
                .Append('\u0001').Append(o?.Controller).Append('\u0001').Append(o?.BlockOwnerDeletion).Append('\u0002');
        }

        return _owners.GetOrAdd(key.ToString(), static (_, state) => new ReadOnlyCollection<V1OwnerReference>([.. state.owners.Select(o => o is null ? o! : new V1OwnerReference
        {
            ApiVersion = state.values.Share(o.ApiVersion),
            Kind = state.values.Share(o.Kind),
            Name = state.values.Share(o.Name),
            Uid = state.values.Share(o.Uid),
            Controller = o.Controller,
            BlockOwnerDeletion = o.BlockOwnerDeletion,
        })]), (values: this, owners));
    }

    /// <summary>Read-only resource amounts equal to <paramref name="quantities"/> (by canonical amount), shared.</summary>
    [return: NotNullIfNotNull(nameof(quantities))]
    public IDictionary<string, ResourceQuantity>? Share(IDictionary<string, ResourceQuantity>? quantities)
    {
        if (quantities is null) return null;
        var key = new StringBuilder();
        foreach (var (k, v) in quantities.OrderBy(p => p.Key, StringComparer.Ordinal)) key.Append(k).Append('\u0001').Append(v?.ToString()).Append('\u0002');
        return _quantities.GetOrAdd(key.ToString(), static (_, state) =>
        {
            var (values, pairs) = state;
            var copy = new Dictionary<string, ResourceQuantity>(pairs.Count, StringComparer.Ordinal);
            foreach (var (k, v) in pairs) copy[values.Share(k)] = v;
            return new ReadOnlyDictionary<string, ResourceQuantity>(copy);
        }, (this, quantities));
    }

    /// <summary>
    /// An instance equal to <paramref name="value"/> in its JSON form, shared: the trimmed pod specs of a Deployment's
    /// replicas (and of its ReplicaSet's template) are one object. Callers must not change a shared instance.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public T? ShareByContent<T>(T? value) where T : class
    {
        if (value is null) return null;
        var json = k8s.KubernetesJson.Serialize(value);
        var key = Convert.ToBase64String(SHA256.HashData(MemoryMarshal.AsBytes(json.AsSpan())));
        return (T)_objects.GetOrAdd(typeof(T).Name + ":" + key, static (_, v) => v, value);
    }

    /// <summary>One bounded pool, keyed by a canonical string of the value.</summary>
    private sealed class Pool<T>(int capacity) where T : class
    {
        private ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);

        public T GetOrAdd<TState>(string key, Func<string, TState, T> create, TState state)
        {
            var entries = _entries;
            if (entries.TryGetValue(key, out var shared)) return shared;
            if (entries.Count >= capacity) Interlocked.CompareExchange(ref _entries, new ConcurrentDictionary<string, T>(StringComparer.Ordinal), entries);
            return _entries.GetOrAdd(key, create, state);
        }
    }
}
