using System.Net;
using EksHardening.Emulator.Tests.Support;

namespace EksHardening.Emulator.Tests;

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

    [Fact]
    public async Task Unknown_resources_and_groups_are_404()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/api/v1/widgets"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/apis/example.com/v1"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/apis/apps/v1/namespaces/default/pods"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"{Emulator.BaseUrl}/healthz"))).StatusCode);
    }
}
