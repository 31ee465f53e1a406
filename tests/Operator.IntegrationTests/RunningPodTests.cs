namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// Running pods judged on their own spec, through the real wire protocol: a pod that gains a privileged ephemeral
/// container (<c>kubectl debug</c>) or was injected with a NET_ADMIN init container shows up on its owner's status
/// naming the pod; a pod claiming an owner whose uid is not its owner's is reported on its own.
/// </summary>
public sealed class RunningPodTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private OperatorTestbed _bed = null!;

    private const string Policy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: pods}
        spec:
          mode: Audit
          podSecurity: {level: baseline}
        """;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        await _bed.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        await _bed.CreatePolicyAsync(Policy);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static V1PodSpec Compliant() => new() { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] };

    private static V1OwnerReference Owner(string apiVersion, string kind, V1ObjectMeta owner) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = owner.Name, Uid = owner.Uid, Controller = true };

    /// <summary>A compliant Deployment with its ReplicaSet and one pod, created through the API (so every object has a server-assigned uid).</summary>
    private async Task<V1Pod> DeploymentWithPodAsync(string name, V1PodSpec podSpec)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var deployment = await _bed.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchLabels = labels }, Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Compliant() } },
        }, Ns);
        var replicaSet = await _bed.Client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-7d9f", OwnerReferences = [Owner("apps/v1", "Deployment", deployment.Metadata)] },
            Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector { MatchLabels = labels }, Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Compliant() } },
        }, Ns);
        return await _bed.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-7d9f-abc", Labels = labels, OwnerReferences = [Owner("apps/v1", "ReplicaSet", replicaSet.Metadata)] },
            Spec = podSpec,
        }, Ns);
    }

    private List<ViolationRecord> Violations() => _bed.Policy("pods")?.Status?.Violations ?? [];

    [Fact]
    public async Task A_privileged_ephemeral_container_added_to_a_deployments_pod_fails_the_deployment_naming_the_pod()
    {
        await DeploymentWithPodAsync("web", Compliant());
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("pods");
        Assert.Equal((1, 0), (_bed.Policy("pods")!.Status.Summary!.Resources, _bed.Policy("pods")!.Status.Summary!.Violating));

        // kubectl debug: a PATCH of the pods/ephemeralcontainers subresource.
        await _bed.Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(new V1Patch("""
            {"spec": {"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "web", "securityContext": {"privileged": true}}]}}
            """, V1Patch.PatchType.StrategicMergePatch), "web-7d9f-abc", Ns);
        await _bed.ConvergedAsync("pods");

        var status = _bed.Policy("pods")!.Status;
        Assert.Equal((1, 1), (status.Summary!.Resources, status.Summary.Violating));
        var violation = Assert.Single(Violations());
        Assert.Equal(("Deployment", Ns, "web", "pss.privileged"), (violation.Kind, violation.Namespace, violation.Name, violation.Rule));
        Assert.Equal("pod web-7d9f-abc: ephemeral container debugger: securityContext.privileged is true", violation.Message);
    }

    [Fact]
    public async Task A_NET_ADMIN_init_container_injected_into_a_pod_fails_its_deployment_naming_the_pod()
    {
        var injected = Compliant();
        injected.InitContainers = [new V1Container
        {
            Name = "istio-init",
            Image = "istio/proxyv2:1.24.0",
            SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Add = ["NET_ADMIN"] } },
        }];
        await DeploymentWithPodAsync("mesh", injected);
        await DeploymentWithPodAsync("web", Compliant());
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("pods");

        var violation = Assert.Single(Violations());
        Assert.Equal(("Deployment", "mesh", "pss.capabilities"), (violation.Kind, violation.Name, violation.Rule));
        Assert.Equal("pod mesh-7d9f-abc: init container istio-init: securityContext.capabilities.add includes NET_ADMIN, which is outside the default set", violation.Message);
        Assert.Equal((2, 1), (_bed.Policy("pods")!.Status.Summary!.Resources, _bed.Policy("pods")!.Status.Summary!.Violating));
    }

    [Fact]
    public async Task A_pod_claiming_a_compliant_deployment_with_another_uid_is_reported_on_its_own()
    {
        await DeploymentWithPodAsync("web", Compliant());
        var web = await _bed.Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
        await _bed.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "miner",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = Guid.NewGuid().ToString(), Controller = true }],
            },
            Spec = new V1PodSpec { HostPID = true, Containers = [new V1Container { Name = "miner", Image = "xmrig/xmrig:6", SecurityContext = new V1SecurityContext { Privileged = true } }] },
        }, Ns);
        Assert.NotNull(web.Metadata.Uid);

        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("pods");

        var status = _bed.Policy("pods")!.Status;
        Assert.Equal((2, 1), (status.Summary!.Resources, status.Summary.Violating));
        Assert.All(Violations(), v => Assert.Equal(("Pod", "miner"), (v.Kind, v.Name)));
        Assert.Equal(["pss.hostNamespaces", "pss.privileged"], Violations().Select(v => v.Rule).Order(StringComparer.Ordinal));
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public async Task Kubectl_get_rpol_counts_the_deployment_a_debugged_pod_made_violating()
    {
        var kubectl = Kubectl.Find();
        await DeploymentWithPodAsync("web", Compliant());
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("pods");
        await _bed.Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(new V1Patch("""
            {"spec": {"ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"privileged": true}}]}}
            """, V1Patch.PatchType.StrategicMergePatch), "web-7d9f-abc", Ns);
        await _bed.ConvergedAsync("pods");

        var lines = await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol", "pods");
        var row = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["pods", "Audit", "1", "1", "False"], row[..5]);
    }
}
