namespace EksHardening.ApiEmulator.Tests;

/// <summary>The status subresource: status is written only through it, and it writes only status.</summary>
public class StatusSubresourceTests : EmulatorTest
{
    [Fact]
    public async Task Status_sent_on_create_is_dropped_for_a_resource_with_a_status_subresource()
    {
        var deployment = Objects.Deployment("web");
        deployment.Status = new V1DeploymentStatus { Replicas = 5, ReadyReplicas = 5 };
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");
        Assert.Null(created.Status?.Replicas);
    }

    [Fact]
    public async Task A_main_resource_write_ignores_status_changes()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("web"), "default");
        await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "web", "default");

        var patched = await Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"replicas":2},"status":{"replicas":9}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(2, patched.Spec.Replicas);
        Assert.Equal(1, patched.Status.Replicas);

        patched.Status.Replicas = 7;
        var replaced = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(patched, "web", "default");
        Assert.Equal(1, replaced.Status.Replicas);
    }

    [Fact]
    public async Task A_status_write_ignores_everything_but_status()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("web"), "default");
        created.Spec.Replicas = 4;
        created.Metadata.Labels = new Dictionary<string, string> { ["sneaky"] = "yes" };
        created.Status = new V1DeploymentStatus { Replicas = 1, ObservedGeneration = 1 };
        var updated = await Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(created, "web", "default");
        Assert.Equal(1, updated.Spec.Replicas);
        Assert.Null(updated.Metadata.Labels);
        Assert.Equal(1, updated.Status.Replicas);
        Assert.Equal(1, updated.Metadata.Generation);

        var read = await Client.AppsV1.ReadNamespacedDeploymentStatusAsync("web", "default");
        Assert.Equal(1, read.Status.ObservedGeneration);
    }

    [Fact]
    public async Task A_pod_is_created_Pending_and_its_phase_moves_only_through_status()
    {
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        Assert.Equal("Pending", pod.Status.Phase);
        var running = await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch("""{"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "p", "default");
        Assert.Equal("Running", running.Status.Phase);
    }

    [Fact]
    public async Task Resources_without_a_status_subresource_have_no_status_endpoint()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm"), "default");
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri($"{Emulator.BaseUrl}/api/v1/namespaces/default/configmaps/cm/status"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
