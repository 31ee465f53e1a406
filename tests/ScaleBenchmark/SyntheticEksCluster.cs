namespace EksHardening.ScaleBenchmark;

/// <summary>The updates of the change-latency phase: each turns one policy's verdict on one object from compliant to violating.</summary>
internal enum ClusterChange
{
    /// <summary>A Deployment gets a privileged container (<see cref="WorkloadChange.Privileged"/>).</summary>
    Privileged,
    /// <summary>A Deployment's image becomes nginx:latest (<see cref="WorkloadChange.LatestImage"/>).</summary>
    LatestImage,
    /// <summary>A Deployment runs as the default ServiceAccount (<see cref="WorkloadChange.DefaultServiceAccount"/>).</summary>
    DefaultServiceAccount,
    /// <summary>A namespace's break-glass RoleBinding to cluster-admin gets a user besides the allowed on-call group: <c>rbac.cluster-admin-bound</c> fails on it.</summary>
    BreakGlassUser,
    /// <summary>An Ingress loses its TLS (spec.tls, or the ALB's HTTPS listener): <c>encryption.ingress-tls</c> fails on it.</summary>
    IngressWithoutTls,
}

/// <summary>The changes a workload update makes: each turns one policy's verdict on one Deployment from compliant to violating.</summary>
[Flags]
internal enum WorkloadChange
{
    None = 0,
    /// <summary>A privileged container: <c>workload-security</c> (Pod Security Standards) fails.</summary>
    Privileged = 1,
    /// <summary>An image from Docker Hub with the :latest tag: <c>image-provenance</c> fails.</summary>
    LatestImage = 2,
    /// <summary>The namespace's default ServiceAccount: <c>network-identity</c> (IRSA) fails.</summary>
    DefaultServiceAccount = 4,
}

/// <summary>
/// A synthetic EKS cluster of N pods, shaped as the scale issues describe: N pods owned (through ReplicaSets)
/// by N/5 Deployments, one StatefulSet (3 replicas, a claim each), DaemonSet and Job per namespace, N/20 namespaces
/// each with NetworkPolicies, ServiceAccounts and 5 RBAC objects; a Service and an Ingress per Deployment, a Node per
/// 30 pods, three StorageClasses, an EKS cluster's built-in ClusterRoles and ClusterRoleBindings and kube-system/aws-auth
/// (<see cref="SyntheticEksCluster"/>'s other parts). Objects look like what a real API server returns — managedFields,
/// kubectl's last-applied annotation, pod and node status — so that list and cache sizes are realistic. About one
/// workload in ten violates each workload policy, and the cluster duties find some of each fault. Everything is
/// deterministic (names, uids) but the nodes' ages, which count from the day the cluster is built.
/// </summary>
internal sealed partial class SyntheticEksCluster
{
    public const string Registry = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private const int PodsPerDeployment = 5;
    private const int PodsPerNamespace = 20;
    private const int PodsPerNode = 30;
    private const int StatefulSetReplicas = 3;
    private static readonly DateTime Created = new(2026, 1, 5, 9, 30, 0, DateTimeKind.Utc);
    private static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public SyntheticEksCluster(int pods)
    {
        Deployments = pods / PodsPerDeployment;
        Pods = Deployments * PodsPerDeployment;
        NamespaceCount = Math.Max(1, pods / PodsPerNamespace);
        NodeCount = Math.Max(1, (Pods + PodsPerNode - 1) / PodsPerNode);
        Today = DateTime.UtcNow.Date;
    }

    public int Pods { get; }
    public int Deployments { get; }
    public int NamespaceCount { get; }
    public int NodeCount { get; }

    /// <summary>The day the nodes' ages count from (node.max-age judges creationTimestamp against the clock).</summary>
    public DateTime Today { get; }

    /// <summary>Namespaces first, then what lives in them; pods last.</summary>
    public IEnumerable<object> Objects()
    {
        for (var s = 0; s < SystemNamespaces.Length; s++) yield return Namespace(SystemNamespaces[s], Uid(12, s), []);
        for (var n = 0; n < NamespaceCount; n++) yield return Namespace(NamespaceName(n), Uid(2, n), NamespaceLabels(n));
        foreach (var obj in ClusterScopedObjects()) yield return obj;

        for (var n = 0; n < NamespaceCount; n++)
        {
            foreach (var policy in NetworkPolicies(n)) yield return policy;
            yield return ServiceAccount(n, "default", role: null);
            yield return ServiceAccount(n, "app", role: $"arn:aws:iam::111122223333:role/team-{n:d4}");
            yield return RootCaConfigMap(NamespaceName(n), Uid(22, 100 + n));
            foreach (var rbac in NamespaceRbac(n, breakGlassAddedUser: false)) yield return rbac;
            yield return StatefulSet(n);
            for (var r = 0; r < StatefulSetReplicas; r++) yield return Claim(n, r);
            yield return DaemonSet(n);
            yield return Job(n);
        }

        for (var d = 0; d < Deployments; d++)
        {
            yield return Deployment(d, WorkloadChange.None);
            yield return ReplicaSet(d);
            yield return Service(d);
            yield return Ingress(d, IngressHasTls(d));
        }

        for (var d = 0; d < Deployments; d++)
        {
            for (var p = 0; p < PodsPerDeployment; p++) yield return Pod(d, p);
        }
    }

    /// <summary>
    /// The objects the update phase writes, in order, each with the policy whose violating count it raises by one: update
    /// i makes change i mod <paramref name="changes"/>.Count. Deployments are chosen by <see cref="UpdateTargets"/>; each
    /// break-glass binding and each Ingress is changed once, spread over the cluster.
    /// </summary>
    public IReadOnlyList<(object Object, ClusterChange Change, string Policy)> UpdatePlan(int count, IReadOnlyList<(ClusterChange Change, string Policy)> changes)
    {
        var sequence = Enumerable.Range(0, count).Select(i => changes[i % changes.Count]).ToList();
        var workloadKinds = changes.Count(c => ToWorkloadChange(c.Change) != WorkloadChange.None);
        var deployments = new Queue<int>(UpdateTargets(sequence.Count(c => ToWorkloadChange(c.Change) != WorkloadChange.None), workloadKinds));
        var bindings = new Queue<int>(Spread(Enumerable.Range(0, NamespaceCount).ToList(), sequence.Count(c => c.Change == ClusterChange.BreakGlassUser), "break-glass RoleBindings"));
        var ingresses = new Queue<int>(Spread(Enumerable.Range(0, Deployments).Where(IngressHasTls).ToList(), sequence.Count(c => c.Change == ClusterChange.IngressWithoutTls), "Ingresses with TLS"));
        var applied = new Dictionary<int, WorkloadChange>();
        var plan = new List<(object, ClusterChange, string)>(count);
        foreach (var (change, policy) in sequence)
        {
            switch (change)
            {
                case ClusterChange.BreakGlassUser:
                    var n = bindings.Dequeue();
                    plan.Add((NamespaceRbac(n, breakGlassAddedUser: true).OfType<V1RoleBinding>().Single(b => b.Metadata.Name == BreakGlassBinding), change, policy));
                    break;
                case ClusterChange.IngressWithoutTls:
                    plan.Add((Ingress(ingresses.Dequeue(), tls: false), change, policy));
                    break;
                default:
                    var d = deployments.Dequeue();
                    applied[d] = applied.GetValueOrDefault(d) | ToWorkloadChange(change);
                    plan.Add((Deployment(d, applied[d]), change, policy));
                    break;
            }
        }

        return plan;
    }

    private static WorkloadChange ToWorkloadChange(ClusterChange change) => change switch
    {
        ClusterChange.Privileged => WorkloadChange.Privileged,
        ClusterChange.LatestImage => WorkloadChange.LatestImage,
        ClusterChange.DefaultServiceAccount => WorkloadChange.DefaultServiceAccount,
        _ => WorkloadChange.None,
    };

    /// <summary><paramref name="count"/> distinct candidates spread evenly over the list.</summary>
    private static IEnumerable<int> Spread(List<int> candidates, int count, string what)
    {
        if (count > candidates.Count) throw new InvalidOperationException($"the cluster has {candidates.Count} {what}, too few for {count} updates");
        var step = candidates.Count / (double)Math.Max(1, count);
        return Enumerable.Range(0, count).Select(i => candidates[(int)(i * step)]);
    }

    /// <summary>
    /// The Deployment each update changes: Deployments compliant under all three policies (prod namespace with
    /// default-deny, compliant template), spread over the cluster. Update i makes change i mod 3, and no Deployment
    /// gets the same change twice, so every update adds one violating resource to exactly one policy.
    /// </summary>
    private IReadOnlyList<int> UpdateTargets(int count, int changeKinds)
    {
        // Not where the app account holds edit (rbac.workload-privileges): the default account would clear that finding.
        var candidates = Enumerable.Range(0, Deployments)
            .Where(d => DeploymentTemplateCompliant(d) && NamespaceIsProd(NamespaceOf(d)) && HasDefaultDeny(NamespaceOf(d))
                && !AppAccountCanEdit(d % NamespaceCount))
            .ToList();
        // Targets are reused round-robin; with a count not divisible by the number of change kinds, a reused target
        // always gets a change it has not had yet.
        var usable = candidates.Count % changeKinds == 0 ? candidates.Count - 1 : candidates.Count;
        if (usable * changeKinds < count)
        {
            throw new InvalidOperationException($"the cluster has {candidates.Count} Deployments that can be updated, too few for {count} updates");
        }

        var distinct = Math.Min(usable, count);
        var step = candidates.Count / (double)distinct;
        var targets = Enumerable.Range(0, distinct).Select(i => candidates[(int)(i * step)]).ToList();
        return [.. Enumerable.Range(0, count).Select(i => targets[i % distinct])];
    }

    public static string NamespaceName(int n) => $"team-{n:d4}";

    public static string DeploymentName(int d) => $"svc-{d:d6}";

    public string NamespaceOf(int deployment) => NamespaceName(deployment % NamespaceCount);

    public V1Deployment Deployment(int d, WorkloadChange change)
    {
        var name = DeploymentName(d);
        var ns = NamespaceOf(d);
        var template = Template(name, d, PodSpec(d, change), hash: null);
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(name, ns, Uid(1, d), new Dictionary<string, string> { ["app"] = name, ["team"] = ns }),
            Spec = new V1DeploymentSpec
            {
                Replicas = PodsPerDeployment,
                RevisionHistoryLimit = 10,
                ProgressDeadlineSeconds = 600,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = "25%" },
                },
                Template = template,
            },
            Status = new V1DeploymentStatus
            {
                ObservedGeneration = 1,
                Replicas = PodsPerDeployment,
                ReadyReplicas = PodsPerDeployment,
                AvailableReplicas = PodsPerDeployment,
                UpdatedReplicas = PodsPerDeployment,
                Conditions =
                [
                    new V1DeploymentCondition { Type = "Available", Status = "True", Reason = "MinimumReplicasAvailable", Message = "Deployment has minimum availability.", LastTransitionTime = Created, LastUpdateTime = Created },
                    new V1DeploymentCondition { Type = "Progressing", Status = "True", Reason = "NewReplicaSetAvailable", Message = $"ReplicaSet \"{name}-{Hash(d)}\" has successfully progressed.", LastTransitionTime = Created, LastUpdateTime = Created },
                ],
            },
        };
        deployment.Metadata.Annotations = new Dictionary<string, string>
        {
            ["deployment.kubernetes.io/revision"] = "1",
            ["kubectl.kubernetes.io/last-applied-configuration"] = LastApplied(deployment),
        };
        deployment.Metadata.ManagedFields =
        [
            Managed("kubectl-client-side-apply", "Update", null, SpecFields),
            Managed("kube-controller-manager", "Update", "status", StatusFields),
        ];
        return deployment;
    }

    private static bool DeploymentTemplateCompliant(int d) => d % 10 is not (3 or 7);

    private static bool NamespaceIsProd(string ns) => int.Parse(ns[5..], CultureInfo.InvariantCulture) % 4 != 3;

    private static bool HasDefaultDeny(string ns) => HasDefaultDeny(int.Parse(ns[5..], CultureInfo.InvariantCulture));

    private static bool HasDefaultDeny(int n) => n % 10 != 9;

    private static Dictionary<string, string> NamespaceLabels(int n)
    {
        var labels = new Dictionary<string, string>
        {
            ["env"] = n % 4 == 3 ? "dev" : "prod",
            ["team"] = NamespaceName(n),
        };
        if (n % 8 != 5) labels["pod-security.kubernetes.io/enforce"] = "restricted";
        return labels;
    }

    private static V1Namespace Namespace(string name, string uid, Dictionary<string, string> labels)
    {
        labels["kubernetes.io/metadata.name"] = name;
        return new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Uid = uid,
                CreationTimestamp = Created,
                Labels = labels,
                ManagedFields = [Managed("kubectl-client-side-apply", "Update", null, LabelFields)],
            },
            Spec = new V1NamespaceSpec { Finalizers = ["kubernetes"] },
            Status = new V1NamespaceStatus { Phase = "Active" },
        };
    }

    private static IEnumerable<V1NetworkPolicy> NetworkPolicies(int n)
    {
        var ns = NamespaceName(n);
        if (HasDefaultDeny(n))
        {
            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = Meta("default-deny", ns, Uid(3, n), null),
                Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
            };
        }

        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = Meta("allow-dns-egress", ns, Uid(4, n), null),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector(),
                PolicyTypes = ["Egress"],
                Egress =
                [
                    new V1NetworkPolicyEgressRule
                    {
                        To = [new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } } }],
                        Ports = [new V1NetworkPolicyPort { Port = 53, Protocol = "UDP" }, new V1NetworkPolicyPort { Port = 53, Protocol = "TCP" }],
                    },
                ],
            },
        };
    }

    private static V1ServiceAccount ServiceAccount(int n, string name, string? role)
    {
        var meta = Meta(name, NamespaceName(n), Uid(name == "default" ? 5 : 6, n), null);
        if (role is not null)
        {
            meta.Annotations = new Dictionary<string, string> { ["eks.amazonaws.com/role-arn"] = role };
        }

        return new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = meta };
    }

    private static V1StatefulSet StatefulSet(int n)
    {
        var name = "db";
        var claimTemplate = new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = ClaimTemplateName },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = ClaimTemplateClass(n),
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("20Gi") } },
            },
        };
        var template = Template(name, n, PodSpec(n, WorkloadChange.None), hash: null);
        template.Spec.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = ClaimTemplateName, MountPath = "/var/lib/data" });
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Meta(name, NamespaceName(n), Uid(7, n), new Dictionary<string, string> { ["app"] = name }),
            Spec = new V1StatefulSetSpec
            {
                Replicas = StatefulSetReplicas,
                ServiceName = name,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = template,
                VolumeClaimTemplates = [claimTemplate],
            },
            Status = new V1StatefulSetStatus { Replicas = StatefulSetReplicas, ReadyReplicas = StatefulSetReplicas, CurrentReplicas = StatefulSetReplicas, UpdatedReplicas = StatefulSetReplicas },
        };
    }

    private static V1DaemonSet DaemonSet(int n)
    {
        var name = "log-agent";
        var spec = PodSpec(n, WorkloadChange.None);
        if (n % 6 == 0)
        {
            // Log agents that read the node's logs: a hostPath volume, which the restricted level forbids.
            spec.Volumes.Add(new V1Volume { Name = "varlog", HostPath = new V1HostPathVolumeSource { Path = "/var/log", Type = "Directory" } });
        }

        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = Meta(name, NamespaceName(n), Uid(8, n), new Dictionary<string, string> { ["app"] = name }),
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = Template(name, n, spec, hash: null),
            },
            Status = new V1DaemonSetStatus { CurrentNumberScheduled = 3, DesiredNumberScheduled = 3, NumberMisscheduled = 0, NumberReady = 3 },
        };
    }

    private static V1Job Job(int n)
    {
        var name = "migrate";
        var spec = PodSpec(n, WorkloadChange.None);
        spec.RestartPolicy = "Never";
        if (n % 5 == 0) spec.Containers[0].Image = "busybox:1.36";   // not from an allowed registry
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(name, NamespaceName(n), Uid(9, n), new Dictionary<string, string> { ["app"] = name }),
            Spec = new V1JobSpec { BackoffLimit = 3, Template = Template(name, n, spec, hash: null) },
            Status = new V1JobStatus { Succeeded = 1, StartTime = Created, CompletionTime = Created.AddMinutes(2) },
        };
    }

    private V1ReplicaSet ReplicaSet(int d)
    {
        var deployment = DeploymentName(d);
        var name = $"{deployment}-{Hash(d)}";
        var meta = Meta(name, NamespaceOf(d), Uid(10, d), new Dictionary<string, string> { ["app"] = deployment, ["pod-template-hash"] = Hash(d) });
        meta.OwnerReferences = [Owner("apps/v1", "Deployment", deployment, Uid(1, d))];
        meta.Annotations = new Dictionary<string, string>
        {
            ["deployment.kubernetes.io/desired-replicas"] = "5",
            ["deployment.kubernetes.io/max-replicas"] = "7",
            ["deployment.kubernetes.io/revision"] = "1",
        };
        meta.ManagedFields = [Managed("kube-controller-manager", "Update", null, SpecFields), Managed("kube-controller-manager", "Update", "status", StatusFields)];
        return new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = meta,
            Spec = new V1ReplicaSetSpec
            {
                Replicas = PodsPerDeployment,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = deployment, ["pod-template-hash"] = Hash(d) } },
                Template = Template(deployment, d, PodSpec(d, WorkloadChange.None), Hash(d)),
            },
            Status = new V1ReplicaSetStatus { Replicas = PodsPerDeployment, ReadyReplicas = PodsPerDeployment, AvailableReplicas = PodsPerDeployment, FullyLabeledReplicas = PodsPerDeployment, ObservedGeneration = 1 },
        };
    }

    private V1Pod Pod(int d, int p)
    {
        var deployment = DeploymentName(d);
        var replicaSet = $"{deployment}-{Hash(d)}";
        var name = $"{replicaSet}-{Suffix(d * PodsPerDeployment + p)}";
        var index = d * PodsPerDeployment + p;
        var meta = Meta(name, NamespaceOf(d), Uid(11, index), new Dictionary<string, string> { ["app"] = deployment, ["team"] = NamespaceOf(d), ["pod-template-hash"] = Hash(d) });
        meta.GenerateName = replicaSet + "-";
        meta.Annotations = new Dictionary<string, string> { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9102" };
        meta.OwnerReferences = [Owner("apps/v1", "ReplicaSet", replicaSet, Uid(10, d))];
        meta.ManagedFields = [Managed("kube-controller-manager", "Update", null, SpecFields), Managed("kubelet", "Update", "status", StatusFields)];
        var spec = PodSpec(d, WorkloadChange.None);
        spec.NodeName = NodeName(index / PodsPerNode);
        spec.Tolerations =
        [
            new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
        ];
        spec.Volumes.Add(new V1Volume
        {
            Name = "kube-api-access-" + Suffix(index),
            Projected = new V1ProjectedVolumeSource
            {
                DefaultMode = 420,
                Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = 3607, Path = "token" } },
                    new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                    new V1VolumeProjection { DownwardAPI = new V1DownwardAPIProjection { Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }] } },
                ],
            },
        });
        var started = Created.AddMinutes(1);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = meta,
            Spec = spec,
            Status = new V1PodStatus
            {
                Phase = "Running",
                HostIP = NodeIp(index / PodsPerNode),
                PodIP = $"10.1.{index / 250 % 256}.{index % 250}",
                PodIPs = [new V1PodIP { Ip = $"10.1.{index / 250 % 256}.{index % 250}" }],
                StartTime = started,
                QosClass = "Guaranteed",
                Conditions =
                [
                    new V1PodCondition { Type = "PodReadyToStartContainers", Status = "True", LastTransitionTime = started },
                    new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = started },
                    new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = started },
                    new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = started },
                    new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = started },
                ],
                ContainerStatuses = [.. spec.Containers.Select((c, i) => new V1ContainerStatus
                {
                    Name = c.Name,
                    Image = c.Image,
                    ImageID = ImageId(c.Image),
                    ContainerID = $"containerd://{Digest($"{name}/{c.Name}")}",
                    Ready = true,
                    Started = true,
                    RestartCount = 0,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = started } },
                })],
            },
        };
    }

    /// <summary>The pod spec of a workload; <paramref name="i"/> picks its image and whether it is one of the violating tenth.</summary>
    private static V1PodSpec PodSpec(int i, WorkloadChange change)
    {
        var app = new V1Container
        {
            Name = "app",
            Image = change.HasFlag(WorkloadChange.LatestImage) || i % 10 == 3 ? "nginx:latest" : $"{Registry}/team-{i % 50:d2}/app-{i % 97}:1.{i % 13}.{i % 7}",
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080, Protocol = "TCP" }],
            Env =
            [
                new V1EnvVar { Name = "LOG_LEVEL", Value = "info" },
                new V1EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = "http://otel-collector.observability:4317" },
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } } },
            ],
            Resources = Resources("500m", "512Mi"),
            LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080, Scheme = "HTTP" }, PeriodSeconds = 10, TimeoutSeconds = 1, FailureThreshold = 3, SuccessThreshold = 1 },
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = 8080, Scheme = "HTTP" }, PeriodSeconds = 5, TimeoutSeconds = 1, FailureThreshold = 3, SuccessThreshold = 1 },
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = change.HasFlag(WorkloadChange.Privileged) ? null : false,
                Privileged = change.HasFlag(WorkloadChange.Privileged) ? true : null,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
            TerminationMessagePath = "/dev/termination-log",
            TerminationMessagePolicy = "File",
        };
        var exporter = new V1Container
        {
            Name = "metrics-exporter",
            Image = $"{Registry}/platform/metrics-exporter:0.9.{i % 5}",
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = 9102, Protocol = "TCP" }],
            Resources = Resources("50m", "64Mi"),
            SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, ReadOnlyRootFilesystem = true, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
            TerminationMessagePath = "/dev/termination-log",
            TerminationMessagePolicy = "File",
        };
        return new V1PodSpec
        {
            ServiceAccountName = change.HasFlag(WorkloadChange.DefaultServiceAccount) ? "default" : "app",
            ServiceAccount = change.HasFlag(WorkloadChange.DefaultServiceAccount) ? "default" : "app",
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = i % 10 == 7 ? null : true,
                RunAsUser = 10001,
                FsGroup = 10001,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Containers = [app, exporter],
            Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
            RestartPolicy = "Always",
            DnsPolicy = "ClusterFirst",
            SchedulerName = "default-scheduler",
            TerminationGracePeriodSeconds = 30,
            EnableServiceLinks = true,
            PreemptionPolicy = "PreemptLowerPriority",
            Priority = 0,
        };
    }

    private static V1ResourceRequirements Resources(string cpu, string memory)
    {
        var amounts = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) };
        return new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>(amounts), Limits = amounts };
    }

    private static V1PodTemplateSpec Template(string app, int i, V1PodSpec spec, string? hash)
    {
        var labels = new Dictionary<string, string> { ["app"] = app, ["tier"] = i % 3 == 0 ? "web" : "worker" };
        if (hash is not null) labels["pod-template-hash"] = hash;
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = labels, Annotations = new Dictionary<string, string> { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9102" } },
            Spec = spec,
        };
    }

    private static V1ObjectMeta Meta(string name, string ns, string uid, Dictionary<string, string>? labels) => new()
    {
        Name = name,
        NamespaceProperty = ns,
        Uid = uid,
        CreationTimestamp = Created,
        Generation = 1,
        Labels = labels,
    };

    private static V1OwnerReference Owner(string apiVersion, string kind, string name, string uid) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = uid, Controller = true, BlockOwnerDeletion = true };

    private static V1ManagedFieldsEntry Managed(string manager, string operation, string? subresource, JsonElement fields) => new()
    {
        Manager = manager,
        Operation = operation,
        Subresource = subresource,
        ApiVersion = "v1",
        FieldsType = "FieldsV1",
        FieldsV1 = fields,
        Time = Created,
    };

    private static string LastApplied(V1Deployment deployment) => k8s.KubernetesJson.Serialize(new V1Deployment
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = deployment.Metadata.Name, NamespaceProperty = deployment.Metadata.NamespaceProperty, Labels = deployment.Metadata.Labels },
        Spec = new V1DeploymentSpec { Replicas = deployment.Spec.Replicas, Selector = deployment.Spec.Selector, Template = deployment.Spec.Template },
    });

    private static string Uid(int kind, int index) => $"{kind:x8}-0000-4000-8000-{index:x12}";

    private static string Hash(int d) => ((uint)(d * 2654435761u)).ToString("x8", CultureInfo.InvariantCulture)[..8].Replace('0', 'b');

    private static string Suffix(int i) => ((uint)(i * 40503u + 12345u)).ToString("x5", CultureInfo.InvariantCulture)[^5..];

    private static string Digest(string seed) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));

    private static string? ImageId(string? image)
    {
        if (image is null) return null;
        var repository = image.LastIndexOf(':') is var colon and > 0 && colon > image.LastIndexOf('/') ? image[..colon] : image;
        if (!repository.Contains('/', StringComparison.Ordinal)) repository = "docker.io/library/" + repository;
        return $"{repository}@sha256:{Digest(image)}";
    }

    private static readonly JsonElement LabelFields = JsonDocument.Parse("""{"f:metadata":{"f:labels":{".":{},"f:env":{},"f:team":{}}}}""").RootElement;

    private static readonly JsonElement SpecFields = JsonDocument.Parse("""
        {"f:metadata":{"f:annotations":{".":{},"f:prometheus.io/port":{},"f:prometheus.io/scrape":{}},"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{},"f:team":{}},
         "f:ownerReferences":{".":{},"k:{\"uid\":\"00000000\"}":{}}},
         "f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"LOG_LEVEL\"}":{".":{},"f:name":{},"f:value":{}},
           "k:{\"name\":\"POD_NAME\"}":{".":{},"f:name":{},"f:valueFrom":{".":{},"f:fieldRef":{}}}},"f:image":{},"f:imagePullPolicy":{},
           "f:livenessProbe":{".":{},"f:failureThreshold":{},"f:httpGet":{".":{},"f:path":{},"f:port":{},"f:scheme":{}},"f:periodSeconds":{}},
           "f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}},
           "f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},
           "f:securityContext":{".":{},"f:allowPrivilegeEscalation":{},"f:capabilities":{".":{},"f:drop":{}},"f:readOnlyRootFilesystem":{}},
           "f:terminationMessagePath":{},"f:terminationMessagePolicy":{},"f:volumeMounts":{".":{},"k:{\"mountPath\":\"/tmp\"}":{".":{},"f:mountPath":{},"f:name":{}}}}},
           "f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{".":{},"f:fsGroup":{},"f:runAsNonRoot":{},"f:runAsUser":{},"f:seccompProfile":{".":{},"f:type":{}}},
           "f:serviceAccount":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{},"f:volumes":{".":{},"k:{\"name\":\"tmp\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}}
        """).RootElement;

    private static readonly JsonElement StatusFields = JsonDocument.Parse("""
        {"f:status":{"f:conditions":{"k:{\"type\":\"ContainersReady\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},
           "k:{\"type\":\"Initialized\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},
           "k:{\"type\":\"Ready\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},
           "f:containerStatuses":{},"f:hostIP":{},"f:hostIPs":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"10.1.0.1\"}":{".":{},"f:ip":{}}},"f:startTime":{}}}
        """).RootElement;
}
