using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using k8s.Autorest;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// PolicyReports: makes the wgpolicyk8s.io reports of each policy say what its latest evaluation says, reading what
/// exists from an informer over the operator's own reports (<see cref="PolicyReportCaches"/>). Creates the missing,
/// patches the changed, deletes those of a namespace that has no findings any more and every report of a policy that
/// is gone; a report someone else edits or deletes comes back through the informer and is repaired. A write the
/// informer has not yet delivered counts as done (<see cref="UnobservedWrites"/>), so nothing is written twice.
/// A report that cannot be written never holds up status: a 403 stops the kind until the next discovery, a 409 the
/// informer does not explain (someone else's object) and refused content are left alone for a while, and server
/// errors are retried with the queue's backoff.
/// </summary>
public sealed class PolicyReportController : QueuedController
{
    public const string ControllerName = "reports";

    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly PolicyReportCaches _caches;
    private readonly PolicyReportWrites _writes;
    private readonly PolicyReportOptions _options;
    private readonly TimeProvider _clock;
    private readonly ConditionalWeakTable<PolicyAssessment, IReadOnlyList<PolicyReportInput>> _plans = [];
    private long _builds;

    public PolicyReportController(ClusterInformers informers, PolicyEvaluations evaluations, PolicyReportCaches caches, PolicyReportWrites writes,
        PolicyReportOptions reportOptions, PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
        : base(ControllerName, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        _caches = caches;
        _writes = writes;
        _options = reportOptions;
        _clock = clock;
        evaluations.OnEvaluated(Enqueue);
        informers.Policies.AddHandler(change =>
        {
            if (change.Type == InformerEventType.Deleted) Enqueue(change.Object.Metadata.Name);
        });
        caches.AddHandler(OnReportChanged);
        caches.OnSynced(_ => EnqueueEverything());
    }

    /// <summary>Reports built from findings (on a quiet cluster none: unchanged findings are recognised by their fingerprint).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    public PolicyReportCaches Caches => _caches;

    public override async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (!_options.Enabled) return ReconcileResult.Done;
        var retry = false;
        var reportName = PolicyReportBuilder.ReportName(name);
        if (_informers.Policies.Get(null, name) is not { } policy)
        {
            // Gone: its reports go too (the garbage collector may be quicker; a 404 or a changed uid then says so).
            foreach (var kind in _caches.Kinds.Where(k => k.Ready))
            {
                foreach (var (key, cached, current) in Existing(kind, reportName).Where(r => IsOf(r.Cached, name)).ToList())
                {
                    retry |= await DeleteAsync(kind, key, current, cancellationToken).ConfigureAwait(false);
                }
            }

            return retry ? ReconcileResult.Retry : ReconcileResult.Done;
        }

        // Being deleted: the garbage collector removes the reports it owns. Not evaluated yet: the evaluation enqueues it.
        if (policy.Metadata.DeletionTimestamp is not null || _evaluations.Latest(policy) is not { } assessment) return ReconcileResult.Done;
        var inputs = _plans.GetValue(assessment, a => PolicyReportBuilder.Plan(a.Policy, a.Evaluation, _options.MaxResults));
        foreach (var kind in _caches.Kinds)
        {
            // Nothing is written before the informer has listed what exists, nor after a refusal until discovery looks again.
            if (!kind.Ready) continue;
            retry |= await SyncKindAsync(kind, reportName, inputs.Where(i => (i.Namespace is null) == kind.IsCluster), cancellationToken).ConfigureAwait(false);
        }

        return retry ? ReconcileResult.Retry : ReconcileResult.Done;
    }

    /// <summary>Every policy, and the policy of every report of ours (one whose policy is gone is deleted).</summary>
    protected override void OnTermStarted() => EnqueueEverything();

    private void EnqueueEverything()
    {
        foreach (var policy in _informers.Policies.Items) Enqueue(policy.Metadata.Name);
        foreach (var kind in _caches.Kinds)
        {
            foreach (var report in (kind.Informer?.Items ?? []).OfType<CachedReport>())
            {
                if (report.PolicyName is { } policy) Enqueue(policy);
            }
        }
    }

    protected override Task RunAlongsideAsync(CancellationToken term) => _caches.RunAsync(term);

    private void OnReportChanged(ReportKind kind, InformerEvent<PolicyReportBase> change)
    {
        var key = ObjectKeys.Of(change.Object);
        if (change.Type == InformerEventType.Deleted)
        {
            kind.Unobserved.ObservedDeletion(key, change.Object.Metadata.ResourceVersion);
        }
        else
        {
            kind.Unobserved.Observed(key, change.New!.Metadata.ResourceVersion);
            kind.Unblock(key);
        }

        // Our own write comes back here too; its reconcile finds nothing to do. Someone else's edit or delete is repaired.
        if ((change.Object as CachedReport)?.PolicyName is { } policy) Enqueue(policy);
    }

    /// <summary>Makes one kind's reports of the policy equal <paramref name="wanted"/>; true when a failure is worth a retry.</summary>
    private async Task<bool> SyncKindAsync(ReportKind kind, string reportName, IEnumerable<PolicyReportInput> wanted, CancellationToken cancellationToken)
    {
        var retry = false;
        var wantedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in wanted)
        {
            if (!kind.Ready) return retry;   // a 403 or a vanished CRD stops this kind until discovery looks again
            var key = ObjectKeys.Key(input.Namespace, reportName);
            wantedKeys.Add(key);
            var current = Current(kind, key, input.Namespace, reportName);
            // Same findings as the report last built, and that is what the server holds: nothing to build or send.
            if (current is not null && kind.BuiltHash(key, input.Fingerprint) is { } known && known == current.Value.Hash) continue;
            var report = input.Build(_clock.GetUtcNow());
            Interlocked.Increment(ref _builds);
            kind.RememberBuilt(key, input.Fingerprint, report.ContentHash);
            if (current?.Hash == report.ContentHash || kind.IsBlocked(key, report.ContentHash)) continue;
            retry |= await WriteAsync(kind, key, report, patch: current is not null, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (key, _, current) in Existing(kind, reportName).Where(r => !wantedKeys.Contains(r.Key)).ToList())
        {
            if (!kind.Ready) return retry;
            retry |= await DeleteAsync(kind, key, current, cancellationToken).ConfigureAwait(false);
        }

        return retry;
    }

    /// <summary>What the server holds at <paramref name="key"/> as far as is known: a write not yet observed, else the cache.</summary>
    private static (string Hash, string? Uid)? Current(ReportKind kind, string key, string? ns, string name)
    {
        // The record is read before the cache: it is cleared only after the informer has put what it saw in the cache.
        if (kind.Unobserved.Pending(key) is { } pending) return pending.IsDelete ? null : (pending.ContentHash!, pending.Uid);
        return kind.Cached(ns, name) is { } cached ? (cached.ContentHash, cached.Metadata.Uid) : null;
    }

    /// <summary>The policy's reports of this kind that exist, as far as is known (cache, corrected by writes not yet observed).</summary>
    private static IEnumerable<(string Key, CachedReport Cached, (string Hash, string? Uid) Current)> Existing(ReportKind kind, string reportName)
    {
        foreach (var cached in kind.CachedNamed(reportName))
        {
            var key = ObjectKeys.Of(cached);
            if (Current(kind, key, cached.Metadata.NamespaceProperty, reportName) is { } current) yield return (key, cached, current);
        }
    }

    /// <summary>A report of this policy, not of another whose name shortens to the same report name.</summary>
    private static bool IsOf(CachedReport report, string policy) =>
        report.PolicyName is { } owner && (owner == policy || owner == PolicyOwnership.PolicyLabelValue(policy));

    private async Task<bool> WriteAsync(ReportKind kind, string key, DesiredPolicyReport report, bool patch, CancellationToken cancellationToken)
    {
        try
        {
            var written = patch
                ? await _writes.PatchAsync(kind, report, cancellationToken).ConfigureAwait(false)
                : await _writes.CreateAsync(kind, report, cancellationToken).ConfigureAwait(false);
            kind.Unobserved.Wrote(key, written.ResourceVersion, written.Uid, report.ContentHash);
            // The informer may have delivered the object before the answer came: then it is observed already.
            if (kind.Cached(report.Namespace, report.Report.Metadata.Name) is { } cached) kind.Unobserved.Observed(key, cached.Metadata.ResourceVersion);
            return false;
        }
        catch (Exception e) when (PolicyReportWrites.IsRequestFailure(e, cancellationToken))
        {
            switch ((e as HttpOperationException)?.Response.StatusCode)
            {
                case HttpStatusCode.Conflict:
                    // Someone else's object has the name (ours would be in the cache or the record): left alone for a while,
                    // or until the informer shows a report of ours there (another replica's, delivered late).
                    kind.BlockName(key, _options.BlockedRetryInterval);
                    return false;
                case HttpStatusCode.NotFound:
                    // A patch: deleted meanwhile (the informer says so and the report is created again). A create: the
                    // namespace is going away, or the CRD went: discovery tells which.
                    _caches.DiscoverSoon();
                    return false;
                default:
                    return Refused(kind, key, report.ContentHash, e);
            }
        }
    }

    private async Task<bool> DeleteAsync(ReportKind kind, string key, (string Hash, string? Uid) report, CancellationToken cancellationToken)
    {
        var (ns, name) = Split(key);
        try
        {
            // The uid precondition makes sure only the report we wrote goes, never a same-named newcomer.
            await _writes.DeleteAsync(kind, ns, name, report.Uid, cancellationToken).ConfigureAwait(false);
            kind.Unobserved.Deleted(key);
            kind.ForgetBuilt(key);
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or replaced by an object that is not the one we wrote: the informer tells what is there.
            return false;
        }
        catch (Exception e) when (PolicyReportWrites.IsRequestFailure(e, cancellationToken))
        {
            return Refused(kind, key, null, e);
        }
    }

    /// <summary>403: this kind waits for the next discovery round. Other client errors: this content is not sent again for a while. Others: retried.</summary>
    private bool Refused(ReportKind kind, string key, string? contentHash, Exception e)
    {
        if (e is not HttpOperationException http) return true;
        var code = (int)http.Response.StatusCode;
        if (http.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            kind.Pause();
            return false;
        }

        if (code is >= 400 and < 500 && code != 429)
        {
            if (contentHash is not null) kind.BlockContent(key, contentHash, _options.BlockedRetryInterval);
            return false;
        }

        return true;
    }

    private static (string? Namespace, string Name) Split(string key) =>
        key.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? (key[..slash], key[(slash + 1)..]) : (null, key);
}
