namespace EksHardening.ApiEmulator.Watch;

/// <summary>Something a watch stream has to send.</summary>
internal abstract record WatchItem;

/// <summary>A stored change, or (when <see cref="Synthetic"/>) an object sent as ADDED when the watch opens.</summary>
internal sealed record ChangeItem(ChangeEvent Change, bool Synthetic = false) : WatchItem;

/// <summary>A BOOKMARK at a revision up to which every change has been sent.</summary>
internal sealed record BookmarkItem(long Revision, bool InitialEventsEnd = false) : WatchItem;

/// <summary>One open watch: the queue of items to send, in revision order, and a switch to end it from outside.</summary>
internal sealed class WatchSubscription(GroupResource resource, string? ns) : IDisposable
{
    private readonly Channel<WatchItem> _items = Channel.CreateUnbounded<WatchItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly CancellationTokenSource _dropped = new();

    public GroupResource Resource { get; } = resource;

    /// <summary>The namespace watched, or null for all namespaces / cluster-scoped resources.</summary>
    public string? Namespace { get; } = string.IsNullOrEmpty(ns) ? null : ns;

    public ChannelReader<WatchItem> Items => _items.Reader;

    public CancellationToken Dropped => _dropped.Token;

    public void Offer(WatchItem item) => _items.Writer.TryWrite(item);

    public void Drop()
    {
        try
        {
            _dropped.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already closed by its own stream.
        }
    }

    public void Dispose() => _dropped.Dispose();
}
