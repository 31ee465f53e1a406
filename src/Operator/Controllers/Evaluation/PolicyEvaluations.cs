using EksHardening.Operator.Aws;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Evaluation;

/// <summary>
/// The evaluations the controllers share, one per policy, keyed by what it was made from (<see cref="EvaluationStamp"/>:
/// the policy's uid and generation, and the cluster revision, a counter every informer change that can affect a policy
/// bumps). The status controller evaluates (<see cref="EvaluateAsync"/>), which reuses the last evaluation while its stamp
/// holds and it is not due again; every new evaluation is announced, and the remediation, report and event controllers
/// read it (<see cref="Latest"/>), so the cluster is evaluated once per change, not once per controller.
/// Construct before the controllers register their informer handlers: the revision must move before they enqueue.
/// </summary>
public sealed class PolicyEvaluations
{
    private readonly ClusterInformers _informers;
    private readonly SnapshotBuilder _snapshots;
    private readonly PolicyControllerOptions _options;
    private readonly TimeProvider _clock;
    private readonly AwsFactCollector? _awsFacts;
    private readonly PolicyEvaluator _evaluator;
    private readonly ConcurrentDictionary<string, FindingsCache> _findings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PolicyAssessment> _latest = new(StringComparer.Ordinal);
    private volatile Action<string>[] _subscribers = [];
    private readonly long[] _revisions = new long[5];
    private long _findingsHits;
    private long _findingsMisses;
    private long _evaluations;

    public PolicyEvaluations(ClusterInformers informers, SnapshotBuilder snapshots, PolicyControllerOptions options, TimeProvider clock, AwsFactCollector? awsFacts = null)
    {
        _informers = informers;
        _snapshots = snapshots;
        _options = options;
        _clock = clock;
        _awsFacts = awsFacts;
        _evaluator = new PolicyEvaluator(clock);
        informers.OnClusterChange(changed => Interlocked.Increment(ref _revisions[RevisionIndex(changed)]));
    }

    /// <summary>
    /// Bumped by every change of a watched object that can alter the findings of a policy reading it: the objects every
    /// policy reads, and each duty's own. Revisions only grow, so their sum over what a policy reads moves exactly
    /// when one of them does.
    /// </summary>
    public long RevisionFor(ResponsibilityPolicySpec? spec)
    {
        var needed = ClusterInformers.Needed(spec);
        var revision = Interlocked.Read(ref _revisions[0]);
        foreach (var duty in Duties)
        {
            if (needed.HasFlag(duty)) revision += Interlocked.Read(ref _revisions[RevisionIndex(duty)]);
        }

        return revision;
    }

    private static readonly DutyInformers[] Duties = [DutyInformers.Rbac, DutyInformers.Volumes, DutyInformers.Ingress, DutyInformers.Nodes];

    /// <summary>0 for the objects every policy reads; 1 + the duty's bit position for a duty's.</summary>
    private static int RevisionIndex(DutyInformers changed) => changed == DutyInformers.None ? 0 : 1 + System.Numerics.BitOperations.TrailingZeroCount((int)changed);

    /// <summary>Evaluations made (not those reused).</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);

    /// <summary>Workloads whose findings were reused, and workloads evaluated afresh, over every policy's findings cache.</summary>
    public long FindingsCacheHits => Interlocked.Read(ref _findingsHits);
    public long FindingsCacheMisses => Interlocked.Read(ref _findingsMisses);

    /// <summary>Each policy's violations by rule, from its latest evaluation.</summary>
    public ViolationCounts Violations { get; } = new();

    /// <summary>Calls <paramref name="handler"/> with the policy's name after each new evaluation (quick: enqueue, nothing more).</summary>
    public void OnEvaluated(Action<string> handler)
    {
        lock (_latest) _subscribers = [.. _subscribers, handler];
    }

    /// <summary>
    /// The policy's evaluation now: the last one when its stamp still holds and it is not due again, else a new one
    /// (validation, the snapshot, AWS facts, the rule engine), which is announced. Not for concurrent calls for one
    /// policy: the status controller's work queue never runs two reconciles of one key at once.
    /// </summary>
    public async Task<PolicyAssessment> EvaluateAsync(ResponsibilityPolicy policy, CancellationToken cancellationToken)
    {
        var name = policy.Metadata?.Name ?? "";
        // Read before the snapshot is built: a change while building bumps it, and the next call evaluates again.
        var stamp = EvaluationStamp.Of(policy, RevisionFor(policy.Spec));
        if (_latest.TryGetValue(name, out var last) && last.Stamp == stamp && _clock.GetTimestamp() < last.ValidUntil) return last;

        var now = _clock.GetUtcNow();
        PolicyAssessment assessment;
        var problems = PolicyValidator.ValidateSemantics(policy);
        if (problems.Count > 0)
        {
            Violations.Forget(name);
            assessment = Assessed(stamp, policy, null, null, problems, now);
        }
        else
        {
            var cache = _findings.GetOrAdd(name, _ => new FindingsCache());
            var snapshot = _snapshots.Build();
            // AWS facts are learned (from cache, mostly) before the pure evaluation; without a collector those rules are off.
            if (_awsFacts is not null && AwsFactCollector.Needed(policy.Spec))
            {
                snapshot.Aws = await _awsFacts.CollectAsync(policy, snapshot, cancellationToken).ConfigureAwait(false);
            }

            var (hits, misses) = (cache.Hits, cache.Misses);
            var evaluation = _evaluator.Evaluate(policy, snapshot, cache);
            Interlocked.Add(ref _findingsHits, cache.Hits - hits);
            Interlocked.Add(ref _findingsMisses, cache.Misses - misses);
            Violations.Record(name, evaluation);
            assessment = Assessed(stamp, policy, snapshot, evaluation, [], now);
        }

        Interlocked.Increment(ref _evaluations);
        _latest[name] = assessment;
        foreach (var subscriber in _subscribers) subscriber(name);
        return assessment;
    }

    /// <summary>The policy's last evaluation, if it was made for this policy object (same uid); null before the first.</summary>
    public PolicyAssessment? Latest(ResponsibilityPolicy policy) =>
        _latest.TryGetValue(policy.Metadata?.Name ?? "", out var assessment) && assessment.Stamp.Uid == policy.Metadata?.Uid ? assessment : null;

    /// <summary>The policy is gone: its evaluation, findings and violations go too.</summary>
    public void Forget(string name)
    {
        _latest.TryRemove(name, out _);
        _findings.TryRemove(name, out _);
        Violations.Forget(name);
    }

    /// <summary>Whether the policy still exists in the cache (a controller checks before acting on an evaluation).</summary>
    public ResponsibilityPolicy? Policy(string name) => _informers.Policies.Get(null, name);

    private PolicyAssessment Assessed(EvaluationStamp stamp, ResponsibilityPolicy policy, ClusterSnapshot? snapshot, PolicyEvaluation? evaluation,
        IReadOnlyList<SpecProblem> problems, DateTimeOffset now)
    {
        var next = EvaluationSchedule.Next(policy, evaluation, now, _options.DefaultEvaluationInterval, _awsFacts?.ErrorTtl);
        return new PolicyAssessment(stamp, policy, snapshot, evaluation, problems, now, next, _clock.GetTimestamp() + (long)(next.TotalSeconds * _clock.TimestampFrequency));
    }
}
