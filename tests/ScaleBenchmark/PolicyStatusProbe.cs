namespace EksHardening.ScaleBenchmark;

/// <summary>The counts of a policy's status that the benchmark checks.</summary>
internal readonly record struct StatusCounts(int Resources, int Compliant, int Violating, int Exempt, int Errors, int TotalViolations)
{
    public static StatusCounts? Of(ResponsibilityPolicyStatus? status) => status?.Summary is { } s
        ? new StatusCounts(s.Resources, s.Compliant, s.Violating, s.Exempt, s.Errors, status.TotalViolations ?? 0)
        : null;

    public static StatusCounts? Of(JsonObject? policy)
    {
        if (policy?["status"]?["summary"] is not JsonObject summary) return null;
        static int Int(JsonNode? node) => node is null ? 0 : int.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        return new StatusCounts(Int(summary["resources"]), Int(summary["compliant"]), Int(summary["violating"]), Int(summary["exempt"]),
            Int(summary["errors"]), Int(policy["status"]?["totalViolations"]));
    }

    public override string ToString() =>
        $"resources={Resources} compliant={Compliant} violating={Violating} exempt={Exempt} errors={Errors} totalViolations={TotalViolations}";
}

/// <summary>
/// Follows the policies' status in the emulator's store directly (no HTTP, so nothing in the request log), every
/// few milliseconds, and records each change with the time it was seen: the clock that cold start and change
/// latency are read from.
/// </summary>
internal sealed class PolicyStatusProbe : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    private readonly ApiServerEmulator _emulator;
    private readonly Dictionary<string, List<(long At, StatusCounts Counts)>> _seen;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PolicyStatusProbe(ApiServerEmulator emulator, IEnumerable<string> policies)
    {
        _emulator = emulator;
        _seen = policies.ToDictionary(p => p, _ => new List<(long, StatusCounts)>(), StringComparer.Ordinal);
        _loop = Task.Factory.StartNew(Follow, TaskCreationOptions.LongRunning);
    }

    /// <summary>The latest counts seen for a policy, or null when it has no status yet.</summary>
    public StatusCounts? Latest(string policy)
    {
        lock (_seen) return _seen[policy] is { Count: > 0 } list ? list[^1].Counts : null;
    }

    /// <summary>When (Stopwatch timestamp) the policy's violating count was first seen at or above <paramref name="violating"/> at or after <paramref name="since"/>.</summary>
    public long? FirstReaching(string policy, int violating, long since)
    {
        lock (_seen)
        {
            var list = _seen[policy];
            // The count may already have been reached before `since` (several updates shown by one write).
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i].Counts.Violating >= violating) return Math.Max(list[i].At, since);
            }

            return null;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the latest counts of every policy; returns when it was first seen.</summary>
    public async Task<long> WaitUntilAsync(Func<string, StatusCounts?, bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long at;
            bool all;
            lock (_seen)
            {
                at = _seen.Values.Max(l => l.Count > 0 ? l[^1].At : 0);
                all = _seen.All(p => condition(p.Key, p.Value.Count > 0 ? p.Value[^1].Counts : null));
            }

            if (all) return at;
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {describe()}");
            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Follow()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var (policy, list) in _seen)
            {
                var counts = StatusCounts.Of(_emulator.Get(ResponsibilityPolicy.ApiVersionName, ResponsibilityPolicy.KindName, null, policy));
                var now = Stopwatch.GetTimestamp();
                if (counts is null) continue;
                lock (_seen)
                {
                    if (list.Count == 0 || list[^1].Counts != counts.Value) list.Add((now, counts.Value));
                }
            }

            Thread.Sleep(Interval);
        }
    }
}
