using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// PolicyReports: after each new evaluation of a policy, makes its wgpolicyk8s.io reports say what the evaluation says
/// (<see cref="PolicyReportWriter"/>); an invalid spec has no reports. A report that cannot be written never holds up
/// status: it is this controller's own concern.
/// </summary>
public sealed class PolicyReportController(ClusterInformers informers, PolicyEvaluations evaluations, PolicyReportWriter writer,
    PolicyControllerOptions options, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    : EvaluationFollower(ControllerName, informers, evaluations, options, metrics, clock, loggers)
{
    public const string ControllerName = "reports";

    protected override Task ActAsync(PolicyAssessment assessment, CancellationToken cancellationToken) =>
        writer.SyncAsync(assessment.Policy, assessment.Evaluation, cancellationToken);

    protected override void Forget(string policy) => writer.Forget(policy);

    /// <summary>Another replica may have written reports meanwhile: they are learned again before the next write.</summary>
    protected override void OnNewTerm() => writer.Invalidate();
}
