namespace EksHardening.Operator.Aws;

/// <summary>
/// A time-bounded cache of AWS lookups: concurrent requests for one key share one call (coalescing); a value
/// lives for the caller's TTL, a failure for a short error TTL so that a recovered service is noticed soon.
/// The cached object itself is returned each time, so callers can tell "unchanged" by reference.
/// </summary>
public sealed class FactCache<TKey, TValue>(TimeProvider clock, TimeSpan errorTtl) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private long _hits;
    private long _misses;
    private long _lookups;

    /// <summary>Expired entries are swept every this many lookups, so keys never asked for again do not pile up.</summary>
    private const int SweepEvery = 1024;

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);
    public int Count => _entries.Count;

    public Task<TValue> GetAsync(TKey key, TimeSpan ttl, Func<TKey, Task<TValue>> fetch)
    {
        var now = clock.GetUtcNow();
        if (Interlocked.Increment(ref _lookups) % SweepEvery == 0) Sweep(now);
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing) && !existing.IsExpired(now))
            {
                Interlocked.Increment(ref _hits);
                return existing.Value;
            }

            var created = new Entry(now, ttl, errorTtl, () => fetch(key));
            var stored = existing is null ? _entries.GetOrAdd(key, created) : (_entries.TryUpdate(key, created, existing) ? created : null);
            if (stored is null) continue;   // lost a race with another refresh: take theirs
            if (ReferenceEquals(stored, created)) Interlocked.Increment(ref _misses);
            else Interlocked.Increment(ref _hits);
            return stored.Value;
        }
    }

    /// <summary>Removes every entry whose value (or failure) has outlived its TTL.</summary>
    public void Sweep() => Sweep(clock.GetUtcNow());

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.IsExpired(now)) _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
        }
    }

    /// <summary>Stores a value learned in bulk (e.g. one DescribeImages for many tags).</summary>
    public void Set(TKey key, TValue value, TimeSpan ttl) => _entries[key] = new Entry(clock.GetUtcNow(), ttl, errorTtl, () => Task.FromResult(value));

    public bool TryPeek(TKey key, out TValue? value)
    {
        value = default;
        if (!_entries.TryGetValue(key, out var entry) || entry.IsExpired(clock.GetUtcNow()) || !entry.Value.IsCompletedSuccessfully) return false;
        value = entry.Value.Result;
        return true;
    }

    private sealed class Entry
    {
        private readonly DateTimeOffset _created;
        private readonly TimeSpan _ttl;
        private readonly TimeSpan _errorTtl;
        private readonly Lazy<Task<TValue>> _value;

        public Entry(DateTimeOffset created, TimeSpan ttl, TimeSpan errorTtl, Func<Task<TValue>> fetch)
        {
            _created = created;
            _ttl = ttl;
            _errorTtl = errorTtl;
            _value = new Lazy<Task<TValue>>(fetch, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public Task<TValue> Value => _value.Value;

        public bool IsExpired(DateTimeOffset now)
        {
            if (!_value.IsValueCreated) return false;
            var task = _value.Value;
            if (!task.IsCompleted) return false;
            // A fetch cancelled with its first caller says nothing about AWS: the next caller fetches anew.
            if (task.IsCanceled) return true;
            return now - _created >= (task.IsCompletedSuccessfully ? _ttl : _errorTtl);
        }
    }
}
