using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Shares equal values between cached objects: thousands of pods repeat a few hundred distinct strings (namespaces,
/// label keys and values, images), label sets (every replica of a Deployment has the same) and resource limits.
/// Shared collections are read-only, so that a change through one object cannot reach another. Each pool is bounded:
/// when it holds <see cref="Capacity"/> entries it starts afresh, so values that are unique per object (a pod's name
/// in a label) cannot grow it for ever; objects already cached keep what they share. A pool is keyed by the shared
/// value itself, compared by content, so that it keeps no copy of the value as a key.
/// </summary>
public sealed class SharedValues(int capacity = SharedValues.DefaultCapacity)
{
    public const int DefaultCapacity = 50_000;
    private const int MaxStringLength = 256;
    private readonly Pool<string, string> _strings = new(capacity, StringComparer.Ordinal);
    private readonly Pool<IDictionary<string, string>, IDictionary<string, string>> _maps = new(capacity, new MapContent<string>(StringComparer.Ordinal));
    private readonly Pool<IList<string>, IList<string>> _lists = new(capacity, new ListContent<string>(StringComparer.Ordinal));
    private readonly Pool<IDictionary<string, ResourceQuantity>, IDictionary<string, ResourceQuantity>> _quantities = new(capacity, new MapContent<ResourceQuantity>(QuantityAmount.Instance));
    private readonly Pool<IList<V1OwnerReference>, IList<V1OwnerReference>> _owners = new(capacity, new ListContent<V1OwnerReference>(OwnerContent.Instance));
    private readonly Pool<ContentKey, object> _objects = new(capacity, EqualityComparer<ContentKey>.Default);

    public int Capacity { get; } = capacity;

    /// <summary>The pooled instance equal to <paramref name="value"/> (long strings are not pooled).</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Share(string? value) =>
        value is null || value.Length > MaxStringLength ? value : _strings.GetOrAdd(value, static (v, _) => v, this);

    /// <summary>A read-only map equal to <paramref name="map"/> (same pairs), shared with every other object that has it.</summary>
    [return: NotNullIfNotNull(nameof(map))]
    public IDictionary<string, string>? Share(IDictionary<string, string>? map) => map is null
        ? null
        : _maps.GetOrAdd(map, static (pairs, values) =>
        {
            var shared = pairs.Select(p => KeyValuePair.Create(values.Share(p.Key), values.Share(p.Value)));
            return pairs.Count <= SmallStringDictionary.MaxCount
                ? new SmallStringDictionary(shared)
                : new ReadOnlyDictionary<string, string>(shared.ToDictionary(StringComparer.Ordinal));
        }, this);

    /// <summary>A read-only list equal to <paramref name="list"/>, shared.</summary>
    [return: NotNullIfNotNull(nameof(list))]
    public IList<string>? Share(IList<string>? list) => list is null
        ? null
        : _lists.GetOrAdd(list, static (items, values) => new ReadOnlyCollection<string>([.. items.Select(s => values.Share(s))]), this);

    /// <summary>Read-only resource amounts equal to <paramref name="quantities"/> (by canonical amount), shared.</summary>
    [return: NotNullIfNotNull(nameof(quantities))]
    public IDictionary<string, ResourceQuantity>? Share(IDictionary<string, ResourceQuantity>? quantities) => quantities is null
        ? null
        : _quantities.GetOrAdd(quantities, static (pairs, values) =>
        {
            var copy = new Dictionary<string, ResourceQuantity>(pairs.Count, StringComparer.Ordinal);
            foreach (var (k, v) in pairs) copy[values.Share(k)] = v;
            return new ReadOnlyDictionary<string, ResourceQuantity>(copy);
        }, this);

    /// <summary>A read-only owner list equal to <paramref name="owners"/> (every field), shared: the replicas of one controller name the same owner.</summary>
    [return: NotNullIfNotNull(nameof(owners))]
    public IList<V1OwnerReference>? Share(IList<V1OwnerReference>? owners) => owners is null
        ? null
        : _owners.GetOrAdd(owners, static (items, values) => new ReadOnlyCollection<V1OwnerReference>([.. items.Select(o => o is null ? o! : new V1OwnerReference
        {
            ApiVersion = values.Share(o.ApiVersion),
            Kind = values.Share(o.Kind),
            Name = values.Share(o.Name),
            Uid = values.Share(o.Uid),
            Controller = o.Controller,
            BlockOwnerDeletion = o.BlockOwnerDeletion,
        })]), this);

    /// <summary>
    /// An instance equal to <paramref name="value"/> in its JSON form, shared: the trimmed pod specs of a Deployment's
    /// replicas (and of its ReplicaSet's template) are one object. Callers must not change a shared instance.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public T? ShareByContent<T>(T? value) where T : class
    {
        if (value is null) return null;
        var json = k8s.KubernetesJson.Serialize(value);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(json.AsSpan()), hash);
        var key = new ContentKey(typeof(T), MemoryMarshal.Read<UInt128>(hash), MemoryMarshal.Read<UInt128>(hash[16..]));
        return (T)_objects.GetOrAdd(key, static (_, v) => v, value);
    }

    /// <summary>A value's type and the SHA-256 of its JSON form.</summary>
    private readonly record struct ContentKey(Type Type, UInt128 FirstHalf, UInt128 SecondHalf);

    /// <summary>One bounded pool, keyed by <typeparamref name="TKey"/>: the shared value itself where it is one (compared by content).</summary>
    private sealed class Pool<TKey, T>(int capacity, IEqualityComparer<TKey> keys) where TKey : notnull where T : class
    {
        private ConcurrentDictionary<TKey, T> _entries = new(keys);

        public T GetOrAdd<TState>(TKey key, Func<TKey, TState, T> create, TState state)
        {
            var entries = _entries;
            if (entries.TryGetValue(key, out var shared)) return shared;
            if (entries.Count >= capacity) Interlocked.CompareExchange(ref _entries, new ConcurrentDictionary<TKey, T>(keys), entries);
            var created = create(key, state);
            // The shared value is its own key (when it is one), so the pool holds nothing more than the value.
            return _entries.GetOrAdd(created is TKey own ? own : key, created);
        }
    }

    /// <summary>Maps equal when they hold the same pairs, in any order.</summary>
    private sealed class MapContent<TValue>(IEqualityComparer<TValue> values) : IEqualityComparer<IDictionary<string, TValue>>
    {
        public bool Equals(IDictionary<string, TValue>? a, IDictionary<string, TValue>? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a.Count != b.Count) return false;
            foreach (var (key, value) in a)
            {
                if (!b.TryGetValue(key, out var other) || !values.Equals(value, other)) return false;
            }

            return true;
        }

        public int GetHashCode(IDictionary<string, TValue> map)
        {
            // Order-independent: a sum of the pairs' hashes.
            var hash = map.Count;
            foreach (var (key, value) in map) hash += HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), value is null ? 0 : values.GetHashCode(value));
            return hash;
        }
    }

    /// <summary>Lists equal when they hold equal items in the same order.</summary>
    private sealed class ListContent<TItem>(IEqualityComparer<TItem> items) : IEqualityComparer<IList<TItem>>
    {
        public bool Equals(IList<TItem>? a, IList<TItem>? b) =>
            ReferenceEquals(a, b) || a is not null && b is not null && a.SequenceEqual(b, items);

        public int GetHashCode(IList<TItem> list)
        {
            var hash = new HashCode();
            foreach (var item in list) hash.Add(item is null ? 0 : items.GetHashCode(item));
            return hash.ToHashCode();
        }
    }

    /// <summary>Resource amounts compare by their canonical form ("1000m" is "1").</summary>
    private sealed class QuantityAmount : IEqualityComparer<ResourceQuantity>
    {
        public static QuantityAmount Instance { get; } = new();

        public bool Equals(ResourceQuantity? a, ResourceQuantity? b) => a?.ToString() == b?.ToString();

        public int GetHashCode(ResourceQuantity quantity) => StringComparer.Ordinal.GetHashCode(quantity.ToString());
    }

    /// <summary>Owner references compare by every field.</summary>
    private sealed class OwnerContent : IEqualityComparer<V1OwnerReference>
    {
        public static OwnerContent Instance { get; } = new();

        public bool Equals(V1OwnerReference? a, V1OwnerReference? b) =>
            ReferenceEquals(a, b) || a is not null && b is not null
            && a.ApiVersion == b.ApiVersion && a.Kind == b.Kind && a.Name == b.Name && a.Uid == b.Uid
            && a.Controller == b.Controller && a.BlockOwnerDeletion == b.BlockOwnerDeletion;

        public int GetHashCode(V1OwnerReference o) => HashCode.Combine(o.Kind, o.Name, o.Uid);
    }
}
