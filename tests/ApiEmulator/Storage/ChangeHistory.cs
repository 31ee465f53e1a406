namespace EksHardening.ApiEmulator.Storage;

/// <summary>What happened to an object at one resourceVersion.</summary>
internal enum ChangeType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One write: the object after it (for a delete, the last state at the deletion's revision) and before it.</summary>
internal sealed record ChangeEvent(ChangeType Type, GroupResource Resource, StoredObject Object, StoredObject? Previous)
{
    public long Revision => Object.ResourceVersion;
}

/// <summary>
/// The bounded window of recent changes that watches replay from. Every revision is one change, so a watch
/// from revision R is served exactly when no change after R has been dropped (R is not older than the window).
/// </summary>
internal sealed class ChangeHistory(int capacity)
{
    private readonly ChangeEvent[] _ring = new ChangeEvent[Math.Max(1, capacity)];
    private int _start;
    private int _count;

    /// <summary>The newest revision that has left the window; watching from an older revision is 410 Gone.</summary>
    public long CompactedRevision { get; private set; }

    public void Append(ChangeEvent change)
    {
        if (_count == _ring.Length)
        {
            CompactedRevision = _ring[_start].Revision;
            _ring[_start] = change;
            _start = (_start + 1) % _ring.Length;
        }
        else
        {
            _ring[(_start + _count) % _ring.Length] = change;
            _count++;
        }
    }

    /// <summary>Forgets every change up to <paramref name="revision"/>, as an etcd compaction does.</summary>
    public void CompactTo(long revision)
    {
        while (_count > 0 && _ring[_start].Revision <= revision)
        {
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        CompactedRevision = Math.Max(CompactedRevision, revision);
    }

    public bool IsExpired(long revision) => revision < CompactedRevision;

    /// <summary>Changes of one resource with a revision greater than <paramref name="revision"/>, oldest first.</summary>
    public IEnumerable<ChangeEvent> After(long revision, GroupResource resource)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (At(mid).Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < _count; i++)
        {
            var change = At(i);
            if (change.Resource == resource)
            {
                yield return change;
            }
        }
    }

    private ChangeEvent At(int index) => _ring[(_start + index) % _ring.Length];
}
