using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers.Events;

/// <summary>
/// Violation Events: after each new evaluation of a policy, queues an Event for every workload whose set of failing
/// rules is new (<see cref="ViolationEvents"/> decides which, and sends them at a limited rate with retries), while
/// this replica leads.
/// </summary>
public sealed class ViolationEventController(ClusterInformers informers, PolicyEvaluations evaluations, ViolationEvents events,
    PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    : EvaluationFollower(ControllerName, informers, evaluations, options, metrics, clock, loggers)
{
    public const string ControllerName = "events";

    protected override Task ActAsync(PolicyAssessment assessment, CancellationToken cancellationToken)
    {
        if (assessment.Evaluation is { } evaluation) events.Record(assessment.Policy, evaluation);
        return Task.CompletedTask;
    }

    protected override void Forget(string policy) => events.Forget(policy);

    /// <summary>The sender, for the term: an Event still unsent when it ends waits for the next term's sender.</summary>
    protected override Task RunAlongsideAsync(CancellationToken term) => events.RunAsync(term);
}
