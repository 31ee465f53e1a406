namespace EksHardening.Operator.Tests.Kubernetes;

/// <remarks>That trimming keeps every rule's inputs is checked by every rule test (TestEvaluation evaluates both forms).</remarks>
public class CacheTrimmingTests
{
    private const string AppArmor = "container.apparmor.security.beta.kubernetes.io/app";

    [Fact]
    public void A_pod_keeps_its_running_digests_and_apparmor_annotations_and_loses_the_rest_of_status_and_metadata()
    {
        var pod = new CacheTrimming().Trim(Pod());

        Assert.Null(pod.Metadata.ManagedFields);
        Assert.Equal([AppArmor], pod.Metadata.Annotations!.Keys);
        Assert.Equal("web", pod.Metadata.Labels["app"]);
        var status = Assert.Single(pod.Status.ContainerStatuses);
        Assert.Equal(("app", "registry.example.com/app:1", "registry.example.com/app@sha256:" + new string('a', 64)), (status.Name, status.Image, status.ImageID));
        Assert.Null(status.State);
        Assert.Null(pod.Status.Conditions);
        Assert.Null(pod.Status.Phase);
    }

    [Fact]
    public void Containers_keep_what_the_rules_read_and_drop_environment_mounts_requests_and_hostless_probes()
    {
        var container = new CacheTrimming().Trim(Pod()).Spec.Containers[0];

        Assert.Equal(("app", "registry.example.com/app:1"), (container.Name, container.Image));
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal(8080, container.Ports[0].ContainerPort);
        Assert.True(container.Resources.Limits.ContainsKey("cpu"));
        Assert.Null(container.Resources.Requests);
        Assert.Null(container.Env);
        Assert.Null(container.VolumeMounts);
        Assert.Null(container.LivenessProbe);
        Assert.Equal("10.0.0.1", container.ReadinessProbe.HttpGet.Host);
    }

    [Fact]
    public void Core_volumes_become_one_placeholder_and_others_keep_their_place()
    {
        var trimming = new CacheTrimming();
        var first = trimming.Trim(Pod()).Spec.Volumes;
        var second = trimming.Trim(Pod()).Spec.Volumes;

        Assert.Equal(3, first.Count);
        Assert.Same(first[0], second[0]);
        Assert.Same(first[0], first[2]);
        Assert.Equal("/var/log", first[1].HostPath.Path);
        Assert.Equal("logs", first[1].Name);
    }

    [Fact]
    public void Workload_status_and_kubectl_last_applied_go_namespace_annotations_stay()
    {
        var trimming = new CacheTrimming();
        var deployment = trimming.Trim(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { [CacheTrimming.LastAppliedAnnotation] = "{}" } },
            Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] } } },
            Status = new V1DeploymentStatus { Replicas = 3 },
        });
        var ns = trimming.Trim(new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                Name = "shop",
                Annotations = new Dictionary<string, string> { [CacheTrimming.LastAppliedAnnotation] = "{}", ["eks-hardening.io/psa-labelled-by"] = "prod" },
            },
        });

        Assert.Null(deployment.Status);
        Assert.Null(deployment.Metadata.Annotations);
        Assert.Equal(["eks-hardening.io/psa-labelled-by"], ns.Metadata.Annotations!.Keys);
    }

    [Fact]
    public void ReplicationControllers_and_PodTemplates_are_trimmed_like_the_other_workloads()
    {
        static V1PodTemplateSpec Template() => new()
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "legacy" }, Annotations = new Dictionary<string, string> { ["prometheus.io/scrape"] = "true" } },
            Spec = new V1PodSpec { NodeSelector = new Dictionary<string, string> { ["zone"] = "a" }, Containers = [new V1Container { Name = "app", Image = "nginx:1.27", Env = [new V1EnvVar { Name = "A", Value = "b" }] }] },
        };

        var trimming = new CacheTrimming();
        var controller = trimming.Trim(new V1ReplicationController
        {
            Metadata = new V1ObjectMeta { Name = "legacy", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { [CacheTrimming.LastAppliedAnnotation] = "{}" } },
            Spec = new V1ReplicationControllerSpec { Template = Template() },
            Status = new V1ReplicationControllerStatus { Replicas = 2 },
        });
        var podTemplate = trimming.Trim(new V1PodTemplate { Metadata = new V1ObjectMeta { Name = "tpl", NamespaceProperty = "shop" }, Template = Template() });

        Assert.Null(controller.Status);
        Assert.Null(controller.Metadata.Annotations);
        foreach (var template in new[] { controller.Spec.Template, podTemplate.Template })
        {
            Assert.Null(template.Metadata.Annotations);
            Assert.Null(template.Spec.NodeSelector);
            Assert.Null(template.Spec.Containers[0].Env);
            Assert.Equal("nginx:1.27", template.Spec.Containers[0].Image);
        }

        // Trimmed equal specs are one shared instance, whichever kind holds them.
        Assert.Same(controller.Spec.Template.Spec, podTemplate.Template.Spec);
    }

    [Fact]
    public void Equal_values_are_shared_read_only()
    {
        var trimming = new CacheTrimming();
        var a = trimming.Trim(Pod());
        var b = trimming.Trim(Pod("web-2"));

        Assert.Same(a.Metadata.Labels, b.Metadata.Labels);
        Assert.Same(a.Spec.Containers[0].Resources.Limits, b.Spec.Containers[0].Resources.Limits);
        Assert.Same(a.Spec.Containers[0].SecurityContext.Capabilities.Drop, b.Spec.Containers[0].SecurityContext.Capabilities.Drop);
        Assert.Throws<NotSupportedException>(() => a.Metadata.Labels["app"] = "other");
    }

    [Fact]
    public void Replicas_share_their_owner_list_and_lose_their_name_prefix_and_finalizers()
    {
        var trimming = new CacheTrimming();
        var a = trimming.Trim(Replica("web-7d9f-aaaaa"));
        var b = trimming.Trim(Replica("web-7d9f-bbbbb"));
        var other = trimming.Trim(Replica("api-5c4b-ccccc", owner: "api-5c4b"));

        Assert.Same(a.Metadata.OwnerReferences, b.Metadata.OwnerReferences);
        Assert.NotSame(a.Metadata.OwnerReferences, other.Metadata.OwnerReferences);
        Assert.Equal(("ReplicaSet", "web-7d9f", "rs-web-7d9f"), (a.Metadata.OwnerReferences[0].Kind, a.Metadata.OwnerReferences[0].Name, a.Metadata.OwnerReferences[0].Uid));
        Assert.Equal(("web-7d9f-aaaaa", "pod-web-7d9f-aaaaa"), (a.Metadata.Name, a.Metadata.Uid));
        Assert.Null(a.Metadata.GenerateName);
        Assert.Null(a.Metadata.Finalizers);
        Assert.Throws<NotSupportedException>(() => a.Metadata.OwnerReferences.Clear());
    }

    private static V1Pod Replica(string name, string owner = "web-7d9f") => KubernetesJson.Deserialize<V1Pod>($$$"""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "{{{name}}}", "generateName": "{{{owner}}}-", "namespace": "shop", "uid": "pod-{{{name}}}", "finalizers": ["example.com/hold"],
           "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "{{{owner}}}", "uid": "rs-{{{owner}}}", "controller": true}]},
         "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1"}]}}
        """);

    [Fact]
    public void The_shared_pools_start_afresh_when_full()
    {
        var values = new SharedValues(capacity: 2);
        var first = values.Share(new string('x', 3));
        values.Share("b");
        values.Share("c");

        Assert.NotSame(first, values.Share(new string('x', 3)));
        Assert.Same(values.Share("d"), values.Share(new string('d', 1)));
    }

    [Fact]
    public void A_pod_status_update_is_not_a_rule_input_change_but_a_new_image_digest_or_label_is()
    {
        var trimming = new CacheTrimming();
        var before = trimming.Trim(Pod());
        var conditions = Pod();
        conditions.Metadata.ResourceVersion = "2";
        conditions.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "False" }];
        var digest = Pod();
        digest.Status.ContainerStatuses[0].ImageID = "registry.example.com/app@sha256:" + new string('b', 64);
        var label = Pod();
        label.Metadata.Labels["tier"] = "web";
        var image = Pod();
        image.Spec.Containers[0].Image = "registry.example.com/app:2";

        Assert.True(CacheTrimming.SameRuleInputs(before, trimming.Trim(conditions)));
        Assert.False(CacheTrimming.SameRuleInputs(before, trimming.Trim(digest)));
        Assert.False(CacheTrimming.SameRuleInputs(before, trimming.Trim(label)));
        Assert.False(CacheTrimming.SameRuleInputs(before, trimming.Trim(image)));
    }

    [Fact]
    public void Kinds_with_a_generation_change_their_rule_inputs_with_it_kinds_without_always_count_as_changed()
    {
        static V1Deployment Deployment(long generation, int replicas) => new()
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Generation = generation },
            Status = new V1DeploymentStatus { Replicas = replicas },
        };
        var trimming = new CacheTrimming();
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } };

        Assert.True(CacheTrimming.SameRuleInputs(trimming.Trim(Deployment(1, 1)), trimming.Trim(Deployment(1, 3))));
        Assert.False(CacheTrimming.SameRuleInputs(trimming.Trim(Deployment(1, 1)), trimming.Trim(Deployment(2, 1))));
        Assert.False(CacheTrimming.SameRuleInputs(ns, ns));
    }

    private static V1Pod Pod(string name = "web-1") => KubernetesJson.Deserialize<V1Pod>($$$$"""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "{{{{name}}}}", "namespace": "shop", "resourceVersion": "1", "labels": {"app": "web"},
           "annotations": {"{{{{AppArmor}}}}": "runtime/default", "prometheus.io/scrape": "true"},
           "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}]},
         "spec": {
           "containers": [{"name": "app", "image": "registry.example.com/app:1", "ports": [{"containerPort": 8080}],
             "env": [{"name": "A", "value": "1"}], "volumeMounts": [{"name": "token", "mountPath": "/var/run"}],
             "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}},
             "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
             "readinessProbe": {"httpGet": {"host": "10.0.0.1", "path": "/ready", "port": 8080}},
             "securityContext": {"readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}}],
           "volumes": [
             {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
             {"name": "logs", "hostPath": {"path": "/var/log"}},
             {"name": "config", "configMap": {"name": "web"}}],
           "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}], "nodeName": "node-1"},
         "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
           "containerStatuses": [{"name": "app", "image": "registry.example.com/app:1", "imageID": "registry.example.com/app@sha256:{{{{new string('a', 64)}}}}",
             "ready": true, "restartCount": 0, "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}}
        """);

    /// <summary>
    /// The duties' kinds keep no generation: an update counts as a change only when what the rules read of it changed,
    /// so a node's heartbeat status or a claim's binding does not re-evaluate every policy.
    /// </summary>
    [Theory]
    [InlineData("node conditions", false)]
    [InlineData("node kubelet version", true)]
    [InlineData("node label", true)]
    [InlineData("node instance (spec.providerID)", true)]
    [InlineData("claim phase", false)]
    [InlineData("claim class", true)]
    [InlineData("service load balancer status", false)]
    [InlineData("service port", true)]
    [InlineData("storage class parameter", true)]
    [InlineData("binding subject", true)]
    [InlineData("role rule", true)]
    [InlineData("aws-auth data", true)]
    public void A_duty_object_s_update_is_a_change_only_when_a_rule_input_changed(string update, bool changed)
    {
        var (before, after) = Versions(update);
        var trimming = new CacheTrimming();
        Assert.Equal(!changed, CacheTrimming.SameRuleInputs(trimming.Trim(before), trimming.Trim(after)));
    }

    [Fact]
    public void A_node_keeps_its_instance_and_kubelet_version_and_nothing_else_of_spec_and_status()
    {
        var node = (V1Node)new CacheTrimming().Trim(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n" },
            Spec = new V1NodeSpec { ProviderID = "aws:///eu-west-1a/i-0abc", PodCIDR = "10.0.1.0/24", Taints = [new V1Taint { Key = "k", Effect = "NoSchedule" }] },
            Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.31.2", OsImage = "Amazon Linux 2023" }, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        });
        Assert.Equal("aws:///eu-west-1a/i-0abc", node.Spec.ProviderID);
        Assert.Null(node.Spec.PodCIDR);
        Assert.Null(node.Spec.Taints);
        Assert.Equal("v1.31.2", node.Status.NodeInfo.KubeletVersion);
        Assert.Null(node.Status.Conditions);
    }

    private static (IKubernetesObject<V1ObjectMeta> Before, IKubernetesObject<V1ObjectMeta> After) Versions(string update)
    {
        V1Node Node(string kubelet, string ready, string zone, string instance = "i-1") => new()
        {
            Metadata = new V1ObjectMeta { Name = "n", ResourceVersion = ready, Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = zone } },
            Spec = new V1NodeSpec { ProviderID = $"aws:///eu-west-1a/{instance}", PodCIDR = "10.0.1.0/24" },
            Status = new V1NodeStatus
            {
                NodeInfo = new V1NodeSystemInfo { KubeletVersion = kubelet, OsImage = "Amazon Linux 2023" },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = ready }],
            },
        };
        V1PersistentVolumeClaim Claim(string className, string phase) => new()
        {
            Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "shop" },
            Spec = new V1PersistentVolumeClaimSpec { StorageClassName = className },
            Status = new V1PersistentVolumeClaimStatus { Phase = phase },
        };
        V1Service Service(int port, string? hostname) => new()
        {
            Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "shop" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = port }] },
            Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = hostname is null ? null : [new V1LoadBalancerIngress { Hostname = hostname }] } },
        };
        V1StorageClass Class(string encrypted) => new()
        {
            Metadata = new V1ObjectMeta { Name = "gp3" }, Provisioner = "ebs.csi.aws.com", Parameters = new Dictionary<string, string> { ["encrypted"] = encrypted },
        };
        V1ClusterRoleBinding Binding(string subject) => new()
        {
            Metadata = new V1ObjectMeta { Name = "b" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "Group", Name = subject }],
        };
        V1Role Role(string verb) => new()
        {
            Metadata = new V1ObjectMeta { Name = "r", NamespaceProperty = "shop" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = [verb] }],
        };
        V1ConfigMap AwsAuth(string group) => new()
        {
            Metadata = new V1ObjectMeta { Name = "aws-auth", NamespaceProperty = "kube-system" },
            Data = new Dictionary<string, string> { ["mapRoles"] = $"- rolearn: arn:aws:iam::1:role/x\n  groups: [{group}]" },
        };
        return update switch
        {
            "node conditions" => (Node("v1.31.2", "True", "a"), Node("v1.31.2", "False", "a")),
            "node kubelet version" => (Node("v1.31.2", "True", "a"), Node("v1.32.0", "True", "a")),
            "node label" => (Node("v1.31.2", "True", "a"), Node("v1.31.2", "True", "b")),
            "node instance (spec.providerID)" => (Node("v1.31.2", "True", "a"), Node("v1.31.2", "True", "a", "i-2")),
            "claim phase" => (Claim("gp3", "Pending"), Claim("gp3", "Bound")),
            "claim class" => (Claim("gp3", "Pending"), Claim("gp2", "Pending")),
            "service load balancer status" => (Service(443, null), Service(443, "lb.example.com")),
            "service port" => (Service(443, null), Service(80, null)),
            "storage class parameter" => (Class("false"), Class("true")),
            "binding subject" => (Binding("readers"), Binding("system:authenticated")),
            "role rule" => (Role("get"), Role("list")),
            "aws-auth data" => (AwsAuth("system:nodes"), AwsAuth("system:masters")),
            _ => throw new ArgumentOutOfRangeException(nameof(update), update, null),
        };
    }
}
