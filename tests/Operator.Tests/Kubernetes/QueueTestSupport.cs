namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>A random source that replays fixed values, so that jittered delays are known in advance.</summary>
internal sealed class ReplayRandom(params double[] values) : Random
{
    private int _next;

    public override double NextDouble() => values[_next++ % values.Length];
}

/// <summary>An ILogger that keeps every entry with the scope values active when it was written.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly AsyncLocal<Scope?> _current = new();

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IDisposable BeginScope<TState>(TState state) where TState : notnull
    {
        var scope = new Scope(this, state, _current.Value);
        _current.Value = scope;
        return scope;
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var scopeValues = new Dictionary<string, object?>();
        for (var scope = _current.Value; scope is not null; scope = scope.Parent)
        {
            if (scope.State is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (name, value) in pairs)
                {
                    scopeValues.TryAdd(name, value);
                }
            }
        }

        Entries.Enqueue(new Entry(logLevel, formatter(state, exception), exception, scopeValues));
    }

    public sealed record Entry(LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> ScopeValues);

    private sealed class Scope(RecordingLogger owner, object state, Scope? parent) : IDisposable
    {
        public object State { get; } = state;

        public Scope? Parent { get; } = parent;

        public void Dispose() => owner._current.Value = Parent;
    }
}
