using EksHardening.Operator.Resilience;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The keys a controller still has to reconcile: deduplicated, never handed to two workers at
/// once, with delayed and rate-limited re-adds: a retry waits the longer of its key's exponential
/// backoff and the overall token bucket's delay, as client-go's default controller rate limiter.
/// </summary>
/// <remarks>
/// A key is in at most one of three places: waiting (handed out by <see cref="GetAsync"/>),
/// processing (handed out, until <see cref="Done"/>), or neither. Adding a waiting key does
/// nothing; adding a processing key marks it dirty, and <see cref="Done"/> puts it back to wait,
/// so the change that came in during a reconcile is seen by a later one and never by a second
/// reconcile running at the same time. Delayed adds live apart from that state: an immediate add
/// never cancels a pending delayed one, so a timed requeue is not lost.
/// After <see cref="ShutDown"/> every add is ignored and <see cref="GetAsync"/> reports shut-down
/// at once, even if keys were waiting: reconciles are level-triggered, and the next start lists
/// everything again.
/// </remarks>
public sealed class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private static readonly TimeSpan MinimumTimerDelay = TimeSpan.FromMilliseconds(1);

    private readonly Lock _gate = new();
    private readonly Queue<TKey> _waiting = new();
    // Keys that need a reconcile: those waiting, and those processing that were added again.
    private readonly HashSet<TKey> _dirty;
    private readonly HashSet<TKey> _processing;
    private readonly LinkedList<TaskCompletionSource<(TKey Key, bool ShutDown)>> _getters = new();
    private readonly Dictionary<TKey, TimeSpan> _delayedUntil;
    // Lazily pruned: an entry whose deadline no longer matches _delayedUntil is skipped.
    private readonly PriorityQueue<TKey, TimeSpan> _deadlines = new();
    private readonly Dictionary<TKey, int> _failures;
    private readonly WorkQueueOptions _options;
    private readonly ExponentialBackoff _backoff;
    private readonly TokenBucket _retryBucket;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly long _epoch;
    private readonly ITimer _timer;
    private TimeSpan? _timerDue;
    private bool _shuttingDown;
    private TaskCompletionSource? _drained;
    private readonly ControllerMetrics? _metrics;

    /// <summary>Creates a queue; the time provider drives delayed adds, the random source the jitter; adds and retries are counted in <paramref name="metrics"/>.</summary>
    public WorkQueue(
        WorkQueueOptions? options = null,
        TimeProvider? timeProvider = null,
        IEqualityComparer<TKey>? comparer = null,
        Random? random = null,
        ControllerMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options ?? new WorkQueueOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _backoff = _options.Backoff;
        _retryBucket = new TokenBucket(_options.RetriesPerSecond, _options.RetryBurst, _time);
        _random = random ?? Random.Shared;
        _dirty = new HashSet<TKey>(comparer);
        _processing = new HashSet<TKey>(comparer);
        _delayedUntil = new Dictionary<TKey, TimeSpan>(comparer);
        _failures = new Dictionary<TKey, int>(comparer);
        _epoch = _time.GetTimestamp();
        _timer = _time.CreateTimer(
            static state => ((WorkQueue<TKey>)state!).OnTimer(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Keys waiting to be handed out (not those processing or delayed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Keys handed out and not yet <see cref="Done"/>.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _processing.Count;
            }
        }
    }

    /// <summary>Keys with a pending delayed or rate-limited add.</summary>
    public int Delayed
    {
        get
        {
            lock (_gate)
            {
                return _delayedUntil.Count;
            }
        }
    }

    /// <summary>True once <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Marks a key as needing a reconcile; see the type's remarks for dedupe and dirty keys.</summary>
    public void Add(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>Adds the key once the delay has passed; if it is already delayed, the earlier deadline wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            AddAfterLocked(key, delay);
        }
    }

    /// <summary>
    /// Adds the key after its retry delay and counts one more failure for it; returns the delay
    /// chosen (zero once shut down). The delay is the longer of the key's backoff and the overall
    /// retry bucket's, and no shorter than <paramref name="serverWait"/> (a <c>Retry-After</c> the
    /// API server sent), though never longer than <see cref="WorkQueueOptions.MaxDelay"/>.
    /// </summary>
    public TimeSpan AddRateLimited(TKey key, TimeSpan? serverWait = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return TimeSpan.Zero;
            }

            int previous = _failures.GetValueOrDefault(key);
            _failures[key] = previous + 1;
            _metrics?.QueueRetried();
            var delay = _backoff.Delay(previous, _random.NextDouble(), serverWait);
            // Every retry takes a token, as client-go's max-of limiter asks each of its limiters.
            var overall = _retryBucket.Reserve();
            if (overall > delay)
            {
                delay = overall;
            }

            AddAfterLocked(key, delay);
            return delay;
        }
    }

    /// <summary>Resets the key's failure count, so that its next failure starts again at the base delay.</summary>
    public void Forget(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>How many rate-limited adds the key has had since it was last forgotten.</summary>
    public int NumRequeues(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Waits for a key and marks it processing; the caller must call <see cref="Done"/> with it.
    /// Returns <c>ShutDown = true</c> (and a default key) once the queue is shut down. A getter that
    /// is cancelled throws <see cref="OperationCanceledException"/> and takes no key.
    /// </summary>
    public async ValueTask<(TKey Key, bool ShutDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<(TKey Key, bool ShutDown)> getter;
        LinkedListNode<TaskCompletionSource<(TKey Key, bool ShutDown)>> node;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return (default!, true);
            }

            if (_waiting.TryDequeue(out var ready))
            {
                StartProcessingLocked(ready);
                return (ready, false);
            }

            getter = new TaskCompletionSource<(TKey Key, bool ShutDown)>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _getters.AddLast(getter);
        }

        // A key handed to this getter and a cancellation race under the lock: whichever comes first
        // wins, so a key is never handed to a getter that then reports cancellation.
        using var registration = cancellationToken.Register(() =>
        {
            bool removed;
            lock (_gate)
            {
                removed = node.List is not null;
                if (removed)
                {
                    _getters.Remove(node);
                }
            }

            if (removed)
            {
                getter.TrySetCanceled(cancellationToken);
            }
        });

        return await getter.Task.ConfigureAwait(false);
    }

    /// <summary>Ends the processing of a key; if it was added meanwhile, it waits again.</summary>
    public void Done(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (!_processing.Remove(key))
            {
                return;
            }

            if (_shuttingDown)
            {
                if (_processing.Count == 0)
                {
                    _drained?.TrySetResult();
                }

                return;
            }

            if (_dirty.Contains(key))
            {
                EnqueueLocked(key);
            }
        }
    }

    /// <summary>Stops the queue: adds are ignored, pending delays dropped, and every getter told to stop.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timerDue = null;
            _waiting.Clear();
            _dirty.Clear();
            _delayedUntil.Clear();
            _deadlines.Clear();
            foreach (var getter in _getters)
            {
                getter.TrySetResult((default!, true));
            }

            _getters.Clear();
        }
    }

    /// <summary>
    /// Shuts down, then waits until every key handed out is <see cref="Done"/>. Returns false if
    /// the token fired first (the keys still processing are then abandoned, not awaited).
    /// </summary>
    public async Task<bool> ShutDownWithDrainAsync(CancellationToken cancellationToken = default)
    {
        ShutDown();
        Task drained;
        lock (_gate)
        {
            if (_processing.Count == 0)
            {
                return true;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Shuts the queue down and releases its timer.</summary>
    public void Dispose()
    {
        ShutDown();
        _timer.Dispose();
    }

    private TimeSpan Now => _time.GetElapsedTime(_epoch);

    private void AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key))
        {
            // Shut down, or already waiting.
            return;
        }

        _metrics?.QueueAdded();
        if (_processing.Contains(key))
        {
            // Done re-queues a dirty key.
            return;
        }

        EnqueueLocked(key);
    }

    private void EnqueueLocked(TKey key)
    {
        // A getter only waits while nothing is waiting, so handing the key over keeps the order.
        if (_getters.First is { } first)
        {
            _getters.RemoveFirst();
            StartProcessingLocked(key);
            first.Value.TrySetResult((key, false));
            return;
        }

        _waiting.Enqueue(key);
    }

    private void StartProcessingLocked(TKey key)
    {
        _dirty.Remove(key);
        _processing.Add(key);
    }

    private void AddAfterLocked(TKey key, TimeSpan delay)
    {
        if (_shuttingDown)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            AddLocked(key);
            return;
        }

        var due = Now + delay;
        if (_delayedUntil.TryGetValue(key, out var existing) && existing <= due)
        {
            return;
        }

        _delayedUntil[key] = due;
        _deadlines.Enqueue(key, due);
        if (_timerDue is not { } armed || due < armed)
        {
            ArmLocked(due);
        }
    }

    private void ArmLocked(TimeSpan due)
    {
        _timerDue = due;
        var wait = due - Now;
        _timer.Change(wait < MinimumTimerDelay ? MinimumTimerDelay : wait, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _timerDue = null;
            var now = Now;
            while (_deadlines.TryPeek(out var key, out var due))
            {
                bool current = _delayedUntil.TryGetValue(key, out var wanted) && wanted == due;
                if (current && due > now)
                {
                    ArmLocked(due);
                    return;
                }

                _deadlines.Dequeue();
                if (current)
                {
                    _delayedUntil.Remove(key);
                    AddLocked(key);
                }
            }
        }
    }
}
