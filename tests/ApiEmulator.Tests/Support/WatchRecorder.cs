namespace EksHardening.ApiEmulator.Tests.Support;

/// <summary>Starts watch recorders.</summary>
public static class WatchRecorder
{
    public static WatchRecorder<T> Start<T>(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open) => new(open);
}

/// <summary>Runs a KubernetesClient watch enumeration in the background and lets a test await its events and errors.</summary>
public sealed class WatchRecorder<T> : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);
    private readonly Channel<(WatchEventType Type, T Object)> _events = Channel.CreateUnbounded<(WatchEventType, T)>();
    private readonly Channel<Exception> _errors = Channel.CreateUnbounded<Exception>();
    private readonly CancellationTokenSource _cancel = new();

    internal WatchRecorder(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open)
    {
        Completion = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in open(e => _errors.Writer.TryWrite(e), _cancel.Token))
                {
                    _events.Writer.TryWrite(item);
                }
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Thrown = e;
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>Ends when the server closes the stream (or the watch throws).</summary>
    public Task Completion { get; }

    /// <summary>An exception the enumeration threw (rather than passed to onError).</summary>
    public Exception? Thrown { get; private set; }

    public async Task<(WatchEventType Type, T Object)> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no watch event arrived in time");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the watch ended before the next event (thrown: {Thrown?.GetType().Name}: {Thrown?.Message})");
        }
    }

    /// <summary>The next event that is not a bookmark.</summary>
    public async Task<(WatchEventType Type, T Object)> NextChangeAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var next = await NextAsync(timeout);
            if (next.Type != WatchEventType.Bookmark)
            {
                return next;
            }
        }
    }

    public async Task<Exception> ErrorAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        return await _errors.Reader.ReadAsync(cts.Token);
    }

    public async Task WaitEndedAsync(TimeSpan? timeout = null) =>
        await Completion.WaitAsync(timeout ?? DefaultWait);

    /// <summary>Whether no further event arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            await _events.Reader.WaitToReadAsync(cts.Token);
            return !_events.Reader.TryPeek(out _);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _cancel.Dispose();
    }
}
