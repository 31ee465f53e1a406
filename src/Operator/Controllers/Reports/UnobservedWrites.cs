namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// The reports this controller wrote that its informer has not yet delivered back: without this record a reconcile
/// that runs between a write and its watch event would read the old cache and write again (a second create answered
/// 409, a patch repeated). An entry is cleared when the informer delivers the written resourceVersion or a newer one
/// (for a delete: the object's removal), and counts as observed after <see cref="Timeout"/> so a lost event cannot
/// hold a report forever. This is client-go's controller "expectations" (pkg/controller/controller_utils.go,
/// ExpectationsTimeout of 5 minutes), keyed by object rather than counted per owner.
/// </summary>
public sealed class UnobservedWrites(TimeProvider clock)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, UnobservedWrite> _writes = new(StringComparer.Ordinal);

    /// <summary>Entries waiting for their watch event.</summary>
    public int Count => _writes.Count;

    /// <summary>A create or patch answered with this object: until observed, the report is taken to hold <paramref name="contentHash"/>.</summary>
    public void Wrote(string key, string? resourceVersion, string? uid, string contentHash) =>
        _writes[key] = new UnobservedWrite(resourceVersion, uid, contentHash, clock.GetUtcNow());

    /// <summary>A delete was accepted: until the informer drops the object, the report is taken to be gone.</summary>
    public void Deleted(string key) => _writes[key] = new UnobservedWrite(null, null, null, clock.GetUtcNow());

    /// <summary>What was written and not yet seen, if anything (an expired entry is dropped).</summary>
    public UnobservedWrite? Pending(string key)
    {
        if (!_writes.TryGetValue(key, out var write)) return null;
        if (clock.GetUtcNow() - write.At < Timeout) return write;
        _writes.TryRemove(new KeyValuePair<string, UnobservedWrite>(key, write));
        return null;
    }

    /// <summary>The informer holds <paramref name="resourceVersion"/> of the object now: a write it includes is observed.</summary>
    public void Observed(string key, string? resourceVersion)
    {
        if (_writes.TryGetValue(key, out var write) && !write.IsDelete && IsAtLeast(resourceVersion, write.ResourceVersion))
        {
            _writes.TryRemove(new KeyValuePair<string, UnobservedWrite>(key, write));
        }
    }

    /// <summary>The informer dropped the object: a delete is observed, and so is a write this deletion came after.</summary>
    public void ObservedDeletion(string key, string? resourceVersion)
    {
        if (_writes.TryGetValue(key, out var write) && (write.IsDelete || IsAtLeast(resourceVersion, write.ResourceVersion)))
        {
            _writes.TryRemove(new KeyValuePair<string, UnobservedWrite>(key, write));
        }
    }

    public void Clear() => _writes.Clear();

    /// <summary>
    /// Whether <paramref name="seen"/> is <paramref name="written"/> or later. resourceVersions are opaque to clients, but
    /// every API server in use hands out etcd revisions (integers); anything else counts only when equal, and the
    /// timeout covers the rest.
    /// </summary>
    private static bool IsAtLeast(string? seen, string? written)
    {
        if (seen is null || written is null) return written is null;
        if (ulong.TryParse(seen, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && ulong.TryParse(written, NumberStyles.None, CultureInfo.InvariantCulture, out var w)) return s >= w;
        return string.Equals(seen, written, StringComparison.Ordinal);
    }
}

/// <summary>One write not yet seen by the informer; a null <see cref="ContentHash"/> is a delete.</summary>
public sealed record UnobservedWrite(string? ResourceVersion, string? Uid, string? ContentHash, DateTimeOffset At)
{
    public bool IsDelete => ContentHash is null;
}
