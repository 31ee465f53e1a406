namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// What the informers keep of each object: what the rules, remediation and the AWS fact lookup read, and nothing
/// else, so that the caches grow by hundreds of bytes per pod rather than by the kilobytes a full object takes.
/// Dropped everywhere: managedFields and kubectl's last-applied annotation. Dropped from workloads: generateName,
/// finalizers, status (a pod keeps only its containers' image and imageID, the digest that runs), annotations other
/// than AppArmor's and seccomp's,
/// scheduling and DNS settings, container environment, commands, mounts and resource requests, probes that name no
/// host, and volumes of the core types (configMap, secret, projected, emptyDir, …), which the rules do not look into:
/// each becomes one shared placeholder, so that the others keep their index. Claims are the exception encryption.volumes
/// reads: a persistentVolumeClaim volume keeps its name and claimName, an ephemeral one and a StatefulSet's
/// volumeClaimTemplates keep their name and storage class (storageClassName, or the beta class annotation). Of the
/// duties' objects, a Node keeps its metadata and kubelet version only; claims, Services and Ingresses lose their
/// status, ConfigMaps (aws-auth) their binary data; StorageClasses and RBAC objects are kept whole. Values that repeat across objects
/// (strings, label sets, limits, capability lists, whole trimmed pod specs and pod statuses) are shared
/// (<see cref="SharedValues"/>): the replicas of a Deployment cost little more than their names.
/// </summary>
/// <remarks>The rule tests evaluate every fixture both as written and trimmed and require the same findings.</remarks>
public sealed class CacheTrimming
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Stands for every core-type volume: the rules pass them without reading a field.</summary>
    private static readonly V1Volume CoreVolume = new() { Name = "", EmptyDir = new V1EmptyDirVolumeSource() };

    private readonly SharedValues _shared = new();

    /// <summary>Trims <paramref name="item"/> in place (the informer owns it) and returns it.</summary>
    public T Trim<T>(T item) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Metadata(item.Metadata, isWorkload: item is V1Pod or V1Deployment or V1StatefulSet or V1DaemonSet or V1ReplicaSet or V1Job or V1CronJob
            or V1ReplicationController or V1PodTemplate);
        switch (item)
        {
            case V1Pod pod:
                pod.Spec = PodSpec(pod.Spec);
                pod.Status = _shared.ShareByContent(RunningImages(pod.Status));
                break;
            case V1Deployment deployment:
                Template(deployment.Spec?.Template);
                deployment.Status = null;
                break;
            case V1StatefulSet statefulSet:
                Template(statefulSet.Spec?.Template);
                if (statefulSet.Spec is { VolumeClaimTemplates: { } claimTemplates } statefulSetSpec)
                {
                    statefulSetSpec.VolumeClaimTemplates = [.. claimTemplates.Select(ClaimClass)];
                }
                statefulSet.Status = null;
                break;
            case V1DaemonSet daemonSet:
                Template(daemonSet.Spec?.Template);
                daemonSet.Status = null;
                break;
            case V1ReplicaSet replicaSet:
                Template(replicaSet.Spec?.Template);
                replicaSet.Status = null;
                break;
            case V1Job job:
                Template(job.Spec?.Template);
                job.Status = null;
                break;
            case V1CronJob cronJob:
                Template(cronJob.Spec?.JobTemplate?.Spec?.Template);
                cronJob.Status = null;
                break;
            case V1ReplicationController controller:
                Template(controller.Spec?.Template);
                controller.Status = null;
                break;
            case V1PodTemplate podTemplate:
                Template(podTemplate.Template);
                break;
            case V1Node node:
                // node.kubelet-skew reads the kubelet's version, node.max-age the creationTimestamp, the instance rules
                // spec.providerID (the EC2 instance): the rest of a node's spec and status (conditions, images, addresses,
                // capacity) changes often and is read by no rule.
                node.Spec = node.Spec?.ProviderID is { } provider ? new V1NodeSpec { ProviderID = provider } : null;
                node.Status = node.Status?.NodeInfo?.KubeletVersion is { } kubelet
                    ? new V1NodeStatus { NodeInfo = new V1NodeSystemInfo { KubeletVersion = _shared.Share(kubelet) } }
                    : null;
                break;
            case V1PersistentVolumeClaim claim:
                // encryption.volumes reads the claim's class; its status (phase, capacity) is not read.
                claim.Status = null;
                break;
            case V1Service service:
                // encryption.ingress-tls reads type, ports and annotations; the load balancer's status is not read.
                service.Status = null;
                break;
            case V1Ingress ingress:
                ingress.Status = null;
                break;
            case V1ConfigMap configMap:
                // aws-auth's mapRoles and mapUsers are text data; binary data is not read.
                configMap.BinaryData = null;
                break;
        }

        return item;
    }

    /// <summary>
    /// Whether two trimmed versions of one object hold the same rule inputs, so that the update between them (a status
    /// change the trimming dropped, a new resourceVersion) cannot change a finding. Metadata is compared field by
    /// field; the spec through its generation where the kind has one, else (pods) as JSON, with the pod's kept status.
    /// Kinds with neither (namespaces, ServiceAccounts) always count as changed.
    /// </summary>
    public static bool SameRuleInputs<T>(T old, T current) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var (a, b) = (old.Metadata, current.Metadata);
        if (a is null || b is null) return false;
        if (a.Generation != b.Generation || a.DeletionTimestamp != b.DeletionTimestamp
            || !SameMap(a.Labels, b.Labels) || !SameMap(a.Annotations, b.Annotations)
            || !(a.OwnerReferences ?? []).Select(o => o.Uid).SequenceEqual((b.OwnerReferences ?? []).Select(o => o.Uid), StringComparer.Ordinal))
        {
            return false;
        }

        return (old, current) switch
        {
            (V1Pod p, V1Pod q) => SameJson(p.Spec, q.Spec) && SameJson(p.Status, q.Status),
            // Kinds without a generation: what the rules read of them, compared as kept.
            (V1Node p, V1Node q) => p.Status?.NodeInfo?.KubeletVersion == q.Status?.NodeInfo?.KubeletVersion && p.Spec?.ProviderID == q.Spec?.ProviderID,
            (V1PersistentVolumeClaim p, V1PersistentVolumeClaim q) => SameJson(p.Spec, q.Spec),
            (V1Service p, V1Service q) => SameJson(p.Spec, q.Spec),
            (V1StorageClass p, V1StorageClass q) => p.Provisioner == q.Provisioner && SameMap(p.Parameters, q.Parameters),
            (V1ConfigMap p, V1ConfigMap q) => SameMap(p.Data, q.Data),
            (V1ClusterRole p, V1ClusterRole q) => SameJson(p.Rules, q.Rules) && SameJson(p.AggregationRule, q.AggregationRule),
            (V1Role p, V1Role q) => SameJson(p.Rules, q.Rules),
            (V1ClusterRoleBinding p, V1ClusterRoleBinding q) => SameJson(p.RoleRef, q.RoleRef) && SameJson(p.Subjects, q.Subjects),
            (V1RoleBinding p, V1RoleBinding q) => SameJson(p.RoleRef, q.RoleRef) && SameJson(p.Subjects, q.Subjects),
            _ => a.Generation is not null,
        };
    }

    private static bool SameJson(object? a, object? b) => ReferenceEquals(a, b) || KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    private void Metadata(V1ObjectMeta? metadata, bool isWorkload)
    {
        if (metadata is null) return;
        metadata.ManagedFields = null;
        metadata.NamespaceProperty = _shared.Share(metadata.NamespaceProperty);
        metadata.Labels = _shared.Share(metadata.Labels);
        metadata.Annotations = KeptAnnotations(metadata.Annotations, isWorkload);
        if (isWorkload)
        {
            // No rule reads a workload's name prefix or finalizers (a claim's finalizers stay: they are not read either,
            // but claims are few).
            metadata.GenerateName = null;
            metadata.Finalizers = null;
        }

        // The replicas of one ReplicaSet, Job or DaemonSet name the same owner: one list for all of them.
        metadata.OwnerReferences = _shared.Share(metadata.OwnerReferences);
    }

    private void Template(V1PodTemplateSpec? template)
    {
        if (template is null) return;
        Metadata(template.Metadata, isWorkload: true);
        template.Spec = PodSpec(template.Spec);
    }

    /// <summary>Trims the spec, then shares it: the replicas of one workload (and its templates) have the same trimmed spec.</summary>
    private V1PodSpec PodSpec(V1PodSpec spec)
    {
        if (spec is null) return spec!;
        spec.Affinity = null;
        spec.Tolerations = null;
        spec.TopologySpreadConstraints = null;
        spec.NodeSelector = null;
        spec.NodeName = null;
        spec.DnsConfig = null;
        spec.DnsPolicy = null;
        spec.HostAliases = null;
        spec.Hostname = null;
        spec.Subdomain = null;
        spec.ImagePullSecrets = null;
        spec.ReadinessGates = null;
        spec.SchedulingGates = null;
        spec.SchedulerName = null;
        spec.PriorityClassName = null;
        spec.Priority = null;
        spec.PreemptionPolicy = null;
        spec.Overhead = null;
        spec.TerminationGracePeriodSeconds = null;
        spec.ActiveDeadlineSeconds = null;
        spec.EnableServiceLinks = null;
        spec.RestartPolicy = null;
        spec.ServiceAccountName = _shared.Share(spec.ServiceAccountName);
        spec.ServiceAccount = _shared.Share(spec.ServiceAccount);
        foreach (var container in spec.InitContainers ?? []) Container(container);
        foreach (var container in spec.Containers ?? []) Container(container);
        // Ephemeral containers (a debugging session's, on a few pods) are kept whole.
        if (spec.Volumes is { } volumes)
        {
            for (var i = 0; i < volumes.Count; i++) volumes[i] = Volume(volumes[i]);
        }

        return _shared.ShareByContent(spec);
    }

    private void Container(V1Container? container)
    {
        if (container is null) return;
        container.Name = _shared.Share(container.Name);
        container.Image = _shared.Share(container.Image);
        container.Env = null;
        container.EnvFrom = null;
        container.VolumeMounts = null;
        container.VolumeDevices = null;
        container.Command = null;
        container.Args = null;
        container.WorkingDir = null;
        container.TerminationMessagePath = null;
        container.TerminationMessagePolicy = null;
        container.ImagePullPolicy = null;
        container.ResizePolicy = null;
        container.LivenessProbe = ProbeNamingAHost(container.LivenessProbe);
        container.ReadinessProbe = ProbeNamingAHost(container.ReadinessProbe);
        container.StartupProbe = ProbeNamingAHost(container.StartupProbe);
        container.Resources = Limits(container.Resources);
        SecurityContext(container.SecurityContext);
    }

    private void SecurityContext(V1SecurityContext? context)
    {
        if (context?.Capabilities is not { } capabilities) return;
        capabilities.Add = _shared.Share(capabilities.Add);
        capabilities.Drop = _shared.Share(capabilities.Drop);
    }

    /// <summary>Only limits are checked (requests are not): the rest of the requirements goes.</summary>
    private V1ResourceRequirements? Limits(V1ResourceRequirements? resources)
    {
        if (resources is null) return null;
        resources.Requests = null;
        resources.Claims = null;
        resources.Limits = _shared.Share(resources.Limits);
        return resources;
    }

    /// <summary>The Pod Security Standards look at probes only for a host they name; a probe that names none is dropped.</summary>
    private static V1Probe? ProbeNamingAHost(V1Probe? probe) =>
        probe is not null && (probe.HttpGet?.Host is not null || probe.TcpSocket?.Host is not null) ? probe : null;

    /// <summary>
    /// A volume of a core type becomes the shared placeholder, except claims (what encryption.volumes reads of them is
    /// kept); the others (hostPath, nfs, …) are kept whole for the messages that name them.
    /// </summary>
    private V1Volume Volume(V1Volume volume)
    {
        if (volume is null || Rules.PodSecurityRules.NonCoreVolumeSources(volume).Any()) return volume!;
        if (volume.PersistentVolumeClaim is { } claim)
        {
            return new V1Volume
            {
                Name = _shared.Share(volume.Name),
                PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = _shared.Share(claim.ClaimName) },
            };
        }

        if (volume.Ephemeral is { } ephemeral)
        {
            return new V1Volume
            {
                Name = _shared.Share(volume.Name),
                Ephemeral = new V1EphemeralVolumeSource
                {
                    VolumeClaimTemplate = ephemeral.VolumeClaimTemplate is { } template
                        ? new V1PersistentVolumeClaimTemplate { Metadata = ClassAnnotation(template.Metadata), Spec = StorageClassOnly(template.Spec)! }
                        : null,
                },
            };
        }

        return CoreVolume;
    }

    /// <summary>A StatefulSet's claim template, reduced to its name and class.</summary>
    private V1PersistentVolumeClaim ClaimClass(V1PersistentVolumeClaim template)
    {
        if (template is null) return template!;
        var metadata = ClassAnnotation(template.Metadata) ?? new V1ObjectMeta();
        metadata.Name = _shared.Share(template.Metadata?.Name);
        return new V1PersistentVolumeClaim { Metadata = metadata, Spec = StorageClassOnly(template.Spec) };
    }

    /// <summary>The beta class annotation, which takes precedence over storageClassName, when a claim template carries it.</summary>
    private V1ObjectMeta? ClassAnnotation(V1ObjectMeta? metadata) =>
        metadata?.Annotations is { } annotations && annotations.TryGetValue(Rules.EbsVolumeEncryption.BetaClaimClassAnnotation, out var className)
            ? new V1ObjectMeta { Annotations = _shared.Share(new Dictionary<string, string>(StringComparer.Ordinal) { [Rules.EbsVolumeEncryption.BetaClaimClassAnnotation] = className }) }
            : null;

    private V1PersistentVolumeClaimSpec? StorageClassOnly(V1PersistentVolumeClaimSpec? spec) =>
        spec is null ? null : new V1PersistentVolumeClaimSpec { StorageClassName = _shared.Share(spec.StorageClassName) };

    /// <summary>Workloads keep the annotations a rule reads (AppArmor's, seccomp's); other objects keep all but kubectl's copy of the last apply.</summary>
    private IDictionary<string, string>? KeptAnnotations(IDictionary<string, string>? annotations, bool isWorkload)
    {
        if (annotations is null) return null;
        var kept = annotations.Where(a => isWorkload
                ? Rules.PodSecurityRules.IsCheckedAnnotation(a.Key)
                : a.Key != LastAppliedAnnotation)
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return kept.Count == 0 ? null : _shared.Share(kept);
    }

    /// <summary>A pod's status, reduced to each container's image and imageID (the digest that actually runs).</summary>
    private V1PodStatus? RunningImages(V1PodStatus? status)
    {
        if (status is null) return null;
        var containers = Images(status.ContainerStatuses);
        var init = Images(status.InitContainerStatuses);
        var ephemeral = Images(status.EphemeralContainerStatuses);
        return containers is null && init is null && ephemeral is null
            ? null
            : new V1PodStatus { ContainerStatuses = containers, InitContainerStatuses = init, EphemeralContainerStatuses = ephemeral };
    }

    private List<V1ContainerStatus>? Images(IList<V1ContainerStatus>? statuses) => statuses is { Count: > 0 }
        ? [.. statuses.Where(s => s is not null).Select(s => new V1ContainerStatus
        {
            Name = _shared.Share(s.Name),
            Image = _shared.Share(s.Image),
            ImageID = _shared.Share(s.ImageID),
        })]
        : null;
}
