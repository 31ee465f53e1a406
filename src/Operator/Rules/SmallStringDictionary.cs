namespace EksHardening.Operator.Rules;

/// <summary>
/// A read-only map of a few pairs (labels, kept annotations) in one array, keys and values alternating, in the
/// source map's order. Most label sets of a cluster are distinct (a Service's, a namespace's), so each cached one
/// costs what it holds: about a third of a dictionary with its buckets and read-only wrapper; the pod labels a
/// controller's template gains (<see cref="ControllerLabels"/>), made for every template the network rules judge, cost
/// as little. Lookups compare the few keys in turn, which at this size is as quick as hashing. Changing it throws, as
/// a shared map must.
/// </summary>
public sealed class SmallStringDictionary : IDictionary<string, string>, IReadOnlyDictionary<string, string>
{
    /// <summary>Larger maps stay dictionaries: a linear lookup would no longer pay.</summary>
    public const int MaxCount = 8;

    private readonly string[] _pairs;

    public SmallStringDictionary(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var list = new List<string>();
        foreach (var (key, value) in pairs)
        {
            list.Add(key);
            list.Add(value);
        }

        _pairs = [.. list];
    }

    private SmallStringDictionary(string[] pairs) => _pairs = pairs;

    /// <summary>Wraps <paramref name="pairs"/> (keys and values alternating, keys distinct) without a copy: the caller gives it up.</summary>
    public static SmallStringDictionary OfPairs(string[] pairs) => new(pairs);

    public int Count => _pairs.Length / 2;

    public bool IsReadOnly => true;

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The label or annotation '{key}' is not present.");
        set => throw ReadOnly();
    }

    public ICollection<string> Keys => [.. Every(0)];

    public ICollection<string> Values => [.. Every(1)];

    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _pairs[index + 1] : null;
        return index >= 0;
    }

    public bool Contains(KeyValuePair<string, string> item) => TryGetValue(item.Key, out var value) && string.Equals(value, item.Value, StringComparison.Ordinal);

    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        foreach (var pair in this) array[arrayIndex++] = pair;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _pairs.Length; i += 2) yield return new(_pairs[i], _pairs[i + 1]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Add(string key, string value) => throw ReadOnly();

    public void Add(KeyValuePair<string, string> item) => throw ReadOnly();

    public bool Remove(string key) => throw ReadOnly();

    public bool Remove(KeyValuePair<string, string> item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _pairs.Length; i += 2)
        {
            if (string.Equals(_pairs[i], key, StringComparison.Ordinal)) return i;
        }

        return -1;
    }

    private IEnumerable<string> Every(int offset)
    {
        for (var i = offset; i < _pairs.Length; i += 2) yield return _pairs[i];
    }

    private static NotSupportedException ReadOnly() => new("A shared label or annotation map is read-only.");
}
