namespace EksHardening.ApiEmulator.Tests;

/// <summary>Discovery endpoints, as a client uses them to find what the server serves.</summary>
public class DiscoveryTests : EmulatorTest
{
    [Fact]
    public async Task The_core_group_lists_v1_and_its_resources_with_status_subresources()
    {
        var versions = await Client.Core.GetAPIVersionsAsync();
        Assert.Equal(["v1"], versions.Versions);
        var resources = await Client.CoreV1.GetAPIResourcesAsync();
        Assert.Equal("v1", resources.GroupVersion);
        var pods = Assert.Single(resources.Resources, r => r.Name == "pods");
        Assert.True(pods.Namespaced);
        Assert.Contains("watch", pods.Verbs);
        Assert.Contains(resources.Resources, r => r.Name == "pods/status");
        Assert.Contains(resources.Resources, r => r.Name == "namespaces" && !r.Namespaced);
        Assert.DoesNotContain(resources.Resources, r => r.Name == "configmaps/status");
    }

    [Fact]
    public async Task Every_served_group_is_listed_with_a_preferred_version()
    {
        var groups = await Client.Apis.GetAPIVersionsAsync();
        Assert.Superset(
            new HashSet<string> { "apps", "batch", "networking.k8s.io", "coordination.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io" },
            groups.Groups.Select(g => g.Name).ToHashSet());
        Assert.All(groups.Groups, g => Assert.Equal($"{g.Name}/v1", g.PreferredVersion.GroupVersion));
    }

    [Fact]
    public async Task Group_version_resource_lists_name_kinds_and_scope()
    {
        var apps = await Client.AppsV1.GetAPIResourcesAsync();
        Assert.Equal(["daemonsets", "deployments", "replicasets", "statefulsets"], apps.Resources.Where(r => !r.Name.Contains('/', StringComparison.Ordinal)).Select(r => r.Name).Order());
        var webhooks = await Client.AdmissionregistrationV1.GetAPIResourcesAsync();
        Assert.False(Assert.Single(webhooks.Resources).Namespaced);
        var group = await Client.Batch.GetAPIGroupAsync();
        Assert.Equal("batch/v1", group.PreferredVersion.GroupVersion);
    }

    [Fact]
    public async Task The_version_endpoint_answers()
    {
        var version = await Client.Version.GetCodeAsync();
        Assert.Equal("1", version.Major);
        Assert.StartsWith("v1.", version.GitVersion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1.31.2-eks-7f9249a", "1", "31")]
    [InlineData("v1.29.0", "1", "29")]
    public async Task The_version_endpoint_answers_the_configured_version_also_after_a_change(string gitVersion, string major, string minor)
    {
        Emulator.Options.ServerVersion = gitVersion;
        var version = await Client.Version.GetCodeAsync();
        Assert.Equal((gitVersion, major, minor), (version.GitVersion, version.Major, version.Minor));
    }

    [Fact]
    public async Task Unknown_resources_and_groups_are_404()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/api/v1/widgets"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/apis/example.com/v1"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/apis/apps/v1/namespaces/default/pods"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/healthz"))).StatusCode);
    }

    [Fact]
    public async Task A_custom_group_version_is_404_until_its_CRDs_exist_lists_each_served_resource_and_is_404_again_without_them()
    {
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2"));

        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(ReportCrd("PolicyReport", "policyreports", "Namespaced"));
        var one = await Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2");
        Assert.Equal(["policyreports"], one.Resources.Select(r => r.Name));

        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(ReportCrd("ClusterPolicyReport", "clusterpolicyreports", "Cluster"));
        var both = await Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2");
        Assert.Equal("wgpolicyk8s.io/v1alpha2", both.GroupVersion);
        Assert.True(Assert.Single(both.Resources, r => r.Name == "policyreports").Namespaced);
        Assert.False(Assert.Single(both.Resources, r => r.Name == "clusterpolicyreports").Namespaced);
        Assert.Contains("wgpolicyk8s.io", (await Client.Apis.GetAPIVersionsAsync()).Groups.Select(g => g.Name));

        await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("policyreports.wgpolicyk8s.io");
        Assert.Equal(["clusterpolicyreports"], (await Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2")).Resources.Select(r => r.Name));
        await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("clusterpolicyreports.wgpolicyk8s.io");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2"));
        Assert.DoesNotContain("wgpolicyk8s.io", (await Client.Apis.GetAPIVersionsAsync()).Groups.Select(g => g.Name));
    }

    private static V1CustomResourceDefinition ReportCrd(string kind, string plural, string scope) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{plural}.wgpolicyk8s.io" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "wgpolicyk8s.io",
            Scope = scope,
            Names = new V1CustomResourceDefinitionNames { Plural = plural, Kind = kind },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1alpha2", Served = true, Storage = true,
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                },
            ],
        },
    };
}
