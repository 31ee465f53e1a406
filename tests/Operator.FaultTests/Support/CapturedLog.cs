namespace EksHardening.Operator.FaultTests.Support;

/// <summary>One log line as the operator wrote it: level, category, the formatted message and the exception text.</summary>
internal sealed record LogLine(DateTimeOffset Time, LogLevel Level, string Category, string Message, string? Exception)
{
    public override string ToString() => $"{Time:HH:mm:ss.fff} {Level} {Category}: {Message}{(Exception is null ? "" : " " + Exception)}";
}

/// <summary>A logger provider that keeps every line (scopes included in the text), for assertions over what was logged.</summary>
internal sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            log._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
            var message = formatter(state, exception);
            if (scopes.Count > 0) message = $"[{string.Join(" => ", scopes)}] {message}";
            log._lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, logLevel, category, message, exception?.ToString()));
        }
    }
}
