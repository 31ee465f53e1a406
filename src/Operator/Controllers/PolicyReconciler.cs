using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EksHardening.Entities;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// Level-triggered reconcile of one ResponsibilityPolicy, keyed by its name: read the policy and the
/// cluster from the informer caches, evaluate (reusing per-object findings), and patch the status only
/// when its content changed. Events only enqueue names; a policy deleted while the operator was down
/// is simply absent here.
/// </summary>
public sealed partial class PolicyReconciler(
    ClusterInformers informers,
    SnapshotBuilder snapshots,
    IPolicyStatusWriter statusWriter,
    ViolationEvents events,
    Remediator remediator,
    PolicyControllerOptions options,
    TimeProvider clock,
    ILogger<PolicyReconciler> logger,
    IMeterFactory meters,
    Aws.AwsFactCollector? awsFacts = null,
    PolicyReportWriter? reports = null) : IReconciler<string>
{
    private readonly ConcurrentDictionary<string, FindingsCache> _caches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WrittenStatus> _written = new(StringComparer.Ordinal);
    private readonly PolicyEvaluator _evaluator = new(clock);

    /// <summary>Status patches sent, and reconciles that found nothing to write; served from the start, at zero.</summary>
    private readonly Counter<long> _statusWrites = PolicyMetrics.ServedCounter(meters, "eks_hardening_status_writes_total", "Status patches sent.");
    private readonly Counter<long> _unchanged = PolicyMetrics.ServedCounter(meters, "eks_hardening_reconciles_unchanged_total",
        "Reconciles that found the status already true.");

    /// <summary>Reconciles put off because the policy's status was written less than the minimum interval ago.</summary>
    public long DeferredReconciles => Interlocked.Read(ref _deferred);

    /// <summary>Workloads whose findings were reused, and workloads evaluated afresh, over every policy's findings cache.</summary>
    public long FindingsCacheHits => Interlocked.Read(ref _findingsCacheHits);
    public long FindingsCacheMisses => Interlocked.Read(ref _findingsCacheMisses);

    /// <summary>Status writes answered 409 Conflict, each retried with the work queue's backoff.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Each policy's violations by rule, from its latest evaluation.</summary>
    public ViolationCounts Violations { get; } = new();

    private long _conflicts;
    private long _findingsCacheHits;
    private long _findingsCacheMisses;
    private long _deferred;

    public async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var policy = informers.Policies.Get(null, name);
        if (policy is null)
        {
            _caches.TryRemove(name, out _);
            _written.TryRemove(name, out _);
            events.Forget(name);
            Violations.Forget(name);
            reports?.Forget(name);
            return ReconcileResult.Done;
        }

        // Written too recently: come back when the interval is over and evaluate then, once, whatever changed meanwhile.
        if (_written.TryGetValue(name, out var last) && clock.GetElapsedTime(last.At) is var since && since < options.MinStatusWriteInterval)
        {
            Interlocked.Increment(ref _deferred);
            return ReconcileResult.After(options.MinStatusWriteInterval - since);
        }

        var now = clock.GetUtcNow();
        ResponsibilityPolicyStatus desired;
        PolicyEvaluation? evaluation = null;
        var problems = PolicyValidator.ValidateSemantics(policy);
        if (problems.Count > 0)
        {
            desired = ComplianceStatus.InvalidSpec(policy, PolicyValidator.Summarize(problems), policy.Status, now);
            LogInvalidSpec(logger, name, PolicyValidator.Summarize(problems));
            Violations.Forget(name);
        }
        else
        {
            var cache = _caches.GetOrAdd(name, _ => new FindingsCache());
            // One reconcile per key at a time (the work queue's promise), so the per-policy cache is not shared.
            var snapshot = snapshots.Build();
            // AWS facts are learned (from cache, mostly) before the pure evaluation; without a collector those rules are off.
            if (awsFacts is not null && Aws.AwsFactCollector.Needed(policy.Spec))
            {
                snapshot.Aws = await awsFacts.CollectAsync(policy, snapshot, cancellationToken).ConfigureAwait(false);
            }

            var (hits, misses) = (cache.Hits, cache.Misses);
            evaluation = _evaluator.Evaluate(policy, snapshot, cache);
            Interlocked.Add(ref _findingsCacheHits, cache.Hits - hits);
            Interlocked.Add(ref _findingsCacheMisses, cache.Misses - misses);
            Violations.Record(name, evaluation);
            desired = ComplianceStatus.FromEvaluation(policy, evaluation, policy.Status, now, options.MaxViolations);
            desired.Remediations = await RemediateAsync(policy, snapshot, cancellationToken).ConfigureAwait(false);
            events.Record(policy, evaluation);
        }

        if (ComplianceStatus.ContentDiffers(CurrentStatus(policy), desired))
        {
            desired.LastEvaluated = ComplianceStatus.TruncateToSeconds(now);
            var before = policy.Metadata?.ResourceVersion;
            string? after;
            try
            {
                after = await statusWriter.WriteAsync(name, desired, cancellationToken).ConfigureAwait(false);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Another writer got in between our read and our write: a quiet retry with backoff, from the newer object.
                Interlocked.Increment(ref _conflicts);
                LogConflict(logger, name);
                return ReconcileResult.Retry;
            }

            _written[name] = new WrittenStatus(before, after, desired, clock.GetTimestamp());
            _statusWrites.Add(1);
            LogStatusWritten(logger, name, desired.Summary?.Resources ?? 0, desired.Summary?.Violating ?? 0);
        }
        else
        {
            _unchanged.Add(1);
        }

        // After the status, which matters more; a report that cannot be written never fails the reconcile.
        if (reports is not null) await reports.SyncAsync(policy, evaluation, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.After(NextEvaluation(policy, evaluation, now));
    }

    /// <summary>A new leadership term: another replica may have written reports meanwhile, so they are listed again.</summary>
    public void OnLeadershipStarted() => reports?.Invalidate();

    /// <summary>
    /// Enforce mode closes what it safely can; status lists what stands (objects it owns, namespaces it labelled)
    /// and what it did, would do (dryRun) or may not do now, in a stable order so that a quiet cluster writes nothing.
    /// </summary>
    private async Task<List<RemediationRecord>> RemediateAsync(ResponsibilityPolicy policy, Rules.ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var steps = RemediationPlanner.Plan(policy, snapshot);
        var records = await remediator.ApplyAsync(policy, steps, cancellationToken).ConfigureAwait(false);
        var standing = RemediationPlanner.Standing(policy, snapshot)
            .Where(s => !records.Any(r => r.Kind == s.Kind && r.Namespace == s.Namespace && r.Name == s.Name));
        // Applied records read the same as the standing ones the next pass lists, so the status does not flip.
        return records.Where(r => !(r.Action == RemediationAction.Delete && r.State == RemediationState.Applied))
            .Select(r => r.State == RemediationState.Applied ? r with { Message = null } : r)
            .Concat(standing)
            .OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(100)
            .ToList();
    }

    /// <summary>
    /// The status the policy has now. Right after our own write the informer may still hold the older object;
    /// then what we wrote is the truth, and comparing against the stale copy would write the same status twice.
    /// </summary>
    private ResponsibilityPolicyStatus? CurrentStatus(ResponsibilityPolicy policy)
    {
        var name = policy.Metadata?.Name ?? "";
        return _written.TryGetValue(name, out var written) && written.Before is not null && written.Before == policy.Metadata?.ResourceVersion
            ? written.Status
            : policy.Status;
    }

    /// <summary>
    /// The policy's interval, or sooner: when an exemption expires before it, or when AWS facts could not be learned
    /// (they are tried again as soon as their error is forgotten, so that status recovers soon after AWS does).
    /// </summary>
    private TimeSpan NextEvaluation(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, DateTimeOffset now)
    {
        var interval = DurationParser.TryParse(policy.Spec?.EvaluationInterval, out var parsed) && parsed > TimeSpan.Zero
            ? parsed
            : options.DefaultEvaluationInterval;
        if (evaluation is null) return interval;
        if (evaluation.AwsErrors is { Count: > 0 } && awsFacts is not null && awsFacts.ErrorTtl < interval) interval = awsFacts.ErrorTtl;
        foreach (var exemption in policy.Spec?.Exemptions ?? [])
        {
            if (exemption.Expires is { } expires && expires > now && expires - now < interval) interval = expires - now + TimeSpan.FromSeconds(1);
        }

        return interval;
    }

    /// <param name="At">When the write completed (a <see cref="TimeProvider"/> timestamp).</param>
    private sealed record WrittenStatus(string? Before, string? After, ResponsibilityPolicyStatus Status, long At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ResponsibilityPolicy {Policy} has an invalid spec: {Problems}")]
    private static partial void LogInvalidSpec(ILogger logger, string policy, string problems);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ResponsibilityPolicy {Policy}: status write conflicted with another writer; retrying")]
    private static partial void LogConflict(ILogger logger, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "ResponsibilityPolicy {Policy}: status written ({Resources} resources, {Violating} violating)")]
    private static partial void LogStatusWritten(ILogger logger, string policy, int resources, int violating);
}
