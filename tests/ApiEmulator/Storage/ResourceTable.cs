namespace EksHardening.ApiEmulator.Storage;

/// <summary>All objects of one resource, by key and in key order (so that a namespace is one contiguous range).</summary>
internal sealed class ResourceTable
{
    private readonly Dictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

    public int Count => _objects.Count;

    public StoredObject? Get(string key) => _objects.GetValueOrDefault(key);

    public void Put(StoredObject obj)
    {
        var key = obj.Key;
        if (_objects.TryAdd(key, obj))
        {
            _keys.Add(key);
        }
        else
        {
            _objects[key] = obj;
        }
    }

    public void Remove(string key)
    {
        if (_objects.Remove(key))
        {
            _keys.Remove(key);
        }
    }

    /// <summary>Objects in key order, limited to a namespace when given, strictly after <paramref name="afterKey"/> when given.</summary>
    public IEnumerable<StoredObject> Scan(string? ns, string? afterKey)
    {
        var lower = string.IsNullOrEmpty(ns) ? "" : ns + "/";
        var upper = string.IsNullOrEmpty(ns) ? "\uffff" : ns + "/\uffff";
        if (afterKey is not null && string.CompareOrdinal(afterKey, lower) > 0)
        {
            lower = afterKey;
        }

        if (string.CompareOrdinal(lower, upper) > 0)
        {
            yield break;
        }

        foreach (var key in _keys.GetViewBetween(lower, upper))
        {
            if (afterKey is not null && key == afterKey)
            {
                continue;
            }

            yield return _objects[key];
        }
    }
}
