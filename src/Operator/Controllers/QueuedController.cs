using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// One controller of the leader's set: keys are policy names, a fresh work queue for each leadership term, its own
/// workers, and its own <c>controller</c> label on the controller metrics. Informer and evaluation handlers call
/// <see cref="Enqueue"/>, which does nothing while this replica does not lead. A subclass is a page of orchestration:
/// read from the caches, call pure functions, do the I/O.
/// </summary>
public abstract class QueuedController : IReconciler<string>
{
    private readonly int _workers;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private WorkQueue<string>? _queue;

    protected QueuedController(string name, int workers, ControllerMetrics metrics, TimeProvider clock, ILoggerFactory loggers)
    {
        Name = name;
        _workers = workers;
        _clock = clock;
        _loggers = loggers;
        Metrics = metrics.For(name);
    }

    /// <summary>The controller's name: its <c>controller</c> label and its log scope.</summary>
    public string Name { get; }

    /// <summary>Reconciles and queue activity across every term this replica leads.</summary>
    public ControllerMetrics Metrics { get; }

    /// <summary>Keys waiting for a worker (0 while not leading).</summary>
    public int QueueDepth => Volatile.Read(ref _queue)?.Count ?? 0;

    /// <summary>Asks for a reconcile of the policy, if this replica leads.</summary>
    public void Enqueue(string policy) => Volatile.Read(ref _queue)?.Add(policy);

    /// <summary>Makes what this controller owns agree with the policy named <paramref name="name"/> (and its latest evaluation).</summary>
    public abstract Task<ReconcileResult> ReconcileAsync(string name, CancellationToken cancellationToken);

    Task<ReconcileResult> IReconciler<string>.ReconcileAsync(string key, CancellationToken cancellationToken) => ReconcileAsync(key, cancellationToken);

    /// <summary>One leadership term: a fresh queue, <see cref="OnTermStarted"/>, then workers (and <see cref="RunAlongsideAsync"/>) until the term ends.</summary>
    public async Task RunAsync(CancellationToken term)
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock, metrics: Metrics);
        Volatile.Write(ref _queue, queue);
        try
        {
            OnTermStarted();
            var controller = new Controller<string>(Name, queue, this, _loggers.CreateLogger<Controller<string>>(), _clock, Metrics);
            await Task.WhenAll(controller.RunAsync(_workers, term), RunAlongsideAsync(term)).ConfigureAwait(false);
        }
        finally
        {
            // Only this term's own queue is taken down; a later term may already have put its own in place.
            Interlocked.CompareExchange(ref _queue, null, queue);
            await OnTermEndedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A term starts: typically every policy is enqueued, since nothing seen while following was acted on.</summary>
    protected virtual void OnTermStarted()
    {
    }

    /// <summary>Work that lives as long as the term besides the workers (an event sender).</summary>
    protected virtual Task RunAlongsideAsync(CancellationToken term) => Task.CompletedTask;

    /// <summary>The term has ended and the workers have stopped.</summary>
    protected virtual Task OnTermEndedAsync() => Task.CompletedTask;
}
