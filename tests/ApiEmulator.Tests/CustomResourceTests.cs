namespace EksHardening.ApiEmulator.Tests;

/// <summary>Custom resources, registered up front or by creating a CustomResourceDefinition, driven through CustomObjects.*.</summary>
public class CustomResourceTests : EmulatorTest
{
    private const string Group = "eks-hardening.io";
    private const string Version = "v1alpha1";
    private const string Plural = "responsibilitypolicies";

    protected override void Configure(ApiEmulatorOptions options) => options.CustomResources.Add(new CustomResourceType
    {
        Group = Group,
        Kind = "ResponsibilityPolicy",
        Plural = Plural,
        Versions = [Version],
        Namespaced = false,
        HasStatusSubresource = true,
        ShortNames = ["rpol"],
    });

    [Fact]
    public async Task A_cluster_scoped_custom_resource_supports_create_get_list_patch_and_delete()
    {
        var created = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural));
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());
        Assert.Null(created["metadata"]!["namespace"]);

        var read = Node(await Client.CustomObjects.GetClusterCustomObjectAsync(Group, Version, Plural, "prod"));
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), read["metadata"]!["uid"]!.GetValue<string>());

        var list = Node(await Client.CustomObjects.ListClusterCustomObjectAsync(Group, Version, Plural));
        Assert.Equal("ResponsibilityPolicyList", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal("ResponsibilityPolicy", item["kind"]!.GetValue<string>());

        var patched = Node(await Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"mode":"Enforce"}}""", V1Patch.PatchType.MergePatch), Group, Version, Plural, "prod"));
        Assert.Equal("Enforce", patched["spec"]!["mode"]!.GetValue<string>());
        Assert.Equal(2, patched["metadata"]!["generation"]!.GetValue<long>());

        await Client.CustomObjects.DeleteClusterCustomObjectAsync(Group, Version, Plural, "prod");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CustomObjects.GetClusterCustomObjectAsync(Group, Version, Plural, "prod"));
    }

    [Fact]
    public async Task The_status_subresource_isolates_status_from_spec_for_custom_resources()
    {
        var policy = Policy("prod");
        policy["status"] = new JsonObject { ["totalViolations"] = 99 };
        var created = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(policy, Group, Version, Plural));
        Assert.Null(created["status"]);

        var status = Node(await Client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch("""{"status":{"observedGeneration":1,"totalViolations":3},"spec":{"mode":"Enforce"}}""", V1Patch.PatchType.MergePatch),
            Group, Version, Plural, "prod"));
        Assert.Equal(3, status["status"]!["totalViolations"]!.GetValue<int>());
        Assert.Equal("Audit", status["spec"]!["mode"]!.GetValue<string>());
        Assert.Equal(1, status["metadata"]!["generation"]!.GetValue<long>());

        var main = Node(await Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"status":{"totalViolations":0}}""", V1Patch.PatchType.MergePatch), Group, Version, Plural, "prod"));
        Assert.Equal(3, main["status"]!["totalViolations"]!.GetValue<int>());

        var readStatus = Node(await Client.CustomObjects.GetClusterCustomObjectStatusAsync(Group, Version, Plural, "prod"));
        Assert.Equal(3, readStatus["status"]!["totalViolations"]!.GetValue<int>());
    }

    [Fact]
    public async Task Replacing_a_custom_resource_requires_a_resourceVersion_and_checks_it()
    {
        var created = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural));
        var withoutVersion = Policy("prod");
        await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.CustomObjects.ReplaceClusterCustomObjectAsync(withoutVersion, Group, Version, Plural, "prod"));

        created["spec"]!["mode"] = "Warn";
        var replaced = Node(await Client.CustomObjects.ReplaceClusterCustomObjectAsync(created, Group, Version, Plural, "prod"));
        Assert.Equal("Warn", replaced["spec"]!["mode"]!.GetValue<string>());
        await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CustomObjects.ReplaceClusterCustomObjectAsync(created, Group, Version, Plural, "prod"));
    }

    [Fact]
    public async Task Custom_resources_do_not_accept_strategic_merge_patch()
    {
        await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural);
        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("""{"spec":{"mode":"Warn"}}""", V1Patch.PatchType.StrategicMergePatch), Group, Version, Plural, "prod"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, error.Response.StatusCode);
    }

    [Fact]
    public async Task Creating_a_CRD_serves_a_namespaced_custom_resource_at_once()
    {
        var crd = await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(PolicyReportCrd());
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
        Assert.Equal(["v1alpha2"], crd.Status.StoredVersions);

        var report = new JsonObject
        {
            ["apiVersion"] = "wgpolicyk8s.io/v1alpha2",
            ["kind"] = "PolicyReport",
            ["metadata"] = new JsonObject { ["name"] = "shop-report" },
            ["results"] = new JsonArray(new JsonObject { ["rule"] = "image.tag-not-latest", ["result"] = "fail" }),
            ["summary"] = new JsonObject { ["fail"] = 1 },
        };
        var created = Node(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(report, "wgpolicyk8s.io", "v1alpha2", "default", "policyreports"));
        Assert.Equal("default", created["metadata"]!["namespace"]!.GetValue<string>());

        var inNamespace = Node(await Client.CustomObjects.ListNamespacedCustomObjectAsync("wgpolicyk8s.io", "v1alpha2", "default", "policyreports"));
        Assert.Single(inNamespace["items"]!.AsArray());
        var elsewhere = Node(await Client.CustomObjects.ListNamespacedCustomObjectAsync("wgpolicyk8s.io", "v1alpha2", "kube-system", "policyreports"));
        Assert.Empty(elsewhere["items"]!.AsArray());

        var resources = await Client.CustomObjects.GetAPIResourcesAsync("wgpolicyk8s.io", "v1alpha2");
        Assert.Contains(resources.Resources, r => r.Name == "policyreports" && r.Namespaced && r.Kind == "PolicyReport");
    }

    [Fact]
    public async Task A_custom_resource_without_a_status_subresource_keeps_status_in_the_main_resource()
    {
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(PolicyReportCrd());
        var report = new JsonObject
        {
            ["apiVersion"] = "wgpolicyk8s.io/v1alpha2",
            ["kind"] = "PolicyReport",
            ["metadata"] = new JsonObject { ["name"] = "r" },
            ["status"] = new JsonObject { ["note"] = "kept" },
        };
        var created = Node(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(report, "wgpolicyk8s.io", "v1alpha2", "default", "policyreports"));
        Assert.Equal("kept", created["status"]!["note"]!.GetValue<string>());
        await ApiAssert.FailsWith(HttpStatusCode.NotFound,
            () => Client.CustomObjects.GetNamespacedCustomObjectStatusAsync("wgpolicyk8s.io", "v1alpha2", "default", "policyreports", "r"));
    }

    [Fact]
    public async Task Custom_resource_watches_yield_json_elements_the_client_can_deserialize()
    {
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<object>((onError, ct) =>
            Client.CustomObjects.WatchListClusterCustomObjectAsync(Group, Version, Plural, resourceVersion: start, onError: onError, cancellationToken: ct));
        await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural);
        await Client.CustomObjects.PatchClusterCustomObjectStatusAsync(new V1Patch("""{"status":{"totalViolations":1}}""", V1Patch.PatchType.MergePatch), Group, Version, Plural, "prod");

        var added = await watch.NextChangeAsync();
        Assert.Equal(WatchEventType.Added, added.Type);
        var element = Assert.IsType<JsonElement>(added.Object);
        var typed = KubernetesJson.Deserialize<PolicyObject>(element.GetRawText());
        Assert.Equal("prod", typed.Metadata.Name);
        Assert.Equal(WatchEventType.Modified, (await watch.NextChangeAsync()).Type);
    }

    [Fact]
    public async Task Deleting_the_CRD_deletes_its_objects_and_stops_serving_the_resource()
    {
        await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural);
        await Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync($"{Plural}.{Group}");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CustomObjects.ListClusterCustomObjectAsync(Group, Version, Plural));
        Assert.DoesNotContain((await Client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items, c => c.Name() == $"{Plural}.{Group}");
    }

    [Fact]
    public async Task A_CRD_whose_name_is_not_plural_dot_group_is_422_Invalid()
    {
        var crd = PolicyReportCrd();
        crd.Metadata.Name = "wrong.example.com";
        await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));
    }

    [Fact]
    public async Task Every_served_version_reads_the_same_objects_with_its_own_apiVersion()
    {
        var crd = PolicyReportCrd();
        crd.Spec.Versions.Add(new V1CustomResourceDefinitionVersion
        {
            Name = "v1beta1",
            Served = true,
            Storage = false,
            Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
        });
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        var report = new JsonObject { ["apiVersion"] = "wgpolicyk8s.io/v1alpha2", ["kind"] = "PolicyReport", ["metadata"] = new JsonObject { ["name"] = "r" } };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(report, "wgpolicyk8s.io", "v1alpha2", "default", "policyreports");

        var viaBeta = Node(await Client.CustomObjects.GetNamespacedCustomObjectAsync("wgpolicyk8s.io", "v1beta1", "default", "policyreports", "r"));
        Assert.Equal("wgpolicyk8s.io/v1beta1", viaBeta["apiVersion"]!.GetValue<string>());
        var group = await Client.Apis.GetAPIVersionsAsync();
        var policyGroup = Assert.Single(group.Groups, g => g.Name == "wgpolicyk8s.io");
        Assert.Equal("v1beta1", policyGroup.PreferredVersion.Version);
    }

    [Fact]
    public async Task A_custom_resource_can_own_built_in_objects_for_garbage_collection()
    {
        var policy = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural));
        var owned = new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta
            {
                Name = "eks-hardening-default-deny",
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = $"{Group}/{Version}", Kind = "ResponsibilityPolicy", Name = "prod",
                        Uid = policy["metadata"]!["uid"]!.GetValue<string>(), Controller = true,
                    },
                ],
            },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
        };
        await Client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(owned, "default");
        await Client.CustomObjects.DeleteClusterCustomObjectAsync(Group, Version, Plural, "prod");
        Assert.Empty((await Client.NetworkingV1.ListNamespacedNetworkPolicyAsync("default")).Items);
    }

    [Fact]
    public async Task A_cluster_scoped_custom_resource_owns_namespaced_custom_resources_listed_across_namespaces_by_label()
    {
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(PolicyReportCrd());
        var policy = Node(await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural));
        var owner = new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "ResponsibilityPolicy", ["name"] = "prod",
            ["uid"] = policy["metadata"]!["uid"]!.GetValue<string>(), ["controller"] = true, ["blockOwnerDeletion"] = true,
        };
        JsonObject Report(string ns, string managedBy) => new()
        {
            ["apiVersion"] = "wgpolicyk8s.io/v1alpha2",
            ["kind"] = "PolicyReport",
            ["metadata"] = new JsonObject
            {
                ["name"] = "rpol-prod", ["namespace"] = ns,
                ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = managedBy },
                ["ownerReferences"] = new JsonArray(owner.DeepClone()),
            },
        };
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(Report("default", "eks-hardening"), "wgpolicyk8s.io", "v1alpha2", "default", "policyreports");
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(Report("shop", "eks-hardening"), "wgpolicyk8s.io", "v1alpha2", "shop", "policyreports");
        var other = Report("shop", "someone-else");
        other["metadata"]!["name"] = "other";
        other["metadata"]!.AsObject().Remove("ownerReferences");
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(other, "wgpolicyk8s.io", "v1alpha2", "shop", "policyreports");

        var ours = Node(await Client.CustomObjects.ListClusterCustomObjectAsync("wgpolicyk8s.io", "v1alpha2", "policyreports", labelSelector: "app.kubernetes.io/managed-by=eks-hardening"));
        Assert.Equal(["default", "shop"], ours["items"]!.AsArray().Select(i => i!["metadata"]!["namespace"]!.GetValue<string>()).Order());

        await Client.CustomObjects.DeleteClusterCustomObjectAsync(Group, Version, Plural, "prod");
        var left = Node(await Client.CustomObjects.ListClusterCustomObjectAsync("wgpolicyk8s.io", "v1alpha2", "policyreports"));
        Assert.Equal(["other"], left["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Deleting_a_custom_resource_with_a_stale_uid_precondition_is_409_and_keeps_it()
    {
        await Client.CustomObjects.CreateClusterCustomObjectAsync(Policy("prod"), Group, Version, Plural);
        await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CustomObjects.DeleteClusterCustomObjectAsync(Group, Version, Plural, "prod",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-its-uid" } }));
        Assert.NotNull(Emulator.Get($"{Group}/{Version}", "ResponsibilityPolicy", null, "prod"));
    }

    private static JsonObject Policy(string name) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = "ResponsibilityPolicy",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["mode"] = "Audit" },
    };

    private static JsonObject Node(object response) => JsonNode.Parse(((JsonElement)response).GetRawText())!.AsObject();

    private static V1CustomResourceDefinition PolicyReportCrd() => new()
    {
        Metadata = new V1ObjectMeta { Name = "policyreports.wgpolicyk8s.io" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "wgpolicyk8s.io",
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Plural = "policyreports", Singular = "policyreport", Kind = "PolicyReport", ListKind = "PolicyReportList", ShortNames = ["polr"] },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1alpha2",
                    Served = true,
                    Storage = true,
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                },
            ],
        },
    };

    /// <summary>A minimal typed view of the policy, as an operator would deserialize watch events.</summary>
    private sealed class PolicyObject : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "";

        public string Kind { get; set; } = "";

        public V1ObjectMeta Metadata { get; set; } = new();
    }
}
