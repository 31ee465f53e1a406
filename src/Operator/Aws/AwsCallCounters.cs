using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EksHardening.Operator.Aws;

/// <summary>One count: calls of an operation that ended one way (<c>Success</c> or an <see cref="AwsErrorKind"/>), or <c>Retry</c>.</summary>
public readonly record struct AwsCallKey(string Service, string Operation, string Outcome);

/// <summary>
/// Counts AWS calls by service, operation and outcome, plus retries, for status conditions and metrics. The
/// same counts go to the <c>EksHardening.Aws</c> meter (<c>eks_hardening_aws_calls</c>, <c>eks_hardening_aws_retries</c>).
/// </summary>
public sealed class AwsCallCounters
{
    public const string Success = "Success";
    public const string Retry = "Retry";

    private static readonly Meter Meter = new("EksHardening.Aws");
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("eks_hardening_aws_calls", description: "AWS API calls by service, operation and outcome");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("eks_hardening_aws_retries", description: "AWS API attempts retried");

    private readonly ConcurrentDictionary<AwsCallKey, long> _counts = new();

    public void RecordSuccess(string service, string operation) => Record(new AwsCallKey(service, operation, Success));

    public void RecordFailure(string service, string operation, AwsErrorKind kind) => Record(new AwsCallKey(service, operation, kind.ToString()));

    public void RecordRetry(string service, string operation)
    {
        _counts.AddOrUpdate(new AwsCallKey(service, operation, Retry), 1, (_, n) => n + 1);
        Retries.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("operation", operation));
    }

    public long Count(string service, string operation, string outcome) => _counts.GetValueOrDefault(new AwsCallKey(service, operation, outcome));

    public IReadOnlyDictionary<AwsCallKey, long> Snapshot() => new Dictionary<AwsCallKey, long>(_counts);

    private void Record(AwsCallKey key)
    {
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        Calls.Add(1, new KeyValuePair<string, object?>("service", key.Service), new KeyValuePair<string, object?>("operation", key.Operation),
            new KeyValuePair<string, object?>("outcome", key.Outcome));
    }
}
