namespace EksHardening.ApiEmulator.Tests;

/// <summary>Label and field selectors on list, in the API's string syntax.</summary>
public class SelectorTests : EmulatorTest
{
    public override async Task InitializeAsyncCore()
    {
        await Seed("a", ("app", "web"), ("tier", "front"));
        await Seed("b", ("app", "web"), ("tier", "back"));
        await Seed("c", ("app", "db"));
        await Seed("d");
    }

    [Theory]
    [InlineData("app=web", "a,b")]
    [InlineData("app==web", "a,b")]
    [InlineData("app!=web", "c,d")]
    [InlineData("app in (web,db)", "a,b,c")]
    [InlineData("app notin (web)", "c,d")]
    [InlineData("tier", "a,b")]
    [InlineData("!tier", "c,d")]
    [InlineData("app=web,tier=front", "a")]
    [InlineData("app=web, tier in (back, side)", "b")]
    [InlineData("app=nothing", "")]
    [InlineData("", "a,b,c,d")]
    public async Task Label_selectors_follow_the_API_syntax(string selector, string expected)
    {
        var pods = await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: selector);
        Assert.Equal(expected, string.Join(",", pods.Items.Select(p => p.Name())));
    }

    [Theory]
    [InlineData("metadata.name=b", "b")]
    [InlineData("metadata.name==b", "b")]
    [InlineData("metadata.name!=b", "a,c,d")]
    [InlineData("metadata.namespace=default", "a,b,c,d")]
    [InlineData("metadata.namespace=kube-system", "")]
    [InlineData("metadata.name!=a,metadata.name!=d", "b,c")]
    [InlineData("status.phase=Pending", "a,b,c,d")]
    public async Task Field_selectors_match_name_namespace_and_supported_fields(string selector, string expected)
    {
        var pods = await Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: selector);
        Assert.Equal(expected, string.Join(",", pods.Items.Select(p => p.Name())));
    }

    /// <summary>
    /// A list or watch whose field selector requires one metadata.name selects that object and is logged with its name,
    /// as the API server's RequestInfo names it for authorization; a selector that requires no single name names nothing.
    /// </summary>
    [Theory]
    [InlineData("metadata.name=aws-auth", "aws-auth", "aws-auth")]
    [InlineData("metadata.name==aws-auth", "aws-auth", "aws-auth")]
    [InlineData("metadata.name!=aws-auth", "other", null)]
    public async Task A_field_selected_list_and_watch_name_the_selected_object(string selector, string selected, string? loggedName)
    {
        Emulator.Seed(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "aws-auth", NamespaceProperty = "kube-system" } });
        Emulator.Seed(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "other", NamespaceProperty = "kube-system" } });
        Emulator.ClearRequests();

        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("kube-system", fieldSelector: selector);
        var watched = new List<string>();
        await foreach (var (_, configMap) in Client.CoreV1.WatchListNamespacedConfigMapAsync("kube-system", fieldSelector: selector, timeoutSeconds: 1))
        {
            watched.Add(configMap.Name());
        }

        Assert.Equal(selected, Assert.Single(list.Items).Name());
        Assert.Equal([selected], watched);
        Assert.Equal([("list", loggedName), ("watch", loggedName)], Emulator.Requests.Where(r => r.Resource == "configmaps").Select(r => (r.Verb, r.Name)));
    }

    [Fact]
    public async Task Label_and_field_selectors_combine()
    {
        var pods = await Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app=web", fieldSelector: "metadata.name=b");
        Assert.Equal("b", Assert.Single(pods.Items).Name());
    }

    [Fact]
    public async Task A_malformed_label_selector_is_400_BadRequest()
    {
        var status = await ApiAssert.FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app in web"));
        Assert.Contains("unable to parse requirement", status.Message);
    }

    [Fact]
    public async Task An_unsupported_field_label_is_400_BadRequest()
    {
        var status = await ApiAssert.FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "data.key=value"));
        Assert.Equal("field label not supported: data.key", status.Message);
    }

    [Fact]
    public async Task Cluster_scoped_lists_filter_by_label_too()
    {
        await Client.CoreV1.CreateNamespaceAsync(Objects.Namespace("prod", Objects.Labels(("env", "prod"))));
        await Client.CoreV1.CreateNamespaceAsync(Objects.Namespace("dev", Objects.Labels(("env", "dev"))));
        var namespaces = await Client.CoreV1.ListNamespaceAsync(labelSelector: "env=prod");
        Assert.Equal("prod", Assert.Single(namespaces.Items).Name());
    }

    private Task<V1Pod> Seed(string name, params (string Key, string Value)[] labels) =>
        Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod(name, labels: labels.Length == 0 ? null : Objects.Labels(labels)), "default");
}
