namespace EksHardening.ApiEmulator.Tests;

/// <summary>The in-process API tests use to seed and inspect state without HTTP.</summary>
public class DirectApiTests : EmulatorTest
{
    [Fact]
    public async Task Seeded_objects_keep_their_status_and_are_served_over_the_API()
    {
        var pod = Objects.Pod("running");
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "10.0.0.7" };
        var seeded = Emulator.Seed(pod);
        Assert.Equal("Running", seeded.Status.Phase);
        Assert.False(string.IsNullOrEmpty(seeded.Uid()));

        var read = await Client.CoreV1.ReadNamespacedPodAsync("running", "default");
        Assert.Equal(("Running", seeded.ResourceVersion()), (read.Status.Phase, read.ResourceVersion()));
        Assert.Single((await Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "status.phase=Running")).Items);
    }

    [Fact]
    public void Seeding_accepts_json_objects_and_strings_and_defaults_the_namespace()
    {
        Emulator.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "a" } });
        Emulator.Seed("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"b","namespace":"kube-system"},"spec":{"replicas":1}}""");
        Assert.NotNull(Emulator.Get("v1", "ConfigMap", "default", "a"));
        Assert.NotNull(Emulator.Get("apps/v1", "deployments", "kube-system", "b"));
        Assert.Null(Emulator.Get("apps/v1", "Deployment", "default", "b"));
    }

    [Fact]
    public void Seeding_again_replaces_bumps_the_resourceVersion_and_the_generation_on_spec_change()
    {
        var first = Emulator.Seed(Objects.Deployment("web", replicas: 1));
        var same = Emulator.Seed(Objects.Deployment("web", replicas: 1));
        var second = Emulator.Seed(Objects.Deployment("web", replicas: 3));
        Assert.Equal(first.ResourceVersion(), same.ResourceVersion());
        Assert.Equal(first.Uid(), second.Uid());
        Assert.Equal(2, second.Metadata.Generation);
        Assert.Equal(3, Emulator.Get<V1Deployment>("default", "web")!.Spec.Replicas);
    }

    [Fact]
    public void Typed_lists_counts_and_deletes_work_without_HTTP()
    {
        Emulator.SeedMany([Objects.ConfigMap("a", labels: Objects.Labels(("x", "1"))), Objects.ConfigMap("b"), Objects.ConfigMap("c", "kube-system")]);
        Assert.Equal(["a", "b"], Emulator.List<V1ConfigMap>("default").Select(c => c.Name()));
        Assert.Equal(["a"], Emulator.List<V1ConfigMap>(labelSelector: "x=1").Select(c => c.Name()));
        Assert.Equal(3, Emulator.Count("v1", "ConfigMap"));
        Assert.True(Emulator.Delete<V1ConfigMap>("default", "a"));
        Assert.Null(Emulator.Get<V1ConfigMap>("default", "a"));
        Assert.Equal(404, Assert.Throws<ApiStatusException>(() => Emulator.Delete<V1ConfigMap>("default", "a")).Code);
    }

    [Fact]
    public void Direct_deletes_honour_finalizers()
    {
        var cm = Objects.ConfigMap("held");
        cm.Metadata.Finalizers = ["example.com/hold"];
        Emulator.Seed(cm);
        Assert.False(Emulator.Delete<V1ConfigMap>("default", "held"));
        Assert.NotNull(Emulator.Get<V1ConfigMap>("default", "held")!.Metadata.DeletionTimestamp);
    }

    [Fact]
    public void Unknown_kinds_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Emulator.Seed("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"""));
        Assert.Throws<ArgumentException>(() => Emulator.Seed("""{"metadata":{"name":"w"}}"""));
    }

    [Fact]
    public void Cluster_scoped_objects_are_found_without_a_namespace()
    {
        Emulator.Seed(Objects.Namespace("team", Objects.Labels(("env", "prod"))));
        Assert.Equal("prod", Emulator.Get<V1Namespace>("team")!.Labels()["env"]);
    }

    [Fact]
    public async Task Fifty_thousand_objects_seed_list_and_page_correctly()
    {
        for (var i = 0; i < 50_000; i++)
        {
            Emulator.Seed(Objects.Pod($"pod-{i:D5}", $"ns-{i % 10}", Objects.Labels(("app", $"app-{i % 100}"))));
        }

        var page = await Client.CoreV1.ListNamespacedPodAsync("ns-3", limit: 500);
        var total = page.Items.Count;
        while (page.Metadata.ContinueProperty is { } token)
        {
            page = await Client.CoreV1.ListNamespacedPodAsync("ns-3", limit: 500, continueParameter: token);
            total += page.Items.Count;
        }

        var selected = await Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app=app-7");
        var single = await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.name=pod-12345,metadata.namespace=ns-5");
        Assert.Equal(5_000, total);
        Assert.Equal(500, selected.Items.Count);
        Assert.Single(single.Items);
    }
}
