namespace EksHardening.ApiEmulator.Watch;

/// <summary>The parameters of one watch request.</summary>
internal sealed record WatchRequest
{
    public string? Namespace { get; init; }

    public LabelSelector Labels { get; init; } = LabelSelector.Everything;

    public FieldSelector Fields { get; init; } = FieldSelector.Everything;

    public string? ResourceVersion { get; init; }

    public bool AllowBookmarks { get; init; }

    public bool SendInitialEvents { get; init; }

    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// Serves a watch as the API server does: HTTP 200 with chunked, newline-delimited JSON events. Starting from a
/// resourceVersion replays the change window; no (or "0") resourceVersion sends the current objects as ADDED
/// first; a resourceVersion older than the window gets one ERROR event carrying a 410 Expired Status, then the
/// stream ends. Selectors apply to the object before and after each change, so objects moving in or out of a
/// selection arrive as ADDED or DELETED.
/// </summary>
internal sealed class WatchStream(ObjectStore store, FaultInjector faults, Func<TimeSpan> bookmarkInterval)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public async Task ServeAsync(HttpContext context, ResourceType type, WatchRequest request, Action started, CancellationToken stopping)
    {
        long? from = null;
        if (!string.IsNullOrEmpty(request.ResourceVersion) && request.ResourceVersion != "0")
        {
            from = long.TryParse(request.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw ApiStatusException.BadRequest($"invalid resource version: {request.ResourceVersion}");
        }

        using var subscription = new WatchSubscription(type.GroupResource, type.Namespaced ? request.Namespace : null);
        ApiStatusException? expired = null;
        lock (store.Gate)
        {
            if (faults.TryConsumeExpiredWatch())
            {
                expired = TooOld(from ?? store.Revision, store.Revision + 1);
            }
            else if (from is { } revision && !request.SendInitialEvents)
            {
                if (store.History.IsExpired(revision))
                {
                    expired = TooOld(revision, store.History.CompactedRevision + 1);
                }
                else
                {
                    foreach (var change in store.History.After(revision, type.GroupResource))
                    {
                        if (subscription.Namespace is null || change.Object.Namespace == subscription.Namespace)
                        {
                            subscription.Offer(new ChangeItem(change));
                        }
                    }
                }
            }
            else
            {
                foreach (var obj in store.Table(type.GroupResource).Scan(subscription.Namespace, null))
                {
                    subscription.Offer(new ChangeItem(new ChangeEvent(ChangeType.Added, type.GroupResource, obj, null), Synthetic: true));
                }

                if (request.SendInitialEvents && request.AllowBookmarks)
                {
                    subscription.Offer(new BookmarkItem(store.Revision, InitialEventsEnd: true));
                }
            }

            if (expired is null)
            {
                store.Hub.Add(subscription);
            }
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        started();
        var output = response.BodyWriter;
        if (expired is not null)
        {
            WriteEvent(output, "ERROR", w => w.Write(JsonSerializer.SerializeToUtf8Bytes(expired.ToStatus())));
            await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, subscription.Dropped, stopping);
        if (request.Timeout is { } timeout)
        {
            ending.CancelAfter(timeout);
        }

        var bookmarks = request.AllowBookmarks ? SendBookmarksAsync(subscription, ending.Token) : Task.CompletedTask;
        try
        {
            var reader = subscription.Items;
            while (await reader.WaitToReadAsync(ending.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    Write(output, item, type, request);
                }

                await output.FlushAsync(ending.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended: timeout, client gone, dropped by a fault, or the emulator stopping.
        }
        finally
        {
            store.Hub.Remove(subscription);
            await ending.CancelAsync().ConfigureAwait(false);
            await bookmarks.ConfigureAwait(false);
        }
    }

    private async Task SendBookmarksAsync(WatchSubscription subscription, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(bookmarkInterval(), token).ConfigureAwait(false);
                lock (store.Gate)
                {
                    // Under the gate, every change up to this revision is already queued ahead of the bookmark.
                    subscription.Offer(new BookmarkItem(store.Revision));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Watch over.
        }
    }

    private static ApiStatusException TooOld(long requested, long oldest) =>
        ApiStatusException.Expired($"too old resource version: {requested} ({oldest})");

    private static void Write(IBufferWriter<byte> output, WatchItem item, ResourceType type, WatchRequest request)
    {
        switch (item)
        {
            case BookmarkItem bookmark:
                WriteEvent(output, "BOOKMARK", w => w.Write(BookmarkObject(type, bookmark)));
                break;
            case ChangeItem { Change: var change }:
            {
                var eventType = Visibility(change, request);
                if (eventType is not null)
                {
                    WriteEvent(output, eventType, w => ObjectRendering.Write(w, change.Object, type));
                }

                break;
            }
        }
    }

    private static string? Visibility(ChangeEvent change, WatchRequest request)
    {
        bool Visible(StoredObject obj) => request.Labels.Matches(obj.Labels) && request.Fields.Matches(obj);
        switch (change.Type)
        {
            case ChangeType.Added:
                return Visible(change.Object) ? "ADDED" : null;
            case ChangeType.Deleted:
                return Visible(change.Object) || (change.Previous is not null && Visible(change.Previous)) ? "DELETED" : null;
            default:
            {
                var now = Visible(change.Object);
                var before = change.Previous is not null && Visible(change.Previous);
                return (before, now) switch
                {
                    (true, true) => "MODIFIED",
                    (false, true) => "ADDED",
                    (true, false) => "DELETED",
                    _ => null,
                };
            }
        }
    }

    private static void WriteEvent(IBufferWriter<byte> output, string type, Action<IBufferWriter<byte>> writeObject)
    {
        output.Write(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":"));
        writeObject(output);
        output.Write("}"u8);
        output.Write(Newline);
    }

    private static byte[] BookmarkObject(ResourceType type, BookmarkItem bookmark)
    {
        var metadata = new JsonObject { ["resourceVersion"] = bookmark.Revision.ToString(CultureInfo.InvariantCulture) };
        if (bookmark.InitialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
        });
    }
}
