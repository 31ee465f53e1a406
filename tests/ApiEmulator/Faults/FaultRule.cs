namespace EksHardening.ApiEmulator.Faults;

/// <summary>
/// Makes matching requests fail with an API error. Null filters match anything; <see cref="Rate"/> is the chance
/// per matching request; <see cref="Times"/> caps how often the rule fires (null: without end).
/// </summary>
public sealed class FaultRule
{
    private int _hits;

    /// <summary>Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</summary>
    public string? Verb { get; init; }

    /// <summary>Resource plural, optionally with a subresource: <c>pods</c> (main resource only) or <c>pods/status</c>.</summary>
    public string? Resource { get; init; }

    public string? Namespace { get; init; }

    public int StatusCode { get; init; } = 500;

    public double Rate { get; init; } = 1.0;

    public int? Times { get; init; }

    /// <summary>Seconds sent in <c>Retry-After</c> (and in the Status details) with 429, 503 and 504 errors.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    public string? Message { get; init; }

    /// <summary>How many requests this rule has failed so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    internal bool Exhausted => Times is { } times && Hits >= times;

    internal void CountHit() => Interlocked.Increment(ref _hits);
}

/// <summary>An action run just before matching requests are handled; see <see cref="FaultInjector.BeforeRequests"/>.</summary>
public sealed class RequestHook
{
    private int _hits;

    internal RequestHook(string? verb, string? resource, Action action, int? times)
    {
        Verb = verb;
        Resource = resource;
        Action = action;
        Times = times;
    }

    /// <summary>Kubernetes verb, or null for any.</summary>
    public string? Verb { get; }

    /// <summary>Resource plural, optionally with a subresource (<c>pods/status</c>), or null for any.</summary>
    public string? Resource { get; }

    public int? Times { get; }

    /// <summary>How many requests this hook has run before so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    internal Action Action { get; }

    /// <summary>Counts a hit when the request matches and the hook is not used up; called under the injector's lock.</summary>
    internal bool TryClaim(Http.RequestInfo request)
    {
        if ((Times is { } times && _hits >= times)
            || (Verb is not null && !string.Equals(Verb, request.Verb, StringComparison.OrdinalIgnoreCase))
            || (Resource is not null && Resource != request.ResourceWithSubresource))
        {
            return false;
        }

        _hits++;
        return true;
    }
}

/// <summary>How the server behaves while it is down.</summary>
public enum DowntimeMode
{
    /// <summary>Every request gets 503 ServiceUnavailable with a Status body.</summary>
    ServiceUnavailable,

    /// <summary>Every connection is reset without a response, as a server that is not there.</summary>
    ConnectionReset,
}
