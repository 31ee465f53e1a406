namespace EksHardening.ApiEmulator.Tests;

/// <summary>The request log tests count API calls with.</summary>
public class RequestLogTests : EmulatorTest
{
    [Fact]
    public async Task Requests_are_recorded_with_verb_resource_subresource_and_status()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        await Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        await Client.CoreV1.ListNamespacedPodAsync("default");
        await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "p", "default");
        await Client.CoreV1.ReplaceNamespacedPodAsync(await Client.CoreV1.ReadNamespacedPodAsync("p", "default"), "p", "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("p", "default");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedPodAsync("p", "default"));

        Assert.Equal(1, Emulator.CountRequests("create", "pods"));
        Assert.Equal(3, Emulator.CountRequests("get", "pods"));
        Assert.Equal(1, Emulator.CountRequests("list", "pods"));
        Assert.Equal(1, Emulator.CountRequests("patch", "pods/status"));
        Assert.Equal(0, Emulator.CountRequests("patch", "pods"));
        Assert.Equal(1, Emulator.CountRequests("update", "pods"));
        Assert.Equal(1, Emulator.CountRequests("delete", "pods"));

        var create = Assert.Single(Emulator.Requests, r => r.Verb == "create");
        Assert.Equal(("POST", "/api/v1/namespaces/default/pods", "default", 201), (create.Method, create.Path, create.Namespace, create.StatusCode));
        var patch = Assert.Single(Emulator.Requests, r => r.Verb == "patch");
        Assert.Equal(("p", "status", 200), (patch.Name, patch.Subresource, patch.StatusCode));
        Assert.Equal(404, Emulator.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task Watches_are_recorded_when_they_open_and_queries_are_kept()
    {
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", allowWatchBookmarks: true, labelSelector: "a=b", onError: onError, cancellationToken: ct));
        await Eventually(() => Emulator.CountRequests("watch", "pods") == 1);
        var request = Assert.Single(Emulator.Requests, r => r.Verb == "watch");
        Assert.Contains("watch=true", request.Query, StringComparison.Ordinal);
        Assert.Contains("labelSelector=a%3Db", request.Query, StringComparison.Ordinal);
        Assert.Equal(200, request.StatusCode);
    }

    [Fact]
    public async Task A_request_is_recorded_with_when_it_arrived_as_well_as_when_it_was_answered()
    {
        Emulator.Faults.Latency = TimeSpan.FromMilliseconds(200);
        try
        {
            await Client.CoreV1.ListNamespaceAsync();
        }
        finally
        {
            Emulator.Faults.Latency = TimeSpan.Zero;
        }

        var list = Assert.Single(Emulator.Requests, r => r.Verb == "list");
        Assert.True(list.Time - list.Received >= TimeSpan.FromMilliseconds(150), $"answered {list.Time:O}, arrived {list.Received:O}");
    }

    [Fact]
    public async Task Clearing_the_log_starts_counting_afresh()
    {
        await Client.CoreV1.ListNamespaceAsync();
        Emulator.ClearRequests();
        Assert.Empty(Emulator.Requests);
        await Client.CoreV1.ListNamespaceAsync();
        Assert.Equal(1, Emulator.CountRequests("list", "namespaces"));
    }

    [Fact]
    public async Task Seeding_directly_is_not_an_API_request()
    {
        Emulator.Seed(Objects.Pod("p"));
        Assert.NotNull(Emulator.Get<V1Pod>("default", "p"));
        Assert.Empty(Emulator.Requests);
        await Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        Assert.Single(Emulator.Requests);
    }

    [Fact]
    public async Task Custom_resource_requests_are_counted_by_their_plural()
    {
        Emulator.RegisterCustomResource(new Resources.CustomResourceType { Group = "example.com", Kind = "Widget", Plural = "widgets" });
        await Client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets");
        var request = Assert.Single(Emulator.Requests);
        Assert.Equal(("list", "example.com", "v1", "widgets"), (request.Verb, request.Group, request.Version, request.Resource));
    }

    [Fact]
    public async Task The_bearer_token_is_recorded_as_the_user()
    {
        using var replica = new Kubernetes(new KubernetesClientConfiguration { Host = Emulator.BaseUrl, AccessToken = "replica-a" });
        await replica.CoreV1.ListNamespaceAsync();
        await Client.CoreV1.ListNamespaceAsync();
        Assert.Equal(["replica-a", null], Emulator.Requests.Select(r => r.User));
    }
}
