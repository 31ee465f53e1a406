namespace EksHardening.ApiEmulator.Tests;

/// <summary>Create, get, list, replace and delete for every built-in kind the emulator serves.</summary>
public class CrudTests : EmulatorTest
{
    private const string Ns = "default";

    public static TheoryData<string> Kinds => [.. Cases.Keys];

    private static readonly Dictionary<string, KindCase> Cases = new()
    {
        ["pods"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedPodAsync(Objects.Pod(n), Ns),
            (c, n) => c.CoreV1.ReadNamespacedPodAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedPodAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedPodAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedPodAsync(n, Ns)),
        ["namespaces"] = Case(
            (c, n) => c.CoreV1.CreateNamespaceAsync(Objects.Namespace(n)),
            (c, n) => c.CoreV1.ReadNamespaceAsync(n),
            async c => (await c.CoreV1.ListNamespaceAsync()).Items,
            (c, o) => c.CoreV1.ReplaceNamespaceAsync(o, o.Name()),
            (c, n) => c.CoreV1.DeleteNamespaceAsync(n)),
        ["serviceaccounts"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = Meta(n) }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedServiceAccountAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedServiceAccountAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedServiceAccountAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedServiceAccountAsync(n, Ns)),
        ["events"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = Meta(n),
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web", NamespaceProperty = Ns },
                Reason = "Tested",
                Message = "hello",
                Type = "Normal",
            }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedEventAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedEventAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedEventAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedEventAsync(n, Ns)),
        ["secrets"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = Meta(n), StringData = new Dictionary<string, string> { ["a"] = "b" } }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedSecretAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedSecretAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedSecretAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedSecretAsync(n, Ns)),
        ["configmaps"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap(n), Ns),
            (c, n) => c.CoreV1.ReadNamespacedConfigMapAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedConfigMapAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedConfigMapAsync(n, Ns)),
        ["services"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = Meta(n), Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedServiceAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedServiceAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedServiceAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedServiceAsync(n, Ns)),
        ["deployments"] = Case(
            (c, n) => c.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment(n), Ns),
            (c, n) => c.AppsV1.ReadNamespacedDeploymentAsync(n, Ns),
            async c => (await c.AppsV1.ListNamespacedDeploymentAsync(Ns)).Items,
            (c, o) => c.AppsV1.ReplaceNamespacedDeploymentAsync(o, o.Name(), Ns),
            (c, n) => c.AppsV1.DeleteNamespacedDeploymentAsync(n, Ns)),
        ["statefulsets"] = Case(
            (c, n) => c.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet { Metadata = Meta(n), Spec = new V1StatefulSetSpec { ServiceName = n, Selector = new V1LabelSelector(), Template = Template() } }, Ns),
            (c, n) => c.AppsV1.ReadNamespacedStatefulSetAsync(n, Ns),
            async c => (await c.AppsV1.ListNamespacedStatefulSetAsync(Ns)).Items,
            (c, o) => c.AppsV1.ReplaceNamespacedStatefulSetAsync(o, o.Name(), Ns),
            (c, n) => c.AppsV1.DeleteNamespacedStatefulSetAsync(n, Ns)),
        ["daemonsets"] = Case(
            (c, n) => c.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet { Metadata = Meta(n), Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector(), Template = Template() } }, Ns),
            (c, n) => c.AppsV1.ReadNamespacedDaemonSetAsync(n, Ns),
            async c => (await c.AppsV1.ListNamespacedDaemonSetAsync(Ns)).Items,
            (c, o) => c.AppsV1.ReplaceNamespacedDaemonSetAsync(o, o.Name(), Ns),
            (c, n) => c.AppsV1.DeleteNamespacedDaemonSetAsync(n, Ns)),
        ["replicasets"] = Case(
            (c, n) => c.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet { Metadata = Meta(n), Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector(), Template = Template() } }, Ns),
            (c, n) => c.AppsV1.ReadNamespacedReplicaSetAsync(n, Ns),
            async c => (await c.AppsV1.ListNamespacedReplicaSetAsync(Ns)).Items,
            (c, o) => c.AppsV1.ReplaceNamespacedReplicaSetAsync(o, o.Name(), Ns),
            (c, n) => c.AppsV1.DeleteNamespacedReplicaSetAsync(n, Ns)),
        ["jobs"] = Case(
            (c, n) => c.BatchV1.CreateNamespacedJobAsync(new V1Job { Metadata = Meta(n), Spec = new V1JobSpec { Template = Template() } }, Ns),
            (c, n) => c.BatchV1.ReadNamespacedJobAsync(n, Ns),
            async c => (await c.BatchV1.ListNamespacedJobAsync(Ns)).Items,
            (c, o) => c.BatchV1.ReplaceNamespacedJobAsync(o, o.Name(), Ns),
            (c, n) => c.BatchV1.DeleteNamespacedJobAsync(n, Ns)),
        ["replicationcontrollers"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedReplicationControllerAsync(new V1ReplicationController { Metadata = Meta(n), Spec = new V1ReplicationControllerSpec { Template = Template() } }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedReplicationControllerAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedReplicationControllerAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedReplicationControllerAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedReplicationControllerAsync(n, Ns)),
        ["podtemplates"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedPodTemplateAsync(new V1PodTemplate { Metadata = Meta(n), Template = Template() }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedPodTemplateAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedPodTemplateAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedPodTemplateAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedPodTemplateAsync(n, Ns)),
        ["cronjobs"] = Case(
            (c, n) => c.BatchV1.CreateNamespacedCronJobAsync(new V1CronJob
            {
                Metadata = Meta(n),
                Spec = new V1CronJobSpec { Schedule = "*/5 * * * *", JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template() } } },
            }, Ns),
            (c, n) => c.BatchV1.ReadNamespacedCronJobAsync(n, Ns),
            async c => (await c.BatchV1.ListNamespacedCronJobAsync(Ns)).Items,
            (c, o) => c.BatchV1.ReplaceNamespacedCronJobAsync(o, o.Name(), Ns),
            (c, n) => c.BatchV1.DeleteNamespacedCronJobAsync(n, Ns)),
        ["networkpolicies"] = Case(
            (c, n) => c.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy
            {
                Metadata = Meta(n),
                Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
            }, Ns),
            (c, n) => c.NetworkingV1.ReadNamespacedNetworkPolicyAsync(n, Ns),
            async c => (await c.NetworkingV1.ListNamespacedNetworkPolicyAsync(Ns)).Items,
            (c, o) => c.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(o, o.Name(), Ns),
            (c, n) => c.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(n, Ns)),
        ["leases"] = Case(
            (c, n) => c.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = Meta(n),
                Spec = new V1LeaseSpec { HolderIdentity = "me", LeaseDurationSeconds = 15, RenewTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
            }, Ns),
            (c, n) => c.CoordinationV1.ReadNamespacedLeaseAsync(n, Ns),
            async c => (await c.CoordinationV1.ListNamespacedLeaseAsync(Ns)).Items,
            (c, o) => c.CoordinationV1.ReplaceNamespacedLeaseAsync(o, o.Name(), Ns),
            (c, n) => c.CoordinationV1.DeleteNamespacedLeaseAsync(n, Ns)),
        ["nodes"] = Case(
            (c, n) => c.CoreV1.CreateNodeAsync(new V1Node { Metadata = Meta(n) }),
            (c, n) => c.CoreV1.ReadNodeAsync(n),
            async c => (await c.CoreV1.ListNodeAsync()).Items,
            (c, o) => c.CoreV1.ReplaceNodeAsync(o, o.Name()),
            (c, n) => c.CoreV1.DeleteNodeAsync(n)),
        ["persistentvolumeclaims"] = Case(
            (c, n) => c.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
            {
                Metadata = Meta(n),
                Spec = new V1PersistentVolumeClaimSpec { StorageClassName = "gp2", AccessModes = ["ReadWriteOnce"] },
            }, Ns),
            (c, n) => c.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(n, Ns),
            async c => (await c.CoreV1.ListNamespacedPersistentVolumeClaimAsync(Ns)).Items,
            (c, o) => c.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(o, o.Name(), Ns),
            (c, n) => c.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(n, Ns)),
        ["storageclasses"] = Case(
            (c, n) => c.StorageV1.CreateStorageClassAsync(new V1StorageClass { Metadata = Meta(n), Provisioner = "ebs.csi.aws.com" }),
            (c, n) => c.StorageV1.ReadStorageClassAsync(n),
            async c => (await c.StorageV1.ListStorageClassAsync()).Items,
            (c, o) => c.StorageV1.ReplaceStorageClassAsync(o, o.Name()),
            (c, n) => c.StorageV1.DeleteStorageClassAsync(n)),
        ["ingresses"] = Case(
            (c, n) => c.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
            {
                Metadata = Meta(n),
                Spec = new V1IngressSpec { DefaultBackend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 80 } } } },
            }, Ns),
            (c, n) => c.NetworkingV1.ReadNamespacedIngressAsync(n, Ns),
            async c => (await c.NetworkingV1.ListNamespacedIngressAsync(Ns)).Items,
            (c, o) => c.NetworkingV1.ReplaceNamespacedIngressAsync(o, o.Name(), Ns),
            (c, n) => c.NetworkingV1.DeleteNamespacedIngressAsync(n, Ns)),
        ["clusterroles"] = Case(
            (c, n) => c.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = Meta(n), Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }] }),
            (c, n) => c.RbacAuthorizationV1.ReadClusterRoleAsync(n),
            async c => (await c.RbacAuthorizationV1.ListClusterRoleAsync()).Items,
            (c, o) => c.RbacAuthorizationV1.ReplaceClusterRoleAsync(o, o.Name()),
            (c, n) => c.RbacAuthorizationV1.DeleteClusterRoleAsync(n)),
        ["clusterrolebindings"] = Case(
            (c, n) => c.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
            {
                Metadata = Meta(n),
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
                Subjects = [new Rbacv1Subject { Kind = "Group", Name = "readers", ApiGroup = "rbac.authorization.k8s.io" }],
            }),
            (c, n) => c.RbacAuthorizationV1.ReadClusterRoleBindingAsync(n),
            async c => (await c.RbacAuthorizationV1.ListClusterRoleBindingAsync()).Items,
            (c, o) => c.RbacAuthorizationV1.ReplaceClusterRoleBindingAsync(o, o.Name()),
            (c, n) => c.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(n)),
        ["roles"] = Case(
            (c, n) => c.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = Meta(n), Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["list"] }] }, Ns),
            (c, n) => c.RbacAuthorizationV1.ReadNamespacedRoleAsync(n, Ns),
            async c => (await c.RbacAuthorizationV1.ListNamespacedRoleAsync(Ns)).Items,
            (c, o) => c.RbacAuthorizationV1.ReplaceNamespacedRoleAsync(o, o.Name(), Ns),
            (c, n) => c.RbacAuthorizationV1.DeleteNamespacedRoleAsync(n, Ns)),
        ["rolebindings"] = Case(
            (c, n) => c.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
            {
                Metadata = Meta(n),
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "reader" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ci", NamespaceProperty = Ns }],
            }, Ns),
            (c, n) => c.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(n, Ns),
            async c => (await c.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(Ns)).Items,
            (c, o) => c.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(o, o.Name(), Ns),
            (c, n) => c.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(n, Ns)),
        ["validatingwebhookconfigurations"] = Case(
            (c, n) => c.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
            {
                Metadata = Meta(n),
                Webhooks =
                [
                    new V1ValidatingWebhook
                    {
                        Name = "validate.eks-hardening.io",
                        AdmissionReviewVersions = ["v1"],
                        SideEffects = "None",
                        ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://example.invalid/validate" },
                    },
                ],
            }),
            (c, n) => c.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(n),
            async c => (await c.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync()).Items,
            (c, o) => c.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(o, o.Name()),
            (c, n) => c.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(n)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_kind_supports_create_get_list_replace_and_delete(string kind)
    {
        var ops = Cases[kind];
        var created = await ops.Create(Client, "sample");
        Assert.Equal("sample", created.Name());
        Assert.False(string.IsNullOrEmpty(created.Uid()));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.False(string.IsNullOrEmpty(created.ResourceVersion()));

        var read = await ops.Read(Client, "sample");
        Assert.Equal(created.Uid(), read.Uid());
        Assert.Contains(await ops.List(Client), o => o.Name() == "sample");

        read.SetLabel("touched", "yes");
        var replaced = await ops.Replace(Client, read);
        Assert.Equal("yes", replaced.GetLabel("touched"));
        Assert.True(long.Parse(replaced.ResourceVersion()) > long.Parse(created.ResourceVersion()));
        Assert.Equal("yes", (await ops.Read(Client, "sample")).GetLabel("touched"));

        await ops.Delete(Client, "sample");
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => ops.Read(Client, "sample"));
    }

    [Fact]
    public async Task Reading_a_missing_object_is_404_NotFound_with_the_qualified_resource_in_the_message()
    {
        var status = await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.AppsV1.ReadNamespacedDeploymentAsync("nope", Ns));
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("deployments.apps \"nope\" not found", status.Message);
        Assert.Equal("nope", status.Details.Name);
        Assert.Equal("deployments", status.Details.Kind);
    }

    [Fact]
    public async Task Creating_an_existing_name_is_409_AlreadyExists()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("dup"), Ns);
        var status = await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("dup"), Ns));
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("configmaps \"dup\" already exists", status.Message);
    }

    [Fact]
    public async Task Create_answers_201_and_the_server_fills_uid_timestamp_version_and_generation()
    {
        var response = await Client.AppsV1.CreateNamespacedDeploymentWithHttpMessagesAsync(Objects.Deployment("web"), Ns);
        Assert.Equal(HttpStatusCode.Created, response.Response.StatusCode);
        var created = response.Body;
        Assert.True(Guid.TryParse(created.Uid(), out _));
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal("apps/v1", created.ApiVersion);
        Assert.Equal("Deployment", created.Kind);
        Assert.InRange(created.Metadata.CreationTimestamp!.Value, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task A_PodTemplate_generation_moves_with_its_template_only()
    {
        var created = await Client.CoreV1.CreateNamespacedPodTemplateAsync(new V1PodTemplate { Metadata = Meta("tpl"), Template = Template() }, Ns);
        Assert.Equal(1, created.Metadata.Generation);

        created.SetLabel("touched", "yes");
        var relabelled = await Client.CoreV1.ReplaceNamespacedPodTemplateAsync(created, "tpl", Ns);
        Assert.Equal(1, relabelled.Metadata.Generation);

        relabelled.Template.Spec.Containers[0].Image = "nginx:1.27";
        var changed = await Client.CoreV1.ReplaceNamespacedPodTemplateAsync(relabelled, "tpl", Ns);
        Assert.Equal(2, changed.Metadata.Generation);
    }

    [Fact]
    public async Task ReplicationControllers_and_PodTemplates_are_listed_and_watched_across_namespaces()
    {
        await Client.CoreV1.CreateNamespacedReplicationControllerAsync(new V1ReplicationController { Metadata = Meta("rc"), Spec = new V1ReplicationControllerSpec { Template = Template() } }, Ns);
        await Client.CoreV1.CreateNamespacedPodTemplateAsync(new V1PodTemplate { Metadata = new V1ObjectMeta { Name = "tpl", NamespaceProperty = "kube-system" }, Template = Template() }, "kube-system");
        var controllers = await Client.CoreV1.ListReplicationControllerForAllNamespacesAsync();
        var templates = await Client.CoreV1.ListPodTemplateForAllNamespacesAsync();
        Assert.Equal(["default/rc"], controllers.Items.Select(o => $"{o.Namespace()}/{o.Name()}"));
        Assert.Equal(["kube-system/tpl"], templates.Items.Select(o => $"{o.Namespace()}/{o.Name()}"));

        await using var watch = WatchRecorder.Start<V1PodTemplate>((onError, ct) => Client.CoreV1.WatchListPodTemplateForAllNamespacesAsync(
            resourceVersion: templates.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        await Client.CoreV1.CreateNamespacedPodTemplateAsync(new V1PodTemplate { Metadata = Meta("later"), Template = Template() }, Ns);
        var added = await watch.NextChangeAsync();
        Assert.Equal((WatchEventType.Added, "later"), (added.Type, added.Object.Name()));
    }

    [Fact]
    public async Task GenerateName_gets_a_random_suffix()
    {
        var pod = Objects.Pod(null!);
        pod.Metadata.Name = null;
        pod.Metadata.GenerateName = "worker-";
        var first = await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);
        var second = await Client.CoreV1.CreateNamespacedPodAsync(pod, Ns);
        Assert.StartsWith("worker-", first.Name());
        Assert.Equal("worker-".Length + 5, first.Name().Length);
        Assert.NotEqual(first.Name(), second.Name());
    }

    [Fact]
    public async Task A_name_that_is_not_a_DNS_subdomain_is_422_Invalid()
    {
        var status = await ApiAssert.FailsWith((HttpStatusCode)422, () => Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("Not_Valid"), Ns));
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains(status.Details.Causes, c => c.Field == "metadata.name");
    }

    /// <summary>Roles and bindings take any path segment as name (upstream ValidateRBACName), as the built-in system:* and eks:* ones show.</summary>
    [Theory]
    [InlineData("system:controller:job-controller", null)]
    [InlineData("eks:addon-manager", null)]
    [InlineData("Team_Admins", null)]
    [InlineData(".", "may not be '.'")]
    [InlineData("..", "may not be '..'")]
    [InlineData("team/admins", "may not contain '/'")]
    [InlineData("100%admin", "may not contain '%'")]
    public async Task Role_and_binding_names_are_path_segments(string name, string? error)
    {
        var role = new V1ClusterRole { Metadata = new V1ObjectMeta { Name = name }, Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] }] };
        var binding = new V1RoleBinding { Metadata = new V1ObjectMeta { Name = name }, RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" } };
        if (error is null)
        {
            Assert.Equal(name, (await Client.RbacAuthorizationV1.CreateClusterRoleAsync(role)).Name());
            Assert.Equal(name, (await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, Ns)).Name());
            return;
        }

        foreach (var create in new Func<Task>[] { () => Client.RbacAuthorizationV1.CreateClusterRoleAsync(role), () => Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, Ns) })
        {
            var status = await ApiAssert.FailsWith((HttpStatusCode)422, create);
            Assert.Contains(status.Details.Causes, c => c.Field == "metadata.name" && c.Message.Contains(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Creating_in_a_namespace_that_does_not_exist_is_404_for_the_namespace()
    {
        var status = await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p", "ghost"), "ghost"));
        Assert.Equal("namespaces \"ghost\" not found", status.Message);
    }

    [Fact]
    public async Task A_body_namespace_that_differs_from_the_url_is_400_BadRequest()
    {
        await ApiAssert.FailsWith(HttpStatusCode.BadRequest, () => Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p", "kube-system"), Ns));
    }

    [Fact]
    public async Task Built_in_list_items_carry_no_kind_or_apiVersion_as_on_a_real_server()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("a"), Ns);
        var list = await Client.CoreV1.ListNamespacedPodAsync(Ns);
        Assert.Equal("PodList", list.Kind);
        Assert.Equal("v1", list.ApiVersion);
        Assert.Null(Assert.Single(list.Items).Kind);
    }

    [Fact]
    public async Task Listing_across_namespaces_returns_objects_of_every_namespace()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a"), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("b", "kube-system"), "kube-system");
        var all = await Client.CoreV1.ListConfigMapForAllNamespacesAsync();
        Assert.Equal(["default/a", "kube-system/b"], all.Items.Select(c => $"{c.Namespace()}/{c.Name()}"));
    }

    [Fact]
    public async Task Initial_namespaces_exist_as_in_a_fresh_cluster()
    {
        var names = (await Client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Name()).ToList();
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], names);
        Assert.Equal("Active", (await Client.CoreV1.ReadNamespaceAsync("default")).Status.Phase);
    }

    [Fact]
    public async Task Dry_run_create_returns_the_object_without_storing_it()
    {
        var result = await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("dry"), Ns, dryRun: "All");
        Assert.Equal("dry", result.Name());
        await ApiAssert.FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("dry", Ns));
    }

    [Fact]
    public async Task Deleting_a_pod_returns_the_pod_and_deleting_a_deployment_returns_a_success_Status()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), Ns);
        var pod = await Client.CoreV1.DeleteNamespacedPodAsync("p", Ns);
        Assert.Equal("p", pod.Name());

        await Client.AppsV1.CreateNamespacedDeploymentAsync(Objects.Deployment("d"), Ns);
        var status = await Client.AppsV1.DeleteNamespacedDeploymentAsync("d", Ns);
        Assert.Equal("Success", status.Status);
        Assert.Equal("d", status.Details.Name);
    }

    [Fact]
    public async Task Deletecollection_removes_the_selected_objects_only()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a", labels: Objects.Labels(("tier", "x"))), Ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("b", labels: Objects.Labels(("tier", "y"))), Ns);
        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(Ns, labelSelector: "tier=x");
        Assert.Equal(["b"], (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Select(c => c.Name()));
    }

    private static V1ObjectMeta Meta(string name) => new() { Name = name };

    private static V1PodTemplateSpec Template() => new()
    {
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "busybox:1.36" }], RestartPolicy = "Never" },
    };

    private static KindCase Case<T, TList>(
        Func<IKubernetes, string, Task<T>> create,
        Func<IKubernetes, string, Task<T>> read,
        Func<IKubernetes, Task<TList>> list,
        Func<IKubernetes, T, Task<T>> replace,
        Func<IKubernetes, string, Task> delete)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IEnumerable<T> => new(
            async (c, n) => await create(c, n),
            async (c, n) => await read(c, n),
            async c => [.. (await list(c)).Cast<IKubernetesObject<V1ObjectMeta>>()],
            async (c, o) => await replace(c, (T)o),
            delete);

    private sealed record KindCase(
        Func<IKubernetes, string, Task<IKubernetesObject<V1ObjectMeta>>> Create,
        Func<IKubernetes, string, Task<IKubernetesObject<V1ObjectMeta>>> Read,
        Func<IKubernetes, Task<List<IKubernetesObject<V1ObjectMeta>>>> List,
        Func<IKubernetes, IKubernetesObject<V1ObjectMeta>, Task<IKubernetesObject<V1ObjectMeta>>> Replace,
        Func<IKubernetes, string, Task> Delete);
}
