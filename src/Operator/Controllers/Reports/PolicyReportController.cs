using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// PolicyReports: after each new evaluation of a policy, makes its wgpolicyk8s.io reports say what the evaluation says
/// (<see cref="PolicyReportWriter"/>); an invalid spec has no reports. A report that cannot be written never holds up
/// status: it is this controller's own concern.
/// </summary>
public sealed class PolicyReportController : QueuedController
{
    public const string ControllerName = "reports";

    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly PolicyReportWriter _writer;
    private readonly HandledEvaluations _written = new();

    public PolicyReportController(ClusterInformers informers, PolicyEvaluations evaluations, PolicyReportWriter writer, PolicyControllerOptions options,
        ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
        : base(ControllerName, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        _writer = writer;
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
            _writer.Forget(name);
            _written.Forget(name);
            return ReconcileResult.Done;
        }

        if (_evaluations.Latest(policy) is not { } assessment || _written.Contains(name, assessment)) return ReconcileResult.Done;
        await _writer.SyncAsync(assessment.Policy, assessment.Evaluation, cancellationToken).ConfigureAwait(false);
        _written.Add(name, assessment);
        return ReconcileResult.Done;
    }

    protected override void OnTermStarted()
    {
        // Another replica may have written reports meanwhile: they are learned again before the next write.
        _writer.Invalidate();
        _written.Clear();
        foreach (var policy in _informers.Policies.Items) Enqueue(policy.Metadata.Name);
    }
}
