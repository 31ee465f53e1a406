namespace EksHardening.Benchmarks;

/// <summary>
/// A synthetic cluster for the rule-engine benchmark: Deployments spread over namespaces, each
/// namespace with NetworkPolicies and ServiceAccounts; half the workloads restricted and pinned,
/// half breaking most rules, so both the pass and the fail paths are measured.
/// </summary>
public static class SyntheticCluster
{
    private const string Digest = "sha256:4f5e1c3b2a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";

    /// <param name="violatingShare">Fraction of workloads that break most rules (0 = all compliant).</param>
    public static ClusterSnapshot Build(int workloads, int namespaceCount, double violatingShare = 0.5)
    {
        var namespaces = new List<V1Namespace>();
        var policies = new List<V1NetworkPolicy>();
        var accounts = new List<V1ServiceAccount>();
        for (var n = 0; n < namespaceCount; n++)
        {
            var ns = $"team-{n}";
            namespaces.Add(new V1Namespace
            {
                Metadata = new V1ObjectMeta
                {
                    Name = ns,
                    Labels = new Dictionary<string, string> { ["env"] = "prod", ["pod-security.kubernetes.io/enforce"] = n % 2 == 0 ? "restricted" : "baseline" },
                },
            });
            if (n % 3 != 0)
            {
                policies.Add(new V1NetworkPolicy
                {
                    Metadata = new V1ObjectMeta { Name = "default-deny", NamespaceProperty = ns },
                    Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
                });
            }

            policies.Add(new V1NetworkPolicy
            {
                Metadata = new V1ObjectMeta { Name = "egress-https", NamespaceProperty = ns },
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["tier"] = "web" } },
                    PolicyTypes = ["Egress"],
                    Egress =
                    [
                        new V1NetworkPolicyEgressRule
                        {
                            To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = n % 4 == 0 ? null : ["169.254.169.254/32"] } }],
                            Ports = [new V1NetworkPolicyPort { Port = 443, Protocol = "TCP" }],
                        },
                    ],
                },
            });
            accounts.Add(new V1ServiceAccount
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "app",
                    NamespaceProperty = ns,
                    Annotations = new Dictionary<string, string> { [ClusterSnapshot.RoleArnAnnotation] = $"arn:aws:iam::111122223333:role/team-{n % (namespaceCount / 2 + 1)}" },
                },
            });
        }

        var views = new List<WorkloadView>(workloads);
        for (var i = 0; i < workloads; i++)
        {
            var violating = violatingShare > 0 && i % (int)Math.Round(1 / violatingShare) == 0;
            var deployment = violating ? Violating(i, $"team-{i % namespaceCount}") : Compliant(i, $"team-{i % namespaceCount}");
            views.Add(WorkloadView.TryCreate(deployment)!);
        }

        return new ClusterSnapshot(views, namespaces, policies, accounts);
    }

    private static V1Deployment Deployment(int i, string ns, V1PodSpec spec) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = $"app-{i}", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = $"app-{i}" } },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = $"app-{i}" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = $"app-{i}", ["tier"] = i % 3 == 0 ? "web" : "worker" } },
                Spec = spec,
            },
        },
    };

    private static V1Deployment Compliant(int i, string ns) => Deployment(i, ns, new V1PodSpec
    {
        ServiceAccountName = "app",
        SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 10001, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = $"111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app-{i % 50}:1.{i % 7}@{Digest}",
                Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("256Mi") } },
                SecurityContext = new V1SecurityContext
                {
                    AllowPrivilegeEscalation = false,
                    ReadOnlyRootFilesystem = true,
                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                },
                Ports = [new V1ContainerPort { ContainerPort = 8080 }],
            },
        ],
    });

    private static V1Deployment Violating(int i, string ns) => Deployment(i, ns, new V1PodSpec
    {
        HostNetwork = i % 5 == 0,
        Volumes = [new V1Volume { Name = "data", HostPath = new V1HostPathVolumeSource { Path = "/var/data" } }],
        InitContainers = [new V1Container { Name = "init", Image = "busybox" }],
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = "nginx:latest",
                SecurityContext = new V1SecurityContext { Privileged = i % 4 == 0, Capabilities = new V1Capabilities { Add = ["NET_ADMIN"] } },
                Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = i % 3 == 0 ? 80 : null }],
            },
            new V1Container { Name = "sidecar", Image = "docker.io/envoyproxy/envoy:v1.30.1" },
        ],
    });
}
