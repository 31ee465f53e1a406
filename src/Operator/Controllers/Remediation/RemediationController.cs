using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>
/// Enforce-mode remediation: after each new evaluation of a policy, plans what it may close (<see cref="RemediationPlanner"/>,
/// pure) and makes those changes — NetworkPolicies it then owns, Pod Security labels on namespaces that have none — or,
/// under dryRun, nothing. What each API call did goes to <see cref="RemediationOutcomes"/>, and the status controller hears
/// when that changed. Its own changes come back through the informers as a new evaluation.
/// </summary>
public sealed class RemediationController(ClusterInformers informers, PolicyEvaluations evaluations, RemediationOutcomes outcomes, Remediator remediator,
    PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    : EvaluationFollower(ControllerName, informers, evaluations, options, metrics, clock, loggers)
{
    public const string ControllerName = "remediation";

    protected override async Task ActAsync(PolicyAssessment assessment, CancellationToken cancellationToken)
    {
        // An invalid spec has no snapshot: nothing is remediated.
        if (assessment.Snapshot is not { } snapshot) return;
        var dryRun = assessment.Policy.Spec?.DryRun == true;
        var done = new Dictionary<StepKey, RemediationRecord>();
        foreach (var step in RemediationPlanner.Plan(assessment.Policy, snapshot))
        {
            if (RemediationRecords.WithoutApplying(step, dryRun) is null)
            {
                done[StepKey.Of(step)] = await remediator.ApplyAsync(assessment.Policy, step, cancellationToken).ConfigureAwait(false);
            }
        }

        outcomes.Publish(assessment.Policy.Metadata.Name, done);
    }

    protected override void Forget(string policy) => outcomes.Forget(policy);
}
