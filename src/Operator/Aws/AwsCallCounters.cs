namespace EksHardening.Operator.Aws;

/// <summary>One count: calls of an operation that ended one way (<c>Success</c> or an <see cref="AwsErrorKind"/>), or <c>Retry</c>.</summary>
public readonly record struct AwsCallKey(string Service, string Operation, string Outcome);

/// <summary>
/// Counts AWS calls by service, operation and outcome, plus retries by the error that caused them. With a meter
/// factory the same counts go to the <see cref="MeterName"/> meter (<c>eks_hardening_aws_calls_total</c>,
/// <c>eks_hardening_aws_retries_total</c>), the outcome in snake case.
/// </summary>
public sealed class AwsCallCounters
{
    public const string MeterName = "EksHardening.Aws";
    public const string Success = "Success";
    public const string Retry = "Retry";

    private readonly Counter<long>? _calls;
    private readonly Counter<long>? _retryCounter;

    private readonly ConcurrentDictionary<AwsCallKey, long> _counts = new();
    // Keyed by the error kind that was retried.
    private readonly ConcurrentDictionary<AwsCallKey, long> _retries = new();

    public AwsCallCounters(IMeterFactory? meters = null)
    {
        if (meters is null) return;
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>("eks_hardening_aws_calls_total",
            description: "AWS API calls finished, by service, operation and outcome (success, throttled, access_denied, not_found, timeout, invalid, server_error, error).");
        _retryCounter = meter.CreateCounter<long>("eks_hardening_aws_retries_total",
            description: "AWS API attempts retried, by service, operation and the error retried (throttled, timeout, server_error).");
    }

    /// <summary>The outcome label of an AWS call: <c>success</c>, or the error kind in snake case (<c>access_denied</c>, <c>throttled</c>, …; <c>error</c> when unknown).</summary>
    public static string OutcomeLabel(string outcome) => outcome switch
    {
        Success => "success",
        nameof(AwsErrorKind.Unknown) => "error",
        _ => SnakeCase(outcome),
    };

    public void RecordSuccess(string service, string operation) => Record(new AwsCallKey(service, operation, Success));

    public void RecordFailure(string service, string operation, AwsErrorKind kind) => Record(new AwsCallKey(service, operation, kind.ToString()));

    /// <summary>One more attempt after a retryable failure of <paramref name="kind"/>.</summary>
    public void RecordRetry(string service, string operation, AwsErrorKind kind)
    {
        _retries.AddOrUpdate(new AwsCallKey(service, operation, kind.ToString()), 1, (_, n) => n + 1);
        _retryCounter?.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("reason", OutcomeLabel(kind.ToString())));
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
        _calls?.Add(1, new KeyValuePair<string, object?>("service", key.Service), new KeyValuePair<string, object?>("operation", key.Operation),
            new KeyValuePair<string, object?>("outcome", OutcomeLabel(key.Outcome)));
    }

    private static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }

        return text.ToString();
    }
}
