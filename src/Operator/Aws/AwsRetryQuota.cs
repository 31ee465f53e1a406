namespace EksHardening.Operator.Aws;

/// <summary>The standard mode's token bucket: retries spend tokens, successes put them back.</summary>
internal sealed class AwsRetryQuota(AwsRetryOptions options)
{
    private readonly Lock _lock = new();
    private int _available = options.RetryQuotaCapacity;

    public int Available
    {
        get
        {
            lock (_lock) return _available;
        }
    }

    /// <summary>Takes the cost of one retry; 0 when the quota is exhausted and the retry must not happen.</summary>
    public int TryAcquire(bool timeout)
    {
        var cost = timeout ? options.TimeoutRetryCost : options.RetryCost;
        lock (_lock)
        {
            if (_available < cost) return 0;
            _available -= cost;
            return cost;
        }
    }

    /// <summary>On success: returns what the succeeding retry took, or one token for a first-time success.</summary>
    public void Release(int lastRetryCost)
    {
        lock (_lock) _available = Math.Min(options.RetryQuotaCapacity, _available + (lastRetryCost > 0 ? lastRetryCost : 1));
    }
}
