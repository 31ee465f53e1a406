using EksHardening.Operator.Testing.Kubernetes;
using Testcontainers.K3s;

namespace EksHardening.Operator.E2E;

/// <summary>
/// The first integration scenarios on a real API server (K3s in Docker): status converges to the rule engine's
/// counts, fixing and deleting workloads moves it, a delete while the operator is down is noticed after restart,
/// and <c>kubectl get rpol -o wide</c> shows a value in every column.
/// </summary>
[Trait("Category", "Slow")]
public sealed class K3sScenarioTests : IAsyncLifetime
{
    private const string K3sImage = "rancher/k3s:v1.31.5-k3s1";
    private K3sContainer? _k3s;
    private k8s.Kubernetes? _client;
    private string _kubeconfig = "";
    private readonly string _directory = Directory.CreateTempSubdirectory("eks-hardening-e2e-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_k3s is not null) await _k3s.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [SkippableFact]
    public async Task Operator_on_k3s_converges_follows_changes_and_survives_a_restart()
    {
        DockerEngine.Require();
        await StartClusterAsync();
        var client = _client!;

        foreach (var obj in MixedWorkloads.Namespaces().Concat(MixedWorkloads.Workloads())) await CreateAsync(client, obj);
        var policy = ReadPolicy(MixedWorkloads.Policy);
        await client.CustomObjects.CreateClusterCustomObjectAsync(policy, ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural);

        var app = await StartOperatorAsync();
        await ConvergedAsync(client);

        // Fix one violating StatefulSet, delete one violating Deployment.
        var status = (await ReadPolicyAsync(client)).Status;
        var target = status.Violations!.First(v => v.Kind == "StatefulSet");
        var fixedTemplate = new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = JsonNode.Parse(KubernetesJson.Serialize(MixedWorkloads.PodSpec(true, 1))) } } };
        fixedTemplate["spec"]!["template"]!["spec"]!["hostNetwork"] = false;
        await client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(fixedTemplate.ToJsonString(), V1Patch.PatchType.MergePatch), target.Name, target.Namespace);
        var victim = status.Violations!.First(v => v.Kind == "Deployment");
        await client.AppsV1.DeleteNamespacedDeploymentAsync(victim.Name, victim.Namespace);
        await ConvergedAsync(client);
        Assert.True((await ReadPolicyAsync(client)).Status.TotalViolations < status.TotalViolations);

        // A delete while the operator is stopped is noticed after the restart.
        await app.StopAsync();
        await app.DisposeAsync();
        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync("prod-a");
        await client.AppsV1.DeleteNamespacedDeploymentAsync(deployments.Items[0].Metadata.Name, "prod-a");
        app = await StartOperatorAsync();
        await ConvergedAsync(client);

        await AssertPrinterColumnsAsync();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task StartClusterAsync()
    {
        _k3s = new K3sBuilder(K3sImage).Build();
        await _k3s.StartAsync();
        _kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(_kubeconfig, await _k3s.GetKubeconfigAsync());
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));

        var crdPath = RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml");
        var crd = await Crds.ReadFileAsync(crdPath);
        await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        await Eventually.True(async () =>
        {
            var current = await _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name);
            return current.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
        }, "the CRD is established", TimeSpan.FromMinutes(1));
        await Eventually.True(async () => (await _client.CoreV1.ListNamespacedServiceAccountAsync("default")).Items.Count > 0,
            "the default service account exists", TimeSpan.FromMinutes(1));
    }

    private async Task<WebApplication> StartOperatorAsync()
    {
        var options = RunFlags.Parse(["--kubeconfig", _kubeconfig, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0"], _ => null);
        var app = OperatorHost.Build(options, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return app;
    }

    private static async Task CreateAsync(k8s.Kubernetes client, object obj)
    {
        switch (obj)
        {
            case V1Namespace ns: await client.CoreV1.CreateNamespaceAsync(ns); break;
            case V1ServiceAccount sa: await client.CoreV1.CreateNamespacedServiceAccountAsync(sa, sa.Metadata.NamespaceProperty); break;
            case V1NetworkPolicy np: await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(np, np.Metadata.NamespaceProperty); break;
            case V1Deployment d: await client.AppsV1.CreateNamespacedDeploymentAsync(d, d.Metadata.NamespaceProperty); break;
            case V1StatefulSet s:
                s.Spec.ServiceName ??= s.Metadata.Name;
                await client.AppsV1.CreateNamespacedStatefulSetAsync(s, s.Metadata.NamespaceProperty);
                break;
            case V1DaemonSet ds: await client.AppsV1.CreateNamespacedDaemonSetAsync(ds, ds.Metadata.NamespaceProperty); break;
            case V1Job j:
                j.Spec.Template.Spec.RestartPolicy ??= "Never";
                await client.BatchV1.CreateNamespacedJobAsync(j, j.Metadata.NamespaceProperty);
                break;
            case V1CronJob c:
                c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy ??= "Never";
                await client.BatchV1.CreateNamespacedCronJobAsync(c, c.Metadata.NamespaceProperty);
                break;
            case V1Pod p: await client.CoreV1.CreateNamespacedPodAsync(p, p.Metadata.NamespaceProperty); break;
        }
    }

    private static ResponsibilityPolicy ReadPolicy(string yaml)
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(yaml, "policy.yaml", set);
        return (ResponsibilityPolicy)set.Objects.Single().Object;
    }

    private static async Task<ResponsibilityPolicy> ReadPolicyAsync(k8s.Kubernetes client)
    {
        var raw = await client.CustomObjects.GetClusterCustomObjectAsync(ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "production");
        return KubernetesJson.Deserialize<ResponsibilityPolicy>(((JsonElement)raw).GetRawText());
    }

    /// <summary>The written status equals what the rule engine computes from the cluster's objects (workloads the API server created included).</summary>
    private static async Task ConvergedAsync(k8s.Kubernetes client) =>
        await Eventually.True(async () =>
        {
            var policy = await ReadPolicyAsync(client);
            if (policy.Status?.Summary is null) return false;
            var objects = new List<object>();
            objects.AddRange((await client.CoreV1.ListNamespaceAsync()).Items);
            objects.AddRange((await client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync()).Items);
            objects.AddRange((await client.CoreV1.ListServiceAccountForAllNamespacesAsync()).Items);
            objects.AddRange(ExpectedStatus.WithKind((await client.CoreV1.ListPodForAllNamespacesAsync()).Items, "v1", "Pod"));
            objects.AddRange(ExpectedStatus.WithKind((await client.AppsV1.ListDeploymentForAllNamespacesAsync()).Items, "apps/v1", "Deployment"));
            objects.AddRange(ExpectedStatus.WithKind((await client.AppsV1.ListStatefulSetForAllNamespacesAsync()).Items, "apps/v1", "StatefulSet"));
            objects.AddRange(ExpectedStatus.WithKind((await client.AppsV1.ListDaemonSetForAllNamespacesAsync()).Items, "apps/v1", "DaemonSet"));
            objects.AddRange(ExpectedStatus.WithKind((await client.AppsV1.ListReplicaSetForAllNamespacesAsync()).Items, "apps/v1", "ReplicaSet"));
            objects.AddRange(ExpectedStatus.WithKind((await client.BatchV1.ListJobForAllNamespacesAsync()).Items, "batch/v1", "Job"));
            objects.AddRange(ExpectedStatus.WithKind((await client.BatchV1.ListCronJobForAllNamespacesAsync()).Items, "batch/v1", "CronJob"));
            var expected = ExpectedStatus.Of(policy, objects);
            return !ComplianceStatus.ContentDiffers(policy.Status, expected);
        }, "status converges on K3s", TimeSpan.FromMinutes(2));

    private async Task AssertPrinterColumnsAsync()
    {
        var start = new ProcessStartInfo("kubectl", ["get", "rpol", "production", "-o", "wide", "--kubeconfig", _kubeconfig])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("<none>", lines[1]);
        foreach (var column in new[] { "MODE", "RESOURCES", "VIOLATING", "COMPLIANT", "LAST EVALUATED", "AGE" }) Assert.Contains(column, lines[0]);
    }
}
