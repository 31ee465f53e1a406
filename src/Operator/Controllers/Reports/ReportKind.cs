using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// PolicyReports or ClusterPolicyReports: whether discovery found them served, the informer over the operator's own
/// reports while they are, the writes it has not yet delivered back, and names or contents not to send again.
/// </summary>
public sealed class ReportKind(string plural, bool isCluster, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Blocked> _blocked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ulong Fingerprint, string Hash)> _built = new(StringComparer.Ordinal);
    private volatile bool _served;
    private volatile bool _paused;
    private volatile ResourceInformer<PolicyReportBase>? _informer;

    public string Plural { get; } = plural;
    public bool IsCluster { get; } = isCluster;
    public string KindName => IsCluster ? ClusterPolicyReport.KindName : PolicyReport.KindName;

    /// <summary>Served by the API server, as discovery last said, and not refused (403) since.</summary>
    public bool Served => _served && !_paused;

    /// <summary>Writes may be sent: served, and the informer has listed what exists.</summary>
    public bool Ready => Served && _informer is { HasSynced: true };

    /// <summary>The informer over this kind's reports while served (null otherwise).</summary>
    public ResourceInformer<PolicyReportBase>? Informer { get => _informer; internal set => _informer = value; }

    public UnobservedWrites Unobserved { get; } = new(clock);

    internal bool DiscoveredServed { get => _served; set => _served = value; }

    /// <summary>A 403 on a write: nothing of this kind is written until discovery looks again.</summary>
    public void Pause() => _paused = true;

    internal void Resume() => _paused = false;

    /// <summary>The cached report at <paramref name="key"/>, if the informer holds one.</summary>
    public CachedReport? Cached(string? ns, string name) => Informer?.Get(IsCluster ? null : ns, name) as CachedReport;

    /// <summary>Every cached report with this name (one per namespace for PolicyReports).</summary>
    public IEnumerable<CachedReport> CachedNamed(string name) =>
        (Informer?.Items ?? []).OfType<CachedReport>().Where(r => r.Metadata.Name == name);

    /// <summary>The content hash of the report last built from findings with this fingerprint, if that is the last one built.</summary>
    public string? BuiltHash(string key, ulong fingerprint) =>
        _built.TryGetValue(key, out var built) && built.Fingerprint == fingerprint ? built.Hash : null;

    public void RememberBuilt(string key, ulong fingerprint, string hash) => _built[key] = (fingerprint, hash);

    public void ForgetBuilt(string key) => _built.TryRemove(key, out _);

    /// <summary>Someone else's object holds the name (a 409 the informer does not explain): left alone for <paramref name="period"/>.</summary>
    public void BlockName(string key, TimeSpan period) => _blocked[key] = new Blocked(null, clock.GetUtcNow() + period);

    /// <summary>The API refused this content (a 4xx other than 403, 404, 409, 429): not sent again for <paramref name="period"/>.</summary>
    public void BlockContent(string key, string contentHash, TimeSpan period) => _blocked[key] = new Blocked(contentHash, clock.GetUtcNow() + period);

    public bool IsBlocked(string key, string contentHash)
    {
        if (!_blocked.TryGetValue(key, out var blocked)) return false;
        if (clock.GetUtcNow() >= blocked.Until)
        {
            _blocked.TryRemove(new KeyValuePair<string, Blocked>(key, blocked));
            return false;
        }

        return blocked.ContentHash is null || blocked.ContentHash == contentHash;
    }

    /// <summary>The informer shows a report of ours under the name: whatever held it before is no longer in the way.</summary>
    internal void Unblock(string key) => _blocked.TryRemove(key, out _);

    /// <summary>The informer stopped (not served, or the term ended): what was learned of the server goes with it.</summary>
    internal void Reset()
    {
        Informer = null;
        Unobserved.Clear();
        _blocked.Clear();
        _built.Clear();
    }

    private sealed record Blocked(string? ContentHash, DateTimeOffset Until);
}
