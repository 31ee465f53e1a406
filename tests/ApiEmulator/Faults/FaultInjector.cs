namespace EksHardening.ApiEmulator.Faults;

/// <summary>
/// Fault injection knobs, safe to change while the emulator serves: error rules per verb and resource, added
/// latency, dropping open watches, forcing watches to expire (410), compacting history, and downtime.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private readonly List<RequestHook> _hooks = [];
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Func<int> _dropWatches;
    private readonly Action _compact;
    private long _latencyTicks;
    private int _expiredWatches;
    private DateTimeOffset? _downUntil;
    private DowntimeMode _downtimeMode;

    internal FaultInjector(TimeProvider time, int randomSeed, Func<int> dropWatches, Action compact)
    {
        _time = time;
        _random = new Random(randomSeed);
        _dropWatches = dropWatches;
        _compact = compact;
    }

    /// <summary>Delay added before every request is handled.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Whether the server is in a downtime window now.</summary>
    public bool IsDown => CurrentDowntime() is not null;

    public FaultRule Add(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Fails matching requests with <paramref name="statusCode"/>; see <see cref="FaultRule"/>.</summary>
    public FaultRule FailRequests(string? verb, int statusCode, string? resource = null, double rate = 1.0, int? times = null, int retryAfterSeconds = 1) =>
        Add(new FaultRule { Verb = verb, StatusCode = statusCode, Resource = resource, Rate = rate, Times = times, RetryAfterSeconds = retryAfterSeconds });

    /// <summary>
    /// Runs <paramref name="action"/> just before matching requests are handled (null filters match anything), at most
    /// <paramref name="times"/> times: another writer's change slipped in between a client's read and its write.
    /// The action may use the direct API (<c>Seed</c>, <c>Delete</c>); it runs on the request's thread.
    /// </summary>
    public RequestHook BeforeRequests(string? verb, string? resource, Action action, int? times = null)
    {
        var hook = new RequestHook(verb, resource, action, times);
        lock (_gate)
        {
            _hooks.Add(hook);
        }

        return hook;
    }

    public void Remove(RequestHook hook)
    {
        lock (_gate)
        {
            _hooks.Remove(hook);
        }
    }

    public void Remove(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Remove(rule);
        }
    }

    public void ClearRules()
    {
        lock (_gate)
        {
            _rules.Clear();
            _hooks.Clear();
        }
    }

    /// <summary>Ends every open watch now, as an API server restart or a load balancer would; returns how many.</summary>
    public int DropWatches() => _dropWatches();

    /// <summary>The next <paramref name="count"/> watch requests get a 410 Expired ERROR event and end.</summary>
    public void ExpireNextWatches(int count = 1) => Interlocked.Add(ref _expiredWatches, count);

    /// <summary>Forgets the change history up to now: older resourceVersions get 410 on watch and continue.</summary>
    public void CompactHistory() => _compact();

    /// <summary>Takes the server down for <paramref name="duration"/>; open watches are dropped.</summary>
    public void StartDowntime(TimeSpan duration, DowntimeMode mode = DowntimeMode.ServiceUnavailable)
    {
        lock (_gate)
        {
            _downUntil = _time.GetUtcNow() + duration;
            _downtimeMode = mode;
        }

        _dropWatches();
    }

    public void EndDowntime()
    {
        lock (_gate)
        {
            _downUntil = null;
        }
    }

    /// <summary>Clears every knob: rules, hooks, latency, pending expiries, downtime.</summary>
    public void Reset()
    {
        ClearRules();
        EndDowntime();
        Latency = TimeSpan.Zero;
        Interlocked.Exchange(ref _expiredWatches, 0);
    }

    internal DowntimeMode? CurrentDowntime()
    {
        lock (_gate)
        {
            if (_downUntil is { } until && _time.GetUtcNow() < until)
            {
                return _downtimeMode;
            }

            _downUntil = null;
            return null;
        }
    }

    internal bool TryConsumeExpiredWatch()
    {
        while (true)
        {
            var pending = Volatile.Read(ref _expiredWatches);
            if (pending <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _expiredWatches, pending - 1, pending) == pending)
            {
                return true;
            }
        }
    }

    internal ApiStatusException? InjectedError(RequestInfo request)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Exhausted || !Matches(rule, request) || (rule.Rate < 1.0 && _random.NextDouble() >= rule.Rate))
                {
                    continue;
                }

                rule.CountHit();
                var error = ApiStatusException.ForCode(rule.StatusCode, rule.Message);
                return rule.StatusCode is 429 or 503 or 504
                    ? new ApiStatusException(error.Code, error.Reason, error.Message) { RetryAfterSeconds = rule.RetryAfterSeconds }
                    : error;
            }

            return null;
        }
    }

    /// <summary>Runs the hooks that match, outside the lock (their actions write through the direct API).</summary>
    internal void RunHooks(RequestInfo request)
    {
        List<RequestHook> due;
        lock (_gate)
        {
            due = [.. _hooks.Where(h => h.TryClaim(request))];
        }

        foreach (var hook in due)
        {
            hook.Action();
        }
    }

    private static bool Matches(FaultRule rule, RequestInfo request)
    {
        if (rule.Verb is not null && !string.Equals(rule.Verb, request.Verb, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (rule.Namespace is not null && rule.Namespace != request.Namespace)
        {
            return false;
        }

        return rule.Resource is null || rule.Resource == request.ResourceWithSubresource;
    }
}
