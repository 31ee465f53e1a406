namespace EksHardening.ApiEmulator.Tests;

/// <summary>Merge patch, JSON patch and (simple) strategic merge patch.</summary>
public class PatchTests : EmulatorTest
{
    [Fact]
    public async Task Merge_patch_merges_objects_replaces_lists_and_null_removes()
    {
        var cm = Objects.ConfigMap("cm", labels: Objects.Labels(("a", "1"), ("b", "2")));
        cm.Data = new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"labels":{"b":null,"c":"3"}},"data":{"y":"changed"}}""", V1Patch.PatchType.MergePatch), "cm", "default");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, patched.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "1", ["y"] = "changed" }, patched.Data);
    }

    [Fact]
    public async Task Json_patch_applies_add_replace_remove_and_test_in_order()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var patch = """
            [
              {"op":"test","path":"/data/key","value":"value"},
              {"op":"add","path":"/metadata/labels","value":{"a/b":"x"}},
              {"op":"replace","path":"/data/key","value":"new"},
              {"op":"add","path":"/data/other","value":"o"},
              {"op":"copy","from":"/data/other","path":"/data/copy"},
              {"op":"remove","path":"/data/other"}
            ]
            """;
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "cm", "default");
        Assert.Equal("x", patched.Metadata.Labels["a/b"]);
        Assert.Equal(new Dictionary<string, string> { ["key"] = "new", ["copy"] = "o" }, patched.Data);
    }

    [Fact]
    public async Task A_failing_json_patch_test_is_422_and_changes_nothing()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        var patch = """[{"op":"replace","path":"/data/key","value":"new"},{"op":"test","path":"/data/key","value":"nope"}]""";
        await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "cm", "default"));
        var read = await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        Assert.Equal("value", read.Data["key"]);
        Assert.Equal(created.ResourceVersion(), read.ResourceVersion());
    }

    [Fact]
    public async Task Json_patch_on_finalizers_works_with_array_indexes_and_append()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"add","path":"/metadata/finalizers","value":["a"]}]""", V1Patch.PatchType.JsonPatch), "cm", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"add","path":"/metadata/finalizers/-","value":"b"}]""", V1Patch.PatchType.JsonPatch), "cm", "default");
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"remove","path":"/metadata/finalizers/0"}]""", V1Patch.PatchType.JsonPatch), "cm", "default");
        Assert.Equal(["b"], patched.Metadata.Finalizers);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_by_name()
    {
        var pod = Objects.Pod("p");
        pod.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "envoy:1" });
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        var patched = await Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"spec":{"containers":[{"name":"sidecar","image":"envoy:2"}]}}""", V1Patch.PatchType.StrategicMergePatch), "p", "default");
        Assert.Equal(["app=nginx:1.25", "sidecar=envoy:2"], patched.Spec.Containers.Select(c => $"{c.Name}={c.Image}"));
    }

    [Fact]
    public async Task Strategic_merge_patch_adds_finalizers_as_a_set()
    {
        var cm = Objects.ConfigMap("cm");
        cm.Metadata.Finalizers = ["one"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"finalizers":["two","one"]}}""", V1Patch.PatchType.StrategicMergePatch), "cm", "default");
        Assert.Equal(["one", "two"], patched.Metadata.Finalizers);
    }

    [Fact]
    public async Task Patching_a_missing_object_is_404()
    {
        await ApiAssert.FailsWith(HttpStatusCode.NotFound,
            () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "ghost", "default"));
    }

    [Fact]
    public async Task Apply_patch_needs_a_field_manager_and_creates_when_missing()
    {
        const string body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":"default"},"data":{"k":"v"}}""";
        await ApiAssert.FailsWith((HttpStatusCode)422,
            () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), "applied", "default"));
        var created = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), "applied", "default", fieldManager: "tests");
        Assert.Equal("v", created.Data["k"]);
        var updated = await Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(body.Replace("\"v\"", "\"w\"", StringComparison.Ordinal), V1Patch.PatchType.ApplyPatch), "applied", "default", fieldManager: "tests");
        Assert.Equal("w", updated.Data["k"]);
        Assert.Equal(created.Uid(), updated.Uid());
    }
}
