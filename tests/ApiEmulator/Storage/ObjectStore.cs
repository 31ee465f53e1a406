namespace EksHardening.ApiEmulator.Storage;

/// <summary>
/// Every stored object, the global resourceVersion counter, the change window and the uid/owner indexes.
/// Callers hold <see cref="Gate"/> for every call, so that a read-modify-write is atomic and changes reach
/// watches in revision order.
/// </summary>
internal sealed class ObjectStore(ChangeHistory history, WatchHub hub)
{
    private readonly Dictionary<GroupResource, ResourceTable> _tables = [];
    private readonly Dictionary<string, (GroupResource Resource, string Key)> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(GroupResource Resource, string Key)>> _dependents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedUids = new(StringComparer.Ordinal);
    private long _revision;

    public Lock Gate { get; } = new();

    public ChangeHistory History { get; } = history;

    public WatchHub Hub { get; } = hub;

    /// <summary>The newest revision handed out; readable without the gate.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public long NextRevision()
    {
        AssertLocked();
        return Interlocked.Increment(ref _revision);
    }

    public ResourceTable Table(GroupResource resource)
    {
        AssertLocked();
        if (!_tables.TryGetValue(resource, out var table))
        {
            table = new ResourceTable();
            _tables[resource] = table;
        }

        return table;
    }

    public StoredObject? Find(GroupResource resource, string? ns, string name) =>
        Table(resource).Get(ObjectKeys.Of(ns, name));

    public (GroupResource Resource, StoredObject Object)? FindByUid(string uid)
    {
        AssertLocked();
        if (_byUid.TryGetValue(uid, out var location) && Table(location.Resource).Get(location.Key) is { } obj)
        {
            return (location.Resource, obj);
        }

        return null;
    }

    public bool UidExists(string uid) => FindByUid(uid) is not null;

    /// <summary>Whether an object with this uid was stored and has since been deleted.</summary>
    public bool UidWasRemoved(string uid)
    {
        AssertLocked();
        return _removedUids.Contains(uid);
    }

    /// <summary>Objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public IReadOnlyList<(GroupResource Resource, StoredObject Object)> DependentsOf(string ownerUid)
    {
        AssertLocked();
        if (!_dependents.TryGetValue(ownerUid, out var set))
        {
            return [];
        }

        return [.. set.Select(d => (d.Resource, Obj: Table(d.Resource).Get(d.Key)))
            .Where(d => d.Obj is not null)
            .Select(d => (d.Resource, d.Obj!))];
    }

    public IEnumerable<GroupResource> Resources()
    {
        AssertLocked();
        return _tables.Keys.ToList();
    }

    /// <summary>Stores a new or changed object (which already carries its new revision) and tells the watches.</summary>
    public void Put(GroupResource resource, StoredObject obj, StoredObject? previous)
    {
        AssertLocked();
        Table(resource).Put(obj);
        if (previous is not null)
        {
            Unindex(resource, previous);
        }

        Index(resource, obj);
        Publish(new ChangeEvent(previous is null ? ChangeType.Added : ChangeType.Modified, resource, obj, previous));
    }

    /// <summary>Removes an object; <paramref name="final"/> is its last state carrying the deletion's revision.</summary>
    public void Remove(GroupResource resource, StoredObject final, StoredObject previous)
    {
        AssertLocked();
        Table(resource).Remove(previous.Key);
        Unindex(resource, previous);
        if (previous.Uid.Length > 0)
        {
            _removedUids.Add(previous.Uid);
        }
        Publish(new ChangeEvent(ChangeType.Deleted, resource, final, previous));
    }

    private void Publish(ChangeEvent change)
    {
        History.Append(change);
        Hub.Publish(change);
    }

    private void Index(GroupResource resource, StoredObject obj)
    {
        if (obj.Uid.Length > 0)
        {
            _byUid[obj.Uid] = (resource, obj.Key);
        }

        foreach (var owner in obj.OwnerUids)
        {
            if (!_dependents.TryGetValue(owner, out var set))
            {
                set = [];
                _dependents[owner] = set;
            }

            set.Add((resource, obj.Key));
        }
    }

    private void Unindex(GroupResource resource, StoredObject obj)
    {
        if (obj.Uid.Length > 0 && _byUid.TryGetValue(obj.Uid, out var location) && location == (resource, obj.Key))
        {
            _byUid.Remove(obj.Uid);
        }

        foreach (var owner in obj.OwnerUids)
        {
            if (_dependents.TryGetValue(owner, out var set))
            {
                set.Remove((resource, obj.Key));
                if (set.Count == 0)
                {
                    _dependents.Remove(owner);
                }
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertLocked() => Debug.Assert(Gate.IsHeldByCurrentThread, "the store gate must be held");
}
