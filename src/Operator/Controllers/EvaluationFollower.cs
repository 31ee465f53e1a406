using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// A controller that acts on evaluations the status controller made (<see cref="PolicyEvaluations"/>): it hears of each
/// new one and of deleted policies, acts once per evaluation (<see cref="ActAsync"/>), and forgets a policy that is gone
/// (<see cref="Forget"/>). A new leadership term acts on every policy's latest evaluation afresh, since another replica
/// may have led meanwhile.
/// </summary>
public abstract class EvaluationFollower : QueuedController
{
    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly HandledEvaluations _handled = new();

    protected EvaluationFollower(string name, ClusterInformers informers, PolicyEvaluations evaluations, PolicyControllerOptions options,
        ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
        : base(name, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        evaluations.OnEvaluated(Enqueue);
        informers.Policies.AddHandler(change =>
        {
            if (change.Type == InformerEventType.Deleted) Enqueue(change.Object.Metadata.Name);
        });
    }

    public sealed override async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (_informers.Policies.Get(null, name) is not { } policy)
        {
            Forget(name);
            _handled.Forget(name);
            return ReconcileResult.Done;
        }

        // Nothing evaluated yet (the evaluation enqueues this policy), or this evaluation was acted on already.
        if (_evaluations.Latest(policy) is not { } assessment || _handled.Contains(name, assessment)) return ReconcileResult.Done;
        await ActAsync(assessment, cancellationToken).ConfigureAwait(false);
        _handled.Add(name, assessment);
        return ReconcileResult.Done;
    }

    /// <summary>Acts on one evaluation of a policy (valid or not); an exception retries it with the queue's backoff.</summary>
    protected abstract Task ActAsync(PolicyAssessment assessment, CancellationToken cancellationToken);

    /// <summary>The policy is gone: what this controller keeps for it goes too.</summary>
    protected abstract void Forget(string policy);

    /// <summary>A new term starts: before every policy is enqueued, what another replica may have changed is to be learned again.</summary>
    protected virtual void OnNewTerm()
    {
    }

    protected sealed override void OnTermStarted()
    {
        OnNewTerm();
        _handled.Clear();
        foreach (var policy in _informers.Policies.Items) Enqueue(policy.Metadata.Name);
    }
}
