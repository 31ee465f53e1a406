using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Reporting;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers.Events;

/// <summary>
/// Violation Events: after each new evaluation of a policy, queues an Event for every workload whose set of failing
/// rules is new (<see cref="ViolationEvents"/> decides which, and sends them at a limited rate with retries), while
/// this replica leads.
/// </summary>
public sealed class ViolationEventController : QueuedController
{
    public const string ControllerName = "events";

    private readonly ClusterInformers _informers;
    private readonly PolicyEvaluations _evaluations;
    private readonly ViolationEvents _events;
    private readonly HandledEvaluations _recorded = new();

    public ViolationEventController(ClusterInformers informers, PolicyEvaluations evaluations, ViolationEvents events, PolicyControllerOptions options,
        ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
        : base(ControllerName, options.Workers, metrics, clock, loggers)
    {
        _informers = informers;
        _evaluations = evaluations;
        _events = events;
        evaluations.OnEvaluated(Enqueue);
        informers.Policies.AddHandler(change =>
        {
            if (change.Type == InformerEventType.Deleted) Enqueue(change.Object.Metadata.Name);
        });
    }

    public override Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (_informers.Policies.Get(null, name) is not { } policy)
        {
            _events.Forget(name);
            _recorded.Forget(name);
        }
        else if (_evaluations.Latest(policy) is { Evaluation: { } evaluation } assessment && !_recorded.Contains(name, assessment))
        {
            _events.Record(assessment.Policy, evaluation);
            _recorded.Add(name, assessment);
        }

        return Task.FromResult(ReconcileResult.Done);
    }

    protected override void OnTermStarted()
    {
        foreach (var policy in _informers.Policies.Items) Enqueue(policy.Metadata.Name);
    }

    /// <summary>The sender, for the term: an Event still unsent when it ends waits for the next term's sender.</summary>
    protected override Task RunAlongsideAsync(CancellationToken term) => _events.RunAsync(term);
}
