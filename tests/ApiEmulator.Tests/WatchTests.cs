namespace EksHardening.ApiEmulator.Tests;

/// <summary>Watch semantics as KubernetesClient sees them: events from a resourceVersion, bookmarks, 410 Expired.</summary>
public class WatchTests : EmulatorTest
{
    protected override void Configure(ApiEmulatorOptions options) => options.WatchHistoryLimit = 50;

    [Fact]
    public async Task Watching_from_a_list_resourceVersion_delivers_added_modified_and_deleted_in_order()
    {
        Emulator.Seed(Objects.Pod("before"));
        var list = await Client.CoreV1.ListNamespacedPodAsync("default");
        await using var watch = WatchPods(resourceVersion: list.Metadata.ResourceVersion);

        var created = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), "default");
        var labelled = await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("web", "default");

        var added = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Added, "web", created.ResourceVersion()), (added.Type, added.Object.Name(), added.Object.ResourceVersion()));
        var modified = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Modified, labelled.ResourceVersion()), (modified.Type, modified.Object.ResourceVersion()));
        var deleted = await watch.NextChangeAsync();
        Assert.Equal(WatchEventType.Deleted, deleted.Type);
        Assert.True(long.Parse(deleted.Object.ResourceVersion()) > long.Parse(labelled.ResourceVersion()));
        Assert.Equal("Pod", deleted.Object.Kind);
    }

    [Fact]
    public async Task Changes_between_the_list_and_the_watch_are_replayed_from_history()
    {
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("missed"), "default");
        await using var watch = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        var replayed = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Added, "missed"), (replayed.Type, replayed.Object.Name()));
    }

    [Fact]
    public async Task Watching_without_a_resourceVersion_first_sends_every_existing_object_as_added()
    {
        Emulator.Seed(Objects.Pod("a"));
        Emulator.Seed(Objects.Pod("b"));
        await using var watch = WatchPods();
        Assert.Equal("a", (await watch.NextChangeAsync()).Object.Name());
        Assert.Equal("b", (await watch.NextChangeAsync()).Object.Name());
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("c"), "default");
        var live = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Added, "c"), (live.Type, live.Object.Name()));
    }

    [Fact]
    public async Task Bookmarks_arrive_when_allowed_and_carry_a_resourceVersion_covering_earlier_events()
    {
        Emulator.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchPods(resourceVersion: start, bookmarks: true);
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("web"), "default");

        Assert.Equal(WatchEventType.Added, (await watch.NextChangeAsync()).Type);
        (WatchEventType Type, V1Pod Object) bookmark;
        do
        {
            bookmark = await watch.NextAsync();
        }
        while (bookmark.Type != WatchEventType.Bookmark);

        Assert.True(long.Parse(bookmark.Object.ResourceVersion()) >= long.Parse(created.ResourceVersion()));
        Assert.Null(bookmark.Object.Spec);
    }

    [Fact]
    public async Task No_bookmarks_are_sent_unless_asked_for()
    {
        Emulator.BookmarkInterval = TimeSpan.FromMilliseconds(20);
        Emulator.Seed(Objects.Pod("a"));
        await using var watch = WatchPods();
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);
        Assert.True(await watch.StaysQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_resourceVersion_older_than_the_history_window_is_410_Expired_through_onError()
    {
        var old = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 60; i++)
        {
            Emulator.Seed(Objects.ConfigMap($"cm-{i}"));
        }

        await using var watch = WatchPods(resourceVersion: old);
        var error = Assert.IsType<KubernetesException>(await watch.ErrorAsync());
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.StartsWith("too old resource version: ", error.Status.Message);
        await watch.WaitEndedAsync();
        Assert.Null(watch.Thrown);
    }

    [Fact]
    public async Task A_resourceVersion_inside_the_window_is_served_even_after_many_other_changes()
    {
        for (var i = 0; i < 30; i++)
        {
            Emulator.Seed(Objects.ConfigMap($"cm-{i}"));
        }

        var recent = (Emulator.ResourceVersion - 5).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: recent, onError: onError, cancellationToken: ct));
        Assert.Equal("cm-25", (await watch.NextChangeAsync()).Object.Name());
    }

    [Fact]
    public async Task Label_selected_watches_see_objects_enter_as_added_and_leave_as_deleted()
    {
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchPods(resourceVersion: start, labelSelector: "app=web");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "p", "default");
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "p", "default");
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"app":null}}}""", V1Patch.PatchType.MergePatch), "p", "default");

        Assert.Equal(WatchEventType.Added, (await watch.NextChangeAsync()).Type);
        Assert.Equal(WatchEventType.Modified, (await watch.NextChangeAsync()).Type);
        var left = await watch.NextChangeAsync();
        Assert.Equal(WatchEventType.Deleted, left.Type);
        Assert.False(left.Object.Labels()?.ContainsKey("app") ?? false);
        Assert.True(await watch.StaysQuietAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Field_selected_and_namespaced_watches_see_only_their_objects()
    {
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchPods(resourceVersion: start, fieldSelector: "metadata.name=wanted");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("other"), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wanted", "kube-system"), "kube-system");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wanted"), "default");
        var only = await watch.NextChangeAsync();
        Assert.Equal(("default", "wanted"), (only.Object.Namespace(), only.Object.Name()));
    }

    [Fact]
    public async Task A_watch_across_all_namespaces_sees_every_namespace()
    {
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListPodForAllNamespacesAsync(resourceVersion: start, onError: onError, cancellationToken: ct));
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("a"), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("b", "kube-system"), "kube-system");
        Assert.Equal("default", (await watch.NextChangeAsync()).Object.Namespace());
        Assert.Equal("kube-system", (await watch.NextChangeAsync()).Object.Namespace());
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream_cleanly()
    {
        Emulator.Seed(Objects.Pod("a"));
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", timeoutSeconds: 1, onError: onError, cancellationToken: ct));
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);
        await watch.WaitEndedAsync(TimeSpan.FromSeconds(5));
        Assert.Null(watch.Thrown);
        await Eventually(() => Emulator.OpenWatches == 0);
    }

    [Fact]
    public async Task Send_initial_events_ends_the_initial_state_with_an_annotated_bookmark()
    {
        Emulator.Seed(Objects.Pod("a"));
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", allowWatchBookmarks: true, sendInitialEvents: true,
                resourceVersionMatch: "NotOlderThan", onError: onError, cancellationToken: ct));
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);
        var bookmark = await watch.NextAsync();
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal("true", bookmark.Object.Annotations()["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Deleting_an_object_with_finalizers_is_seen_as_modified_then_deleted_when_released()
    {
        var pod = Objects.Pod("held");
        pod.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchPods(resourceVersion: start);

        await Client.CoreV1.DeleteNamespacedPodAsync("held", "default");
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", "default");

        var marked = await watch.NextChangeAsync();
        Assert.Equal(WatchEventType.Modified, marked.Type);
        Assert.NotNull(marked.Object.Metadata.DeletionTimestamp);
        var gone = await watch.NextChangeAsync();
        Assert.Equal(WatchEventType.Deleted, gone.Type);
    }

    [Fact]
    public async Task Seeding_directly_reaches_open_watches()
    {
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchPods(resourceVersion: start);
        Emulator.Seed(Objects.Pod("seeded"));
        Emulator.Delete<V1Pod>("default", "seeded");
        Assert.Equal(WatchEventType.Added, (await watch.NextChangeAsync()).Type);
        Assert.Equal(WatchEventType.Deleted, (await watch.NextChangeAsync()).Type);
    }

    [Fact]
    public async Task An_invalid_resourceVersion_is_400_before_the_stream_starts()
    {
        await using var watch = WatchPods(resourceVersion: "abc");
        await watch.WaitEndedAsync();
        var failure = Assert.IsType<k8s.Autorest.HttpOperationException>(watch.Thrown);
        Assert.Equal(HttpStatusCode.BadRequest, failure.Response.StatusCode);
    }

    private WatchRecorder<V1Pod> WatchPods(string? resourceVersion = null, bool bookmarks = false, string? labelSelector = null, string? fieldSelector = null) =>
        WatchRecorder.Start<V1Pod>((onError, ct) => Client.CoreV1.WatchListNamespacedPodAsync(
            "default", allowWatchBookmarks: bookmarks, resourceVersion: resourceVersion, labelSelector: labelSelector,
            fieldSelector: fieldSelector, onError: onError, cancellationToken: ct));
}
