using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Controllers.Remediation;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers.Status;

/// <summary>
/// Evaluation and status: level-triggered reconcile of one ResponsibilityPolicy, keyed by its name. Reads the policy
/// from the informer cache, has it evaluated (<see cref="PolicyEvaluations"/>: validation, AWS facts, the rule engine,
/// reused while nothing changed), and patches the status only when its content changed, at most once per
/// <see cref="PolicyControllerOptions.MinStatusWriteInterval"/> per policy: the first change after an interval without
/// a write is written at once (leading edge); changes within the interval after a write are evaluated together an
/// interval after the start of its evaluation, and written from the state then (trailing edge: the last state is always
/// written), never less than an interval after the last write was answered. A 409 is a quiet retry. The remediations
/// it lists come from what the remediation controller did (<see cref="RemediationOutcomes"/>): while a step to apply
/// has no outcome yet, nothing is written, so the list does not change twice for one change.
/// </summary>
public sealed partial class StatusController : QueuedController
{
    public const string ControllerName = "status";

    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly RemediationOutcomes _remediations;
    private readonly IPolicyStatusWriter _statusWriter;
    private readonly PolicyControllerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, WrittenStatus> _written = new(StringComparer.Ordinal);
    // The Ready condition each policy's status holds, as last written or found already true.
    private readonly ConcurrentDictionary<string, bool> _ready = new(StringComparer.Ordinal);
    private readonly Counter<long> _statusWrites;
    private readonly Counter<long> _unchanged;
    private long _conflicts;
    private long _deferred;
    private long _waitingForRemediation;

    public StatusController(ClusterInformers informers, PolicyEvaluations evaluations, RemediationOutcomes remediations, IPolicyStatusWriter statusWriter,
        PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers, IMeterFactory meters)
        : base(ControllerName, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        _remediations = remediations;
        _statusWriter = statusWriter;
        _options = options;
        _clock = clock;
        _logger = loggers.CreateLogger<StatusController>();
        // Served from the start, at zero.
        _statusWrites = PolicyMetrics.ServedCounter(meters, "eks_hardening_status_writes_total", "Status patches sent.");
        _unchanged = PolicyMetrics.ServedCounter(meters, "eks_hardening_reconciles_unchanged_total", "Reconciles that found the status already true.");

        informers.OnClusterChange(EnqueueReaders);
        informers.Policies.AddHandler(change =>
        {
            // Status-only updates (our own writes) change neither generation nor deletion: no reconcile needed.
            if (change.Type != InformerEventType.Updated
                || change.Old?.Metadata?.Generation != change.New?.Metadata?.Generation
                || change.Old?.Metadata?.DeletionTimestamp != change.New?.Metadata?.DeletionTimestamp)
            {
                Enqueue(change.Object.Metadata.Name);
            }
        });
        remediations.OnChanged(Enqueue);
    }

    /// <summary>
    /// Whether the Ready condition of each policy's status is True, as this controller last wrote it or found it already
    /// written; a policy not reconciled yet, or whose write failed, is not listed.
    /// </summary>
    public IEnumerable<(string Policy, bool Ready)> Readiness => _ready.Select(r => (r.Key, r.Value));

    /// <summary>Reconciles put off because the policy's status was written less than the minimum interval ago.</summary>
    public long DeferredReconciles => Interlocked.Read(ref _deferred);

    /// <summary>Status writes answered 409 Conflict, each retried with the work queue's backoff.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Reconciles that wrote nothing because a remediation step had not been carried out yet.</summary>
    public long WaitsForRemediation => Interlocked.Read(ref _waitingForRemediation);

    public override async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (_informers.Policies.Get(null, name) is not { } policy)
        {
            _evaluations.Forget(name);
            _written.TryRemove(name, out _);
            _ready.TryRemove(name, out _);
            return ReconcileResult.Done;
        }

        // Written less than an interval ago (within a burst): come back when the interval is over and evaluate then, once,
        // whatever changed meanwhile. Otherwise (quiet for an interval, or never written) go on and write now. The interval
        // runs from the start of the last written evaluation: a change that just missed one then waits an interval and one
        // evaluation, where counted from the write it would wait for the last evaluation, the interval and the next one.
        _written.TryGetValue(name, out var written);
        if (written is not null && _clock.GetElapsedTime(written.Evaluated) is var since && since < _options.MinStatusWriteInterval)
        {
            Interlocked.Increment(ref _deferred);
            return ReconcileResult.After(_options.MinStatusWriteInterval - since);
        }

        var evaluated = _clock.GetTimestamp();
        var assessment = await _evaluations.EvaluateAsync(policy, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var next = ReconcileResult.After(Remaining(assessment));
        ResponsibilityPolicyStatus desired;
        if (assessment.Evaluation is { } evaluation && assessment.Snapshot is { } snapshot)
        {
            desired = ComplianceStatus.FromEvaluation(policy, evaluation, policy.Status, now, _options.MaxViolations);
            var steps = RemediationPlanner.Plan(assessment.Policy, snapshot);
            if (RemediationRecords.ForStatus(assessment.Policy, snapshot, steps, _remediations.Of(name)) is not { } remediations)
            {
                // The remediation controller has this evaluation queued; its outcome enqueues this policy again.
                Interlocked.Increment(ref _waitingForRemediation);
                return next;
            }

            desired.Remediations = remediations;
        }
        else
        {
            var problems = PolicyValidator.Summarize(assessment.Problems);
            desired = ComplianceStatus.InvalidSpec(policy, problems, policy.Status, now);
            LogInvalidSpec(_logger, name, problems);
        }

        if (!ComplianceStatus.ContentDiffers(CurrentStatus(policy), desired))
        {
            _unchanged.Add(1);
            _ready[name] = IsReady(desired);
            return next;
        }

        // Never two writes within an interval as the API server receives them: an interval from the last write's answer
        // (the server had it by then) to this send. This evaluation may have been quicker than the last: wait out the rest,
        // and a hundredth of the interval more, since a timer may fire a little early (without it the scale benchmark's
        // emulator received two writes 997 ms apart).
        if (written is not null && _clock.GetElapsedTime(written.Answered) is var sinceAnswer && sinceAnswer < _options.MinStatusWriteInterval)
        {
            await Task.Delay(_options.MinStatusWriteInterval - sinceAnswer + _options.MinStatusWriteInterval / 100, _clock, cancellationToken).ConfigureAwait(false);
        }

        desired.LastEvaluated = ComplianceStatus.TruncateToSeconds(now);
        var before = policy.Metadata?.ResourceVersion;
        string? after;
        try
        {
            after = await _statusWriter.WriteAsync(name, desired, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Another writer got in between our read and our write: a quiet retry with backoff, from the newer object.
            Interlocked.Increment(ref _conflicts);
            LogConflict(_logger, name);
            return ReconcileResult.Retry;
        }

        _written[name] = new WrittenStatus(before, after, desired, evaluated, _clock.GetTimestamp());
        _statusWrites.Add(1);
        _ready[name] = IsReady(desired);
        LogStatusWritten(_logger, name, desired.Summary?.Resources ?? 0, desired.Summary?.Violating ?? 0);
        return next;
    }

    protected override void OnTermStarted() => EnqueueReaders(DutyInformers.None);

    /// <summary>Every policy that reads what changed: all of them for the objects every policy reads, else those with the duty.</summary>
    private void EnqueueReaders(DutyInformers changed)
    {
        foreach (var policy in _informers.Policies.Items)
        {
            if (changed == DutyInformers.None || (ClusterInformers.Needed(policy.Spec) & changed) != DutyInformers.None) Enqueue(policy.Metadata.Name);
        }
    }

    private static bool IsReady(ResponsibilityPolicyStatus status) =>
        status.Conditions?.Any(c => c.Type == ComplianceStatus.Ready && c.Status == "True") == true;

    /// <summary>Until the evaluation is due again (at least a moment: a reused evaluation may be due any time now).</summary>
    private TimeSpan Remaining(PolicyAssessment assessment)
    {
        var left = TimeSpan.FromSeconds((double)(assessment.ValidUntil - _clock.GetTimestamp()) / _clock.TimestampFrequency);
        return left > TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100);
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

    /// <param name="Evaluated">When the evaluation it was made from started (a <see cref="TimeProvider"/> timestamp).</param>
    /// <param name="Answered">When the API server answered the write.</param>
    private sealed record WrittenStatus(string? Before, string? After, ResponsibilityPolicyStatus Status, long Evaluated, long Answered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ResponsibilityPolicy {Policy} has an invalid spec: {Problems}")]
    private static partial void LogInvalidSpec(ILogger logger, string policy, string problems);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ResponsibilityPolicy {Policy}: status write conflicted with another writer; retrying")]
    private static partial void LogConflict(ILogger logger, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "ResponsibilityPolicy {Policy}: status written ({Resources} resources, {Violating} violating)")]
    private static partial void LogStatusWritten(ILogger logger, string policy, int resources, int violating);
}
