namespace EksHardening.Operator.Testing.Testbed;

/// <summary>A small mixed cluster: namespaces in and out of scope, NetworkPolicies, ServiceAccounts and 50 workloads of every kind.</summary>
public static class MixedWorkloads
{
    public const string Policy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: production}
        spec:
          mode: Audit
          match:
            namespaceSelector: {matchLabels: {env: prod}}
          imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"], disallowLatestTag: true}
          networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true, blockInstanceMetadata: true}
          irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
          podSecurity: {level: restricted, requireResourceLimits: true, requireNamespaceLabel: true}
        """;

    public const string Ecr = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";

    public static IEnumerable<object> Namespaces() =>
    [
        Namespace("prod-a", new() { ["env"] = "prod", ["pod-security.kubernetes.io/enforce"] = "restricted" }),
        Namespace("prod-b", new() { ["env"] = "prod" }),
        Namespace("dev", new() { ["env"] = "dev" }),
        new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = "default-deny", NamespaceProperty = "prod-a" },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
        },
        Account("app", "prod-a", role: "arn:aws:iam::111122223333:role/app-a"),
        Account("app", "prod-b", role: "arn:aws:iam::111122223333:role/shared"),
        Account("worker", "dev", role: "arn:aws:iam::111122223333:role/shared"),
        Account("quiet", "prod-b", automount: false),
    ];

    /// <summary>50 workloads: every kind, compliant and not, in and out of scope.</summary>
    public static IEnumerable<object> Workloads()
    {
        string[] namespaces = ["prod-a", "prod-b", "dev"];
        for (var i = 0; i < 50; i++)
        {
            // Shift the namespace every six workloads so that every kind lands in every namespace.
            var ns = namespaces[(i + i / 6) % 3];
            var compliant = i % 2 == 0;
            var spec = PodSpec(compliant, i);
            var name = $"w{i:00}";
            yield return (i % 6) switch
            {
                0 => new V1Deployment { ApiVersion = "apps/v1", Kind = "Deployment", Metadata = Meta(name, ns), Spec = new V1DeploymentSpec { Selector = Selector(name), Template = Template(name, spec) } },
                1 => new V1StatefulSet { ApiVersion = "apps/v1", Kind = "StatefulSet", Metadata = Meta(name, ns), Spec = new V1StatefulSetSpec { Selector = Selector(name), Template = Template(name, spec) } },
                2 => new V1DaemonSet { ApiVersion = "apps/v1", Kind = "DaemonSet", Metadata = Meta(name, ns), Spec = new V1DaemonSetSpec { Selector = Selector(name), Template = Template(name, spec) } },
                3 => new V1Job { ApiVersion = "batch/v1", Kind = "Job", Metadata = Meta(name, ns), Spec = new V1JobSpec { Template = Template(name, spec) } },
                4 => new V1CronJob { ApiVersion = "batch/v1", Kind = "CronJob", Metadata = Meta(name, ns), Spec = new V1CronJobSpec { Schedule = "@hourly", JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template(name, spec) } } } },
                _ => new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = Meta(name, ns, new() { ["app"] = name }), Spec = spec },
            };
        }
    }

    public static V1PodSpec PodSpec(bool compliant, int i) => compliant
        ? new V1PodSpec
        {
            ServiceAccountName = "app",
            SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 1000 + i, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
            Containers =
            [
                new V1Container
                {
                    Name = "app", Image = $"{Ecr}/app-{i}:1.0",
                    Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("1Gi") } },
                    SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                },
            ],
        }
        : new V1PodSpec
        {
            HostNetwork = i % 5 == 1,
            Containers = [new V1Container { Name = "app", Image = "nginx:latest", SecurityContext = new V1SecurityContext { Privileged = i % 3 == 1 } }],
        };

    private static V1Namespace Namespace(string name, Dictionary<string, string> labels) =>
        new() { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name, Labels = labels } };

    private static V1ServiceAccount Account(string name, string ns, string? role = null, bool? automount = null) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Annotations = role is null ? null : new Dictionary<string, string> { ["eks.amazonaws.com/role-arn"] = role },
        },
        AutomountServiceAccountToken = automount,
    };

    private static V1ObjectMeta Meta(string name, string ns, Dictionary<string, string>? labels = null) =>
        new() { Name = name, NamespaceProperty = ns, Labels = labels };

    private static V1LabelSelector Selector(string name) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = name } };

    private static V1PodTemplateSpec Template(string name, V1PodSpec spec) =>
        new() { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } }, Spec = spec };
}
