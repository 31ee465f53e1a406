namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Runs workers that take keys from a <see cref="WorkQueue{TKey}"/> and reconcile them, turning
/// each outcome into the queue action controller-runtime takes.
/// </summary>
/// <remarks>
/// Outcomes: a result with <see cref="ReconcileResult.RequeueAfter"/> forgets the backoff and adds
/// the key after that time; <see cref="ReconcileResult.Requeue"/> adds it with backoff; a plain
/// success forgets the backoff; an exception is logged and the key added with backoff (no shorter than the
/// <c>Retry-After</c> of an API answer behind it); a
/// <see cref="TerminalReconcileException"/> (also as an inner exception) is logged and forgotten;
/// an <see cref="OperationCanceledException"/> while stopping is neither logged as an error nor retried.
/// The queue keeps one key from two workers, so reconciles of one key never overlap.
/// </remarks>
public sealed class Controller<TKey> where TKey : notnull
{
    private readonly IReconciler<TKey> _reconciler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ControllerMetrics? _metrics;
    private int _started;
    private int _active;
    private long _successes;
    private long _requeues;
    private long _requeuesAfter;
    private long _errors;
    private long _terminalErrors;
    private long _cancellations;
    private long _reconcileTicks;

    /// <summary>Creates a controller; the time provider measures reconcile time and dates Retry-After answers; outcomes and durations are also counted in <paramref name="metrics"/>.</summary>
    public Controller(
        string name,
        WorkQueue<TKey> queue,
        IReconciler<TKey> reconciler,
        ILogger logger,
        TimeProvider? timeProvider = null,
        ControllerMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        Queue = queue;
        _reconciler = reconciler;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics;
    }

    /// <summary>The controller's name, used in logs.</summary>
    public string Name { get; }

    /// <summary>The queue that event handlers add keys to.</summary>
    public WorkQueue<TKey> Queue { get; }

    /// <summary>Reconciles that succeeded with nothing more to do.</summary>
    public long Successes => Interlocked.Read(ref _successes);

    /// <summary>Reconciles that asked for a retry with backoff (<see cref="ReconcileResult.Requeue"/>).</summary>
    public long Requeues => Interlocked.Read(ref _requeues);

    /// <summary>Reconciles that asked for a visit after a set time (<see cref="ReconcileResult.RequeueAfter"/>).</summary>
    public long RequeuesAfter => Interlocked.Read(ref _requeuesAfter);

    /// <summary>Reconciles that threw and were retried with backoff.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Reconciles that threw a terminal error and were not retried.</summary>
    public long TerminalErrors => Interlocked.Read(ref _terminalErrors);

    /// <summary>Reconciles cut short because the controller was stopping.</summary>
    public long Cancellations => Interlocked.Read(ref _cancellations);

    /// <summary>All finished reconciles, whatever the outcome.</summary>
    public long Reconciles => Successes + Requeues + RequeuesAfter + Errors + TerminalErrors + Cancellations;

    /// <summary>Time spent in reconciles, summed over all workers.</summary>
    public TimeSpan TotalReconcileTime => TimeSpan.FromTicks(Interlocked.Read(ref _reconcileTicks));

    /// <summary>Keys waiting for a worker.</summary>
    public int QueueDepth => Queue.Count;

    /// <summary>Reconciles running now.</summary>
    public int ActiveReconciles => Volatile.Read(ref _active);

    /// <summary>
    /// Runs <paramref name="workers"/> workers until the token fires, then shuts the queue down and
    /// returns once the reconciles in flight have finished (they see the same, cancelled token).
    /// A controller runs once: its queue cannot be restarted.
    /// </summary>
    public async Task RunAsync(int workers, CancellationToken stoppingToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"Controller '{Name}' was already started.");
        }

        ControllerLog.Starting(_logger, Name, workers);
        // Shutting the queue down wakes idle workers; busy ones finish their key and then see it.
        using var stop = stoppingToken.Register(static queue => ((WorkQueue<TKey>)queue!).ShutDown(), Queue);
        var running = new Task[workers];
        for (int i = 0; i < workers; i++)
        {
            running[i] = Task.Run(() => WorkAsync(stoppingToken), CancellationToken.None);
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        ControllerLog.Stopped(_logger, Name);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var (key, shutDown) = await Queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (shutDown)
            {
                return;
            }

            try
            {
                await ReconcileOneAsync(key, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    private async Task ReconcileOneAsync(TKey key, CancellationToken stoppingToken)
    {
        using var scope = _logger.BeginScope("{Controller} {Key}", Name, key);
        long started = _time.GetTimestamp();
        // A reconcile cut short by shutdown has no result and is not counted.
        string? outcome = null;
        Interlocked.Increment(ref _active);
        try
        {
            var result = await _reconciler.ReconcileAsync(key, stoppingToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The reconciler returned no result.");
            if (result.RequeueAfter > TimeSpan.Zero)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, result.RequeueAfter);
                Interlocked.Increment(ref _requeuesAfter);
                outcome = ControllerMetrics.RequeueAfter;
                ControllerLog.RequeuedAfter(_logger, key, result.RequeueAfter);
            }
            else if (result.Requeue)
            {
                var delay = Queue.AddRateLimited(key);
                Interlocked.Increment(ref _requeues);
                outcome = ControllerMetrics.Requeue;
                ControllerLog.Requeued(_logger, key, delay);
            }
            else
            {
                Queue.Forget(key);
                Interlocked.Increment(ref _successes);
                outcome = ControllerMetrics.Success;
                ControllerLog.Reconciled(_logger, key);
            }
        }
        catch (Exception ex) when (IsTerminal(ex))
        {
            Queue.Forget(key);
            Interlocked.Increment(ref _terminalErrors);
            outcome = ControllerMetrics.Error;
            ControllerLog.TerminalError(_logger, ex, key);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancellations);
            ControllerLog.Cancelled(_logger, key);
        }
        catch (Exception ex)
        {
            // An API answer of 429 or 503 that says when to come back is waited out (within the queue's cap).
            var delay = Queue.AddRateLimited(key, ApiRetryAfter.Of(ex, _time.GetUtcNow()));
            Interlocked.Increment(ref _errors);
            outcome = ControllerMetrics.Error;
            ControllerLog.Failed(_logger, ex, key, Queue.NumRequeues(key), delay);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            var elapsed = _time.GetElapsedTime(started);
            Interlocked.Add(ref _reconcileTicks, elapsed.Ticks);
            if (outcome is not null) _metrics?.Reconciled(key.ToString() ?? "", outcome, elapsed);
        }
    }

    private static bool IsTerminal(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is TerminalReconcileException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The controller's log messages, generated so that a disabled level costs nothing.</summary>
internal static partial class ControllerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Starting controller {Controller} with {Workers} workers")]
    public static partial void Starting(ILogger logger, string controller, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped controller {Controller}")]
    public static partial void Stopped(ILogger logger, string controller);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciled {Key}")]
    public static partial void Reconciled(ILogger logger, object key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciled {Key}; next visit in {RequeueAfter}")]
    public static partial void RequeuedAfter(ILogger logger, object key, TimeSpan requeueAfter);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconcile of {Key} not finished; retrying in {Delay}")]
    public static partial void Requeued(ILogger logger, object key, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconcile of {Key} cancelled: the controller is stopping")]
    public static partial void Cancelled(ILogger logger, object key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconcile of {Key} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void Failed(ILogger logger, Exception exception, object key, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconcile of {Key} failed with a terminal error; not retrying until it is added again")]
    public static partial void TerminalError(ILogger logger, Exception exception, object key);
}
