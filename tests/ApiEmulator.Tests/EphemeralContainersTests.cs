namespace EksHardening.ApiEmulator.Tests;

/// <summary>The pods/ephemeralcontainers subresource, as <c>kubectl debug</c> uses it.</summary>
public class EphemeralContainersTests : EmulatorTest
{
    private const string Debugger = """
        {"spec": {"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app",
          "securityContext": {"privileged": true}}]}}
        """;

    /// <summary>The debugger, plus changes outside spec.ephemeralContainers that the subresource must not apply.</summary>
    private const string DebuggerAndMore = """
        {"metadata": {"labels": {"sneaky": "yes"}},
         "spec": {"containers": [{"name": "app", "image": "evil:1"}],
                  "ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "app",
                    "securityContext": {"privileged": true}}]}}
        """;

    [Fact]
    public async Task A_strategic_patch_adds_an_ephemeral_container_and_changes_nothing_else()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        var patched = await Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(
            new V1Patch(DebuggerAndMore, V1Patch.PatchType.StrategicMergePatch), "p", "default");

        var debugger = Assert.Single(patched.Spec.EphemeralContainers);
        Assert.Equal(("debugger", true), (debugger.Name, debugger.SecurityContext.Privileged));
        Assert.Equal("nginx:1.25", Assert.Single(patched.Spec.Containers).Image);
        Assert.Null(patched.Metadata.Labels);
        Assert.Single((await Client.CoreV1.ReadNamespacedPodAsync("p", "default")).Spec.EphemeralContainers);
        Assert.Equal(1, Emulator.CountRequests("patch", "pods/ephemeralcontainers"));
    }

    [Fact]
    public async Task An_existing_ephemeral_container_cannot_be_removed()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        var pod = await Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(new V1Patch(Debugger, V1Patch.PatchType.StrategicMergePatch), "p", "default");

        pod.Spec.EphemeralContainers = [];
        var status = await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.CoreV1.ReplaceNamespacedPodEphemeralcontainersAsync(pod, "p", "default"));
        Assert.Contains("may not be removed or changed", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_subresource_reads_the_pod_and_cannot_be_deleted_or_found_on_other_kinds()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        Assert.Equal("p", (await Client.CoreV1.ReadNamespacedPodEphemeralcontainersAsync("p", "default")).Metadata.Name);
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedPodEphemeralcontainersAsync("p", "kube-system"));

        using var http = new HttpClient();
        var delete = await http.DeleteAsync(new Uri(Emulator.BaseUrl + "/api/v1/namespaces/default/pods/p/ephemeralcontainers"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        var onDeployment = await http.GetAsync(new Uri(Emulator.BaseUrl + "/apis/apps/v1/namespaces/default/deployments/web/ephemeralcontainers"));
        Assert.Equal(HttpStatusCode.NotFound, onDeployment.StatusCode);
    }
}
