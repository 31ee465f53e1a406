using EksHardening.Operator.Controllers.Evaluation;

namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// The snapshot builder keeps workload views across snapshots, and a pod's view keeps the owner its controller
/// reference resolved to: that link must follow the owner being replaced, recreated under another uid, or deleted.
/// </summary>
public sealed class SnapshotBuilderTests
{
    [Fact]
    public async Task A_pods_owner_follows_its_owner_being_replaced_recreated_under_another_uid_and_deleted()
    {
        await using var cluster = new FakeCluster();
        var snapshots = new SnapshotBuilder(cluster.Informers);
        await cluster.ApplyAsync(Deployment("uid-web-1"), ReplicaSet(ownerUid: "uid-web-1"), Pod());
        await cluster.StartAsync();

        var first = snapshots.Build();
        var pod = first.Workloads.Single(w => w.Kind == "Pod");
        var resolved = first.TopOwnerInScope(pod, AnyKind);
        Assert.Equal("Deployment shop/web", resolved?.ToString());
        Assert.Same(pod, snapshots.Build().Workloads.Single(w => w.Kind == "Pod"));
        Assert.Same(resolved, snapshots.Build().TopOwnerInScope(pod, AnyKind));

        // The Deployment changes (a new view): the pod's chain ends at the new one.
        await cluster.ApplyAsync(Deployment("uid-web-1", replicas: 3));
        await Eventually.True(() => snapshots.Build().Workloads.Any(w => w.Kind == "Deployment" && !ReferenceEquals(w, resolved)), "the new Deployment seen");
        var changed = snapshots.Build();
        Assert.Same(changed.Workloads.Single(w => w.Kind == "Deployment"), changed.TopOwnerInScope(pod, AnyKind));

        // Deleted and created again under another uid: the ReplicaSet's reference names the old uid, so it owns nothing.
        await cluster.DeleteAsync(Deployment("uid-web-1"));
        await cluster.ApplyAsync(Deployment("uid-web-2"));
        await Eventually.True(() => snapshots.Build().Workloads.Any(w => w.Kind == "Deployment" && w.Metadata.Uid == "uid-web-2"), "the recreated Deployment seen");
        Assert.Equal("ReplicaSet shop/web-5d8f", snapshots.Build().TopOwnerInScope(pod, AnyKind)?.ToString());

        // The ReplicaSet deleted: the pod has no owner left.
        await cluster.DeleteAsync(ReplicaSet(ownerUid: "uid-web-1"));
        await Eventually.True(() => snapshots.Build().Workloads.All(w => w.Kind != "ReplicaSet"), "the ReplicaSet gone");
        Assert.Null(snapshots.Build().TopOwnerInScope(pod, AnyKind));
    }

    private static bool AnyKind(string kind) => true;

    private static V1Deployment Deployment(string uid, int replicas = 1) => new()
    {
        ApiVersion = "apps/v1", Kind = "Deployment",
        Metadata = new() { Name = "web", NamespaceProperty = "shop", Uid = uid },
        Spec = new() { Replicas = replicas, Selector = new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }, Template = Template() },
    };

    private static V1ReplicaSet ReplicaSet(string ownerUid) => new()
    {
        ApiVersion = "apps/v1", Kind = "ReplicaSet",
        Metadata = new()
        {
            Name = "web-5d8f", NamespaceProperty = "shop", Uid = "uid-rs",
            OwnerReferences = [new() { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = ownerUid, Controller = true }],
        },
        Spec = new() { Selector = new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }, Template = Template() },
    };

    private static V1Pod Pod() => new()
    {
        ApiVersion = "v1", Kind = "Pod",
        Metadata = new()
        {
            Name = "web-5d8f-abcde", NamespaceProperty = "shop", Uid = "uid-pod", Labels = new Dictionary<string, string> { ["app"] = "web" },
            OwnerReferences = [new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-5d8f", Uid = "uid-rs", Controller = true }],
        },
        Spec = new() { Containers = [new() { Name = "app", Image = "nginx:1.27" }] },
    };

    private static V1PodTemplateSpec Template() => new()
    {
        Metadata = new() { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new() { Containers = [new() { Name = "app", Image = "nginx:1.27" }] },
    };
}
