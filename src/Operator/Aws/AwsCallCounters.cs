using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EksHardening.Operator.Aws;

/// <summary>One count: calls of an operation that ended one way (<c>Success</c> or an <see cref="AwsErrorKind"/>), or <c>Retry</c>.</summary>
public readonly record struct AwsCallKey(string Service, string Operation, string Outcome);

/// <summary>
/// Counts AWS calls by service, operation and outcome, plus retries by the error that caused them, for status
/// conditions and metrics. The same counts go to the <c>EksHardening.Aws</c> meter (<c>eks_hardening_aws_calls</c>,
/// <c>eks_hardening_aws_retries</c>).
/// </summary>
public sealed class AwsCallCounters
{
    public const string Success = "Success";
    public const string Retry = "Retry";

    private static readonly Meter Meter = new("EksHardening.Aws");
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("eks_hardening_aws_calls", description: "AWS API calls by service, operation and outcome");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("eks_hardening_aws_retries", description: "AWS API attempts retried");

    private readonly ConcurrentDictionary<AwsCallKey, long> _counts = new();
    // Keyed by the error kind that was retried.
    private readonly ConcurrentDictionary<AwsCallKey, long> _retries = new();

    public void RecordSuccess(string service, string operation) => Record(new AwsCallKey(service, operation, Success));

    public void RecordFailure(string service, string operation, AwsErrorKind kind) => Record(new AwsCallKey(service, operation, kind.ToString()));

    /// <summary>One more attempt after a retryable failure of <paramref name="kind"/>.</summary>
    public void RecordRetry(string service, string operation, AwsErrorKind kind)
    {
        _retries.AddOrUpdate(new AwsCallKey(service, operation, kind.ToString()), 1, (_, n) => n + 1);
        Retries.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("operation", operation));
    }

    /// <summary>Calls that ended with <paramref name="outcome"/>; with <see cref="Retry"/>, the retries of the operation whatever their cause.</summary>
    public long Count(string service, string operation, string outcome) => outcome == Retry
        ? _retries.Where(r => r.Key.Service == service && r.Key.Operation == operation).Sum(r => r.Value)
        : _counts.GetValueOrDefault(new AwsCallKey(service, operation, outcome));

    /// <summary>Finished calls by outcome.</summary>
    public IReadOnlyDictionary<AwsCallKey, long> Snapshot() => new Dictionary<AwsCallKey, long>(_counts);

    /// <summary>Retries by the error kind that caused them (in <see cref="AwsCallKey.Outcome"/>).</summary>
    public IReadOnlyDictionary<AwsCallKey, long> RetrySnapshot() => new Dictionary<AwsCallKey, long>(_retries);

    private void Record(AwsCallKey key)
    {
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        Calls.Add(1, new KeyValuePair<string, object?>("service", key.Service), new KeyValuePair<string, object?>("operation", key.Operation),
            new KeyValuePair<string, object?>("outcome", key.Outcome));
    }
}
