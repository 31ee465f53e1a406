namespace EksHardening.ApiEmulator.Tests;

/// <summary>Finalizers, deletionTimestamp, preconditions, namespace deletion and ownerReference garbage collection.</summary>
public class DeletionTests : EmulatorTest
{
    [Fact]
    public async Task An_object_with_finalizers_is_marked_for_deletion_and_goes_when_the_last_finalizer_is_removed()
    {
        var cm = Objects.ConfigMap("held");
        cm.Metadata.Finalizers = ["a.example.com/one", "b.example.com/two"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", "default");
        var marked = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default");
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Equal(0, marked.Metadata.DeletionGracePeriodSeconds);

        var again = await Client.CoreV1.DeleteNamespacedConfigMapWithHttpMessagesAsync("held", "default");
        Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
        Assert.Equal(marked.ResourceVersion(), (await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default")).ResourceVersion());

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"remove","path":"/metadata/finalizers/0"}]""", V1Patch.PatchType.JsonPatch), "held", "default");
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default"));
        marked = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default");
        marked.Metadata.Finalizers = [];
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(marked, "held", "default");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default"));
    }

    [Fact]
    public async Task No_new_finalizers_can_be_added_once_deletion_started()
    {
        var cm = Objects.ConfigMap("held");
        cm.Metadata.Finalizers = ["a.example.com/one"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", "default");
        await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"finalizers":["a.example.com/one","b.example.com/late"]}}""", V1Patch.PatchType.MergePatch), "held", "default"));
    }

    [Fact]
    public async Task A_stale_resourceVersion_precondition_on_delete_is_409()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"v2"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = created.ResourceVersion() } };
        await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default", options));
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default"));
    }

    [Fact]
    public async Task Deleting_a_missing_object_is_404()
    {
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.DeleteNamespacedConfigMapAsync("ghost", "default"));
    }

    [Fact]
    public async Task Deleting_an_owner_deletes_its_dependents_down_the_chain()
    {
        var deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("web"), "default");
        var replicaSet = await Client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web-abc", OwnerReferences = [Owner(deployment)] },
            Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector() },
        }, "default");
        var pod = Objects.Pod("web-abc-1");
        pod.Metadata.OwnerReferences = [Owner(replicaSet)];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("unrelated"), "default");

        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default");

        Assert.Empty((await Client.AppsV1.ListNamespacedReplicaSetAsync("default")).Items);
        Assert.Equal(["unrelated"], (await Client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Name()));
    }

    [Fact]
    public async Task A_dependent_with_another_live_owner_survives_and_loses_only_the_dangling_reference()
    {
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("owner-a"), "default");
        var b = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("owner-b"), "default");
        var shared = Objects.ConfigMap("shared");
        shared.Metadata.OwnerReferences = [Owner(a), Owner(b, controller: false)];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(shared, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner-a", "default");
        var survivor = await Client.CoreV1.ReadNamespacedConfigMapAsync("shared", "default");
        Assert.Equal([b.Uid()], survivor.Metadata.OwnerReferences.Select(r => r.Uid));

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner-b", "default");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("shared", "default"));
    }

    [Fact]
    public async Task An_object_created_after_all_its_owners_went_is_collected_and_one_with_a_live_owner_is_not()
    {
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("owner"), "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default");
        var late = Objects.ConfigMap("late");
        late.Metadata.OwnerReferences = [Owner(owner)];
        // The create succeeds; the garbage collector then deletes the object, whose only owner is gone.
        Assert.Equal("late", (await Client.CoreV1.CreateNamespacedConfigMapAsync(late, "default")).Name());
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("late", "default"));

        var live = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("live"), "default");
        var kept = Objects.ConfigMap("kept");
        kept.Metadata.OwnerReferences = [Owner(owner), Owner(live, controller: false)];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(kept, "default");
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("kept", "default"));
    }

    [Fact]
    public async Task Orphan_propagation_keeps_dependents_and_strips_their_owner_reference()
    {
        await CreateOwnerAndChildAsync();

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", propagationPolicy: "Orphan");
        var orphan = await Client.CoreV1.ReadNamespacedConfigMapAsync("child", "default");
        Assert.Null(orphan.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Foreground_propagation_removes_dependents_before_the_owner()
    {
        await CreateOwnerAndChildAsync();
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start, onError: onError, cancellationToken: ct));

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", body: new V1DeleteOptions { PropagationPolicy = "Foreground" });

        Assert.Equal((WatchEventType.Deleted, "child"), Summary(await watch.NextChangeAsync()));
        Assert.Equal((WatchEventType.Deleted, "owner"), Summary(await watch.NextChangeAsync()));
    }

    [Theory]
    [InlineData("Background")]
    [InlineData("Foreground")]
    public async Task An_ownership_cycle_is_collected_with_one_deleted_event_per_object(string propagation)
    {
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a"), "default");
        var b = Objects.ConfigMap("b");
        b.Metadata.OwnerReferences = [Owner(a)];
        b = await Client.CoreV1.CreateNamespacedConfigMapAsync(b, "default");
        a.Metadata.OwnerReferences = [Owner(b)];
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", "default");
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start, onError: onError, cancellationToken: ct));

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", propagationPolicy: propagation);

        var names = new[] { await watch.NextChangeAsync(), await watch.NextChangeAsync() }.Select(Summary).Order().ToList();
        Assert.Equal([(WatchEventType.Deleted, "a"), (WatchEventType.Deleted, "b")], names);
        Assert.True(await watch.StaysQuietAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task A_collected_dependent_with_a_finalizer_waits_with_a_deletionTimestamp()
    {
        await CreateOwnerAndChildAsync(childFinalizer: "example.com/cleanup");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default");
        var waiting = await Client.CoreV1.ReadNamespacedConfigMapAsync("child", "default");
        Assert.NotNull(waiting.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task Garbage_collection_works_across_kinds_and_namespaces_by_uid()
    {
        var ns = await Client.CoreV1.CreateNamespaceAsync(Objects.Namespace("shop"));
        var policy = new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = "default-deny", OwnerReferences = [Owner(ns)] },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"] },
        };
        await Client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(policy, "default");
        await Client.CoreV1.DeleteNamespaceAsync("shop");
        Assert.Empty((await Client.NetworkingV1.ListNamespacedNetworkPolicyAsync("default")).Items);
    }

    [Fact]
    public async Task Deleting_a_namespace_deletes_everything_in_it()
    {
        await Client.CoreV1.CreateNamespaceAsync(Objects.Namespace("team"));
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p", "team"), "team");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("d", "team"), "team");
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("keep"), "default");

        // As on a real server, the body is the namespace itself, although the client types it as a Status.
        var deleted = await Client.CoreV1.DeleteNamespaceAsync("team");
        Assert.Equal("team", deleted.ObjectView<V1Namespace>().Name());

        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespaceAsync("team"));
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("team")).Items);
        Assert.Empty((await Client.AppsV1.ListNamespacedDeploymentAsync("team")).Items);
        Assert.Single((await Client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task A_namespace_held_by_a_finalizer_is_Terminating_and_refuses_new_content()
    {
        var ns = Objects.Namespace("team");
        ns.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespaceAsync(ns);
        await Client.CoreV1.DeleteNamespaceAsync("team");
        Assert.Equal("Terminating", (await Client.CoreV1.ReadNamespaceAsync("team")).Status.Phase);
        await ApiAssert.FailsWith(HttpStatusCode.Forbidden, () => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("late", "team"), "team"));
    }

    /// <summary>ConfigMaps default/owner and default/child, the child owned by the owner as its controller.</summary>
    private async Task CreateOwnerAndChildAsync(string? childFinalizer = null)
    {
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("owner"), "default");
        var child = Objects.ConfigMap("child");
        child.Metadata.OwnerReferences = [Owner(owner)];
        if (childFinalizer is not null) child.Metadata.Finalizers = [childFinalizer];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(child, "default");
    }

    private static V1OwnerReference Owner(IKubernetesObject<V1ObjectMeta> owner, bool controller = true) => new()
    {
        ApiVersion = owner.ApiVersion,
        Kind = owner.Kind,
        Name = owner.Name(),
        Uid = owner.Uid(),
        Controller = controller,
        BlockOwnerDeletion = true,
    };

    private static (WatchEventType, string) Summary((WatchEventType Type, V1ConfigMap Object) e) => (e.Type, e.Object.Name());
}
