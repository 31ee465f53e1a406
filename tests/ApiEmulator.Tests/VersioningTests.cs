namespace EksHardening.ApiEmulator.Tests;

/// <summary>resourceVersion (optimistic concurrency) and metadata.generation, per the API conventions.</summary>
public class VersioningTests : EmulatorTest
{
    [Fact]
    public async Task Replacing_with_a_stale_resourceVersion_is_409_Conflict()
    {
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var fresh = await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        fresh.Data["key"] = "v2";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(fresh, "cm", "default");

        first.Data["key"] = "v3";
        var status = await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "cm", "default"));
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("v2", (await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default")).Data["key"]);
    }

    [Fact]
    public async Task A_built_in_replace_without_resourceVersion_is_unconditional()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var blind = Objects.ConfigMap("cm");
        blind.Data["key"] = "blind";
        var replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(blind, "cm", "default");
        Assert.Equal("blind", replaced.Data["key"]);
    }

    [Fact]
    public async Task A_merge_patch_carrying_a_stale_resourceVersion_is_409_Conflict()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"v2"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        var stale = $$$"""{"metadata":{"resourceVersion":"{{{created.ResourceVersion()}}}"},"data":{"key":"v3"}}""";
        await ApiAssert.FailsWith(HttpStatusCode.Conflict,
            () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(stale, V1Patch.PatchType.MergePatch), "cm", "default"));
    }

    [Fact]
    public async Task ResourceVersions_increase_across_all_resources_and_lists_report_the_newest()
    {
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a"), "default");
        var b = await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("b"), "default");
        var c = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("c"), "default");
        var versions = new[] { a, (IKubernetesObject<V1ObjectMeta>)b, c }.Select(o => long.Parse(o.ResourceVersion())).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());

        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        Assert.Equal(c.ResourceVersion(), list.Metadata.ResourceVersion);
        Assert.Equal(Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Generation_starts_at_1_and_moves_only_when_the_spec_changes()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("web"), "default");
        Assert.Equal(1, created.Metadata.Generation);

        var labelled = await Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"metadata":{"labels":{"team":"a"},"annotations":{"note":"x"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.NotEqual(created.ResourceVersion(), labelled.ResourceVersion());

        var scaled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(2, scaled.Metadata.Generation);

        var status = await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"status":{"observedGeneration":2,"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(2, status.Metadata.Generation);
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resourceVersion_and_emits_no_event()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var revision = Emulator.ResourceVersion;
        var same = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"key":"value"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        var replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default");
        Assert.Equal(created.ResourceVersion(), same.ResourceVersion());
        Assert.Equal(created.ResourceVersion(), replaced.ResourceVersion());
        Assert.Equal(revision, Emulator.ResourceVersion);
    }

    [Fact]
    public async Task Server_owned_metadata_cannot_be_changed_by_a_replace()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var changed = await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        changed.Metadata.CreationTimestamp = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        changed.Data["key"] = "other";
        var replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(changed, "cm", "default");
        Assert.Equal(created.Metadata.CreationTimestamp, replaced.Metadata.CreationTimestamp);
        Assert.Equal(created.Uid(), replaced.Uid());
    }

    [Fact]
    public async Task A_replace_naming_another_uid_is_a_409_precondition_failure()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var impostor = Objects.ConfigMap("cm");
        impostor.Metadata.Uid = Guid.NewGuid().ToString();
        var status = await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.ReplaceNamespacedConfigMapAsync(impostor, "cm", "default"));
        Assert.Contains("Precondition failed: UID in precondition", status.Message);
    }

    [Fact]
    public async Task A_replace_whose_body_names_another_object_is_400_BadRequest()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        await ApiAssert.FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.ReplaceNamespacedConfigMapAsync(Objects.ConfigMap("other"), "cm", "default"));
    }
}
