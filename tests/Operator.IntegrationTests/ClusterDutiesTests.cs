namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The rbac, encryption and nodes duties in the operator, against the API emulator: a cluster with a CI service
/// account bound to cluster-admin, an unencrypted default StorageClass with two claims mounted by a Deployment, an
/// Ingress without TLS and a node three minors behind the API server. The status converges to what the rule engine
/// says of the same objects, and fixing each fault clears its findings.
/// </summary>
public sealed class ClusterDutiesTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string PolicyName = "duties";

    private const string Policy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: duties}
        spec:
          mode: Audit
          rbac: {disallowClusterAdminBindings: true, restrictWorkloadPrivileges: true, disallowSystemMastersMapping: true}
          encryption: {requireEncryptedVolumes: true, requireTlsIngress: true}
          nodes: {maxKubeletSkew: 1, maxNodeAge: 720h}
        """;

    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        _bed.Emulator.SeedMany(MixedCluster());
        await _bed.CreatePolicyAsync(Policy);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task The_status_converges_to_the_rule_engine_and_fixing_each_fault_clears_its_findings()
    {
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        var rules = ViolatedRules();
        Assert.Contains(("rbac.cluster-admin-bound", "ClusterRoleBinding", "ci-admin"), rules);
        Assert.Contains(("rbac.workload-privileges", "Deployment", "db"), rules);
        Assert.Contains(("encryption.volumes", "PersistentVolumeClaim", "data-a"), rules);
        Assert.Contains(("encryption.volumes", "PersistentVolumeClaim", "data-b"), rules);
        Assert.Contains(("encryption.volumes", "Deployment", "db"), rules);
        Assert.Contains(("encryption.ingress-tls", "Ingress", "web"), rules);
        Assert.Contains(("node.kubelet-skew", "Node", "ip-10-0-1-1"), rules);
        // aws-auth maps the node role to the node groups only; the node is new.
        Assert.DoesNotContain(rules, r => r.Rule is "rbac.system-masters-mapping" or "node.max-age");
        // The duties' informers run because this policy turned them on, and the version came from /version.
        var informers = app.Services.GetRequiredService<ClusterInformers>();
        Assert.All(Enum.GetValues<DutyInformers>().Where(d => d != DutyInformers.None), d => Assert.True(informers.DutySynced(d), $"{d} synced"));
        Assert.Equal(_bed.Emulator.Options.ServerVersion, informers.ApiServerVersion);

        // The CI account loses cluster-admin: the binding's finding goes, and so does the Deployment's that runs as it.
        await _bed.Client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync("ci-admin");
        await _bed.ConvergedAsync(PolicyName);
        Assert.DoesNotContain(ViolatedRules(), r => r.Rule.StartsWith("rbac.", StringComparison.Ordinal));

        // The StorageClass is replaced by an encrypted one of the same name (parameters are immutable).
        await _bed.Client.StorageV1.DeleteStorageClassAsync("gp2");
        await _bed.Client.StorageV1.CreateStorageClassAsync(StorageClass(encrypted: true));
        await _bed.ConvergedAsync(PolicyName);
        Assert.DoesNotContain(ViolatedRules(), r => r.Rule == "encryption.volumes");

        // The Ingress gets TLS.
        var ingress = await _bed.Client.NetworkingV1.ReadNamespacedIngressAsync("web", Ns);
        ingress.Spec.Tls = [new V1IngressTLS { Hosts = ["shop.example.com"], SecretName = "shop-tls" }];
        await _bed.Client.NetworkingV1.ReplaceNamespacedIngressAsync(ingress, "web", Ns);
        await _bed.ConvergedAsync(PolicyName);
        Assert.DoesNotContain(ViolatedRules(), r => r.Rule == "encryption.ingress-tls");

        // The node is upgraded (the kubelet reports its version in status, which only the kubelet writes).
        _bed.Emulator.Seed(Node("v1.33.1-eks-1234abc"));
        await _bed.ConvergedAsync(PolicyName);
        Assert.DoesNotContain(ViolatedRules(), r => r.Rule == "node.kubelet-skew");
        Assert.Equal(0, _bed.Policy(PolicyName)!.Status.TotalViolations);
    }

    [Fact]
    public async Task A_control_plane_upgrade_is_read_from_version_and_re_judges_the_nodes()
    {
        // The node's kubelet v1.30 is one minor behind a v1.31 control plane: within maxKubeletSkew 1.
        _bed.Emulator.Options.ServerVersion = "v1.31.4-eks-5678def";
        var first = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        Assert.DoesNotContain(ViolatedRules(), r => r.Rule == "node.kubelet-skew");

        // The control plane goes to v1.33: the node is three behind. An operator asks /version at start and once a
        // minute after (the minute is a unit test's, on a fake clock); a restarted one reads the new version.
        await _bed.StopOperatorAsync(first);
        _bed.Emulator.Options.ServerVersion = "v1.33.0-eks-9abcdef";
        var second = await _bed.StartOperatorAsync("operator-b");
        await _bed.ConvergedAsync(PolicyName);
        Assert.Equal("v1.33.0-eks-9abcdef", second.Services.GetRequiredService<ClusterInformers>().ApiServerVersion);
        Assert.Contains(("node.kubelet-skew", "Node", "ip-10-0-1-1"), ViolatedRules());
    }

    private List<(string Rule, string Kind, string Name)> ViolatedRules() =>
        [.. _bed.Policy(PolicyName)!.Status.Violations!.Select(v => (v.Rule, v.Kind, v.Name))];

    private static IEnumerable<object> MixedCluster()
    {
        const string rbacGroup = "rbac.authorization.k8s.io";
        var bootstrap = new Dictionary<string, string> { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        yield return new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } };
        yield return new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "ci", NamespaceProperty = Ns } };
        yield return new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "cluster-admin", Labels = bootstrap },
            Rules =
            [
                new V1PolicyRule { ApiGroups = ["*"], Resources = ["*"], Verbs = ["*"] },
                new V1PolicyRule { NonResourceURLs = ["*"], Verbs = ["*"] },
            ],
        };
        yield return new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "cluster-admin", Labels = bootstrap },
            RoleRef = new V1RoleRef { ApiGroup = rbacGroup, Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Rbacv1Subject { ApiGroup = rbacGroup, Kind = "Group", Name = "system:masters" }],
        };
        yield return new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "ci-admin" },
            RoleRef = new V1RoleRef { ApiGroup = rbacGroup, Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ci", NamespaceProperty = Ns }],
        };
        yield return new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "aws-auth", NamespaceProperty = "kube-system" },
            Data = new Dictionary<string, string>
            {
                ["mapRoles"] = """
                    - rolearn: arn:aws:iam::111122223333:role/eks-node
                      username: system:node:{{EC2PrivateDNSName}}
                      groups: [system:bootstrappers, system:nodes]
                    """,
            },
        };
        // Another ConfigMap in kube-system, which the operator neither watches nor needs.
        yield return new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "coredns", NamespaceProperty = "kube-system" }, Data = new Dictionary<string, string> { ["Corefile"] = ".:53 {}" } };
        yield return StorageClass(encrypted: false);
        foreach (var claim in new[] { "data-a", "data-b" })
        {
            yield return new V1PersistentVolumeClaim
            {
                Metadata = new V1ObjectMeta { Name = claim, NamespaceProperty = Ns },
                Spec = new V1PersistentVolumeClaimSpec
                {
                    AccessModes = ["ReadWriteOnce"],
                    Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") } },
                },
            };
        }

        yield return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db" } },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = "ci",
                        Containers = [new V1Container { Name = "db", Image = "postgres:16" }],
                        Volumes =
                        [
                            new V1Volume { Name = "a", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data-a" } },
                            new V1Volume { Name = "b", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data-b" } },
                        ],
                    },
                },
            },
        };
        yield return new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
            Spec = new V1ServiceSpec { Type = "ClusterIP", Ports = [new V1ServicePort { Port = 80 }] },
        };
        yield return new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns },
            Spec = new V1IngressSpec
            {
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = "shop.example.com",
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = "web", Port = new V1ServiceBackendPort { Number = 80 } } } }],
                        },
                    },
                ],
            },
        };
        yield return Node("v1.30.4-eks-1234abc");
    }

    private static V1StorageClass StorageClass(bool encrypted) => new()
    {
        Metadata = new V1ObjectMeta { Name = "gp2", Annotations = new Dictionary<string, string> { ["storageclass.kubernetes.io/is-default-class"] = "true" } },
        Provisioner = "ebs.csi.aws.com",
        Parameters = encrypted ? new Dictionary<string, string> { ["type"] = "gp3", ["encrypted"] = "true" } : new Dictionary<string, string> { ["type"] = "gp3" },
    };

    private static V1Node Node(string kubeletVersion) => new()
    {
        Metadata = new V1ObjectMeta { Name = "ip-10-0-1-1" },
        Status = new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { KubeletVersion = kubeletVersion } },
    };
}
