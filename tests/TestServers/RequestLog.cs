namespace EksHardening.TestServers;

/// <summary>The bounded, thread-safe log of answered requests that tests count calls with; the oldest go first.</summary>
/// <typeparam name="TRecord">What the server records of one request.</typeparam>
public sealed class RequestLog<TRecord>
{
    private readonly Lock _gate = new();
    private readonly Queue<TRecord> _entries = new();
    private readonly int _capacity;

    public RequestLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public void Add(TRecord request)
    {
        lock (_gate)
        {
            _entries.Enqueue(request);
            while (_entries.Count > _capacity)
            {
                _entries.Dequeue();
            }
        }
    }

    /// <summary>A copy of the log in the order the requests were answered.</summary>
    public IReadOnlyList<TRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}
