using EksHardening.Entities;
using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>
/// Enforce-mode remediation: after each new evaluation of a policy, plans what it may close (<see cref="RemediationPlanner"/>,
/// pure) and makes those changes — NetworkPolicies it then owns, Pod Security labels on namespaces that have none — or,
/// under dryRun, nothing. What each API call did goes to <see cref="RemediationOutcomes"/>, and the status controller hears
/// when that changed. Its own changes come back through the informers as a new evaluation.
/// </summary>
public sealed class RemediationController : QueuedController
{
    public const string ControllerName = "remediation";

    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly RemediationOutcomes _outcomes;
    private readonly Remediator _remediator;
    private readonly HandledEvaluations _done = new();

    public RemediationController(ClusterInformers informers, PolicyEvaluations evaluations, RemediationOutcomes outcomes, Remediator remediator,
        PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
        : base(ControllerName, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        _outcomes = outcomes;
        _remediator = remediator;
        evaluations.OnEvaluated(Enqueue);
        informers.Policies.AddHandler(change =>
        {
            if (change.Type == InformerEventType.Deleted) Enqueue(change.Object.Metadata.Name);
        });
    }

    public override async Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (_informers.Policies.Get(null, name) is not { } policy)
        {
            _outcomes.Forget(name);
            _done.Forget(name);
            return ReconcileResult.Done;
        }

        // Nothing evaluated yet (the evaluation enqueues this policy), an invalid spec (nothing is remediated), or done already.
        if (_evaluations.Latest(policy) is not { Snapshot: { } snapshot } assessment || _done.Contains(name, assessment)) return ReconcileResult.Done;

        var dryRun = assessment.Policy.Spec?.DryRun == true;
        var outcomes = new Dictionary<StepKey, RemediationRecord>();
        foreach (var step in RemediationPlanner.Plan(assessment.Policy, snapshot))
        {
            if (RemediationRecords.WithoutApplying(step, dryRun) is null)
            {
                outcomes[StepKey.Of(step)] = await _remediator.ApplyAsync(assessment.Policy, step, cancellationToken).ConfigureAwait(false);
            }
        }

        _done.Add(name, assessment);
        _outcomes.Publish(name, outcomes);
        return ReconcileResult.Done;
    }

    protected override void OnTermStarted()
    {
        // Another replica may have led meanwhile: every policy's plan is carried out afresh.
        _done.Clear();
        foreach (var policy in _informers.Policies.Items) Enqueue(policy.Metadata.Name);
    }
}
