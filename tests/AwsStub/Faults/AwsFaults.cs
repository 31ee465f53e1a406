namespace EksHardening.AwsStub.Faults;

/// <summary>The faults chosen for one call: an added delay and at most one rule that decides the answer.</summary>
internal sealed record FaultDecision(TimeSpan Delay, AwsFaultRule? Rule);

/// <summary>
/// Fault injection knobs, safe to change while the stub serves: error rules per service and operation (custom codes,
/// throttling, access denied), malformed responses, dropped connections, per-rule and global latency.
/// </summary>
public sealed class AwsFaults
{
    private readonly Lock _gate = new();
    private readonly List<AwsFaultRule> _rules = [];
    private readonly Random _random;
    private long _latencyTicks;

    internal AwsFaults(int randomSeed) => _random = new Random(randomSeed);

    /// <summary>Delay added before every request is handled.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    public IReadOnlyList<AwsFaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    public AwsFaultRule Add(AwsFaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Fails matching calls with <paramref name="errorCode"/> and <paramref name="statusCode"/> in the service's error shape.</summary>
    public AwsFaultRule Fail(string? service, string? operation, string errorCode, int statusCode = 400, string? message = null,
        double rate = 1.0, int everyNth = 1, int? times = null, Func<AwsCallInfo, bool>? when = null) =>
        Add(new AwsFaultRule
        {
            Service = service, Operation = operation, Kind = AwsFaultKind.Error, ErrorCode = errorCode, StatusCode = statusCode,
            Message = message, Rate = rate, EveryNth = everyNth, Times = times, When = when,
        });

    /// <summary>Throttles matching calls with each service's own throttling error.</summary>
    public AwsFaultRule Throttle(string? service, string? operation = null, double rate = 1.0, int everyNth = 1, int? times = null,
        Func<AwsCallInfo, bool>? when = null) =>
        Add(new AwsFaultRule { Service = service, Operation = operation, Kind = AwsFaultKind.Throttling, Rate = rate, EveryNth = everyNth, Times = times, When = when });

    /// <summary>Denies matching calls with each service's own access-denied error.</summary>
    public AwsFaultRule DenyAccess(string? service, string? operation = null, int? times = null, Func<AwsCallInfo, bool>? when = null, string? message = null) =>
        Add(new AwsFaultRule { Service = service, Operation = operation, Kind = AwsFaultKind.AccessDenied, Times = times, When = when, Message = message });

    /// <summary>Answers matching calls with 200 and a body that does not parse.</summary>
    public AwsFaultRule MalformResponses(string? service, string? operation = null, int? times = null, Func<AwsCallInfo, bool>? when = null) =>
        Add(new AwsFaultRule { Service = service, Operation = operation, Kind = AwsFaultKind.MalformedResponse, Times = times, When = when });

    /// <summary>Resets the connection of matching calls without an answer.</summary>
    public AwsFaultRule DropConnections(string? service, string? operation = null, int? times = null, Func<AwsCallInfo, bool>? when = null) =>
        Add(new AwsFaultRule { Service = service, Operation = operation, Kind = AwsFaultKind.DropConnection, Times = times, When = when });

    /// <summary>Delays matching calls by <paramref name="delay"/> before they are answered normally.</summary>
    public AwsFaultRule Delay(string? service, string? operation, TimeSpan delay, int? times = null, Func<AwsCallInfo, bool>? when = null) =>
        Add(new AwsFaultRule { Service = service, Operation = operation, Kind = AwsFaultKind.Delay, Delay = delay, Times = times, When = when });

    public void Remove(AwsFaultRule rule)
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
        }
    }

    /// <summary>Clears every knob: rules and latency.</summary>
    public void Reset()
    {
        ClearRules();
        Latency = TimeSpan.Zero;
    }

    /// <summary>Delay rules all add up; the first other rule that fires decides the answer.</summary>
    internal FaultDecision Evaluate(AwsCallInfo call)
    {
        lock (_gate)
        {
            var delay = TimeSpan.Zero;
            foreach (var rule in _rules)
            {
                if (rule.Exhausted || !rule.Matches(call) || !rule.CountSeen() || (rule.Rate < 1.0 && _random.NextDouble() >= rule.Rate))
                {
                    continue;
                }

                rule.CountHit();
                if (rule.Kind != AwsFaultKind.Delay)
                {
                    return new FaultDecision(delay, rule);
                }

                delay += rule.Delay;
            }

            return new FaultDecision(delay, null);
        }
    }
}
