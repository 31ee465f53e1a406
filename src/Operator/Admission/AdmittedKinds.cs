namespace EksHardening.Operator.Admission;

/// <summary>
/// The kinds the webhook judges: every workload kind the rule engine evaluates (<see cref="All"/>), and the objects of
/// the rbac and encryption duties whose rules can be decided from the object and the cached cluster
/// (<see cref="Objects"/>); how to read each from an AdmissionRequest, and which of its fields hold what the rules
/// read, so that updates leaving them alone are recognised.
/// </summary>
public static class AdmittedKinds
{
    /// <summary>
    /// One judged kind: its group, version, kind, resource, and the JSON paths of what the rules read: for a workload
    /// the pod template's spec (<see cref="TemplatePath"/>), for an object its <see cref="InputPaths"/>.
    /// </summary>
    public sealed record AdmittedKind(string Group, string Version, string Kind, string Resource, string[] TemplatePath, Func<JsonElement, IKubernetesObject<V1ObjectMeta>?> Read)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

        /// <summary>An object judged by object-scoped rules (a binding, aws-auth, a StorageClass...), not a workload.</summary>
        public bool IsObject => InputPaths.Length > 0;

        /// <summary>Cluster-scoped (ClusterRoleBinding, StorageClass): the webhook rule's scope is Cluster.</summary>
        public bool ClusterScoped { get; init; }

        /// <summary>The fields of an object that its rules read; an update that changes none of them is not judged.</summary>
        public string[][] InputPaths { get; init; } = [];
    }

    public static readonly IReadOnlyList<AdmittedKind> All =
    [
        new("", "v1", "Pod", "pods", [], e => AdmissionObjectJson.Deserialize<V1Pod>(e)),
        new("", "v1", "ReplicationController", "replicationcontrollers", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1ReplicationController>(e)),
        new("", "v1", "PodTemplate", "podtemplates", ["template"], e => AdmissionObjectJson.Deserialize<V1PodTemplate>(e)),
        new("apps", "v1", "Deployment", "deployments", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1Deployment>(e)),
        new("apps", "v1", "StatefulSet", "statefulsets", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1StatefulSet>(e)),
        new("apps", "v1", "DaemonSet", "daemonsets", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1DaemonSet>(e)),
        new("apps", "v1", "ReplicaSet", "replicasets", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1ReplicaSet>(e)),
        new("batch", "v1", "Job", "jobs", ["spec", "template"], e => AdmissionObjectJson.Deserialize<V1Job>(e)),
        new("batch", "v1", "CronJob", "cronjobs", ["spec", "jobTemplate", "spec", "template"], e => AdmissionObjectJson.Deserialize<V1CronJob>(e)),
    ];

    private static readonly string[] Labels = ["metadata", "labels"];
    private static readonly string[] Annotations = ["metadata", "annotations"];

    /// <summary>
    /// The objects judged by the rbac and encryption rules (<see cref="AdmissionRules.ObjectRulesOf"/>). Nodes are not
    /// admitted: their faults (kubelet version, age) are facts of the running machine, not of what a client writes.
    /// Only kube-system/aws-auth of the ConfigMaps is judged; the webhook configuration sends no other.
    /// </summary>
    public static readonly IReadOnlyList<AdmittedKind> Objects =
    [
        // The bootstrapping label decides which subjects of a built-in binding count (BuiltInBindings).
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", [], e => AdmissionObjectJson.Deserialize<V1ClusterRoleBinding>(e))
        {
            ClusterScoped = true, InputPaths = [["subjects"], ["roleRef"], Labels],
        },
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", [], e => AdmissionObjectJson.Deserialize<V1RoleBinding>(e))
        {
            InputPaths = [["subjects"], ["roleRef"], Labels],
        },
        new("", "v1", "ConfigMap", "configmaps", [], e => AdmissionObjectJson.Deserialize<V1ConfigMap>(e)) { InputPaths = [["data"]] },
        // The default-class annotation names the class in messages and decides what claims without a class get.
        new("storage.k8s.io", "v1", "StorageClass", "storageclasses", [], e => AdmissionObjectJson.Deserialize<V1StorageClass>(e))
        {
            ClusterScoped = true, InputPaths = [["provisioner"], ["parameters"], Annotations],
        },
        // The beta class annotation names a claim's class before spec.storageClassName does.
        new("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", [], e => AdmissionObjectJson.Deserialize<V1PersistentVolumeClaim>(e))
        {
            InputPaths = [["spec", "storageClassName"], Annotations],
        },
        new("networking.k8s.io", "v1", "Ingress", "ingresses", [], e => AdmissionObjectJson.Deserialize<V1Ingress>(e)) { InputPaths = [["spec"], Annotations] },
        // Finalizers the service controllers add and the status they write change neither.
        new("", "v1", "Service", "services", [], e => AdmissionObjectJson.Deserialize<V1Service>(e)) { InputPaths = [["spec"], Annotations] },
    ];

    /// <summary>
    /// Subresources judged like the main resource: adding ephemeral containers (<c>kubectl debug</c>) changes what
    /// runs in the pod, so the whole pod is judged again, as Pod Security Admission does.
    /// </summary>
    public const string EphemeralContainers = "ephemeralcontainers";

    /// <summary>The judged kind of a request, or null when the kind, version or subresource is not judged.</summary>
    public static AdmittedKind? Find(GroupVersionKind kind, string? subResource)
    {
        foreach (var candidate in All.Concat(Objects))
        {
            if (candidate.Kind != kind.Kind || candidate.Group != kind.Group || candidate.Version != kind.Version) continue;
            if (subResource is null) return candidate;
            return subResource == EphemeralContainers && candidate.Kind == "Pod" ? candidate : null;
        }

        return null;
    }

    /// <summary>
    /// True when an update leaves what the pods run untouched: for a Pod its spec and annotations (AppArmor used to
    /// live there), for the other kinds the whole pod template.
    /// </summary>
    public static bool TemplateUnchanged(AdmittedKind kind, JsonElement newObject, JsonElement oldObject)
    {
        if (kind.TemplatePath.Length == 0)
        {
            return SameChild(newObject, oldObject, "spec")
                && SameChild(Child(newObject, "metadata"), Child(oldObject, "metadata"), "annotations");
        }

        return Same(At(newObject, kind.TemplatePath), At(oldObject, kind.TemplatePath));
    }

    /// <summary>True when an update of an object leaves every field its rules read untouched.</summary>
    public static bool InputsUnchanged(AdmittedKind kind, JsonElement newObject, JsonElement oldObject) =>
        kind.InputPaths.All(path => Same(At(newObject, path), At(oldObject, path)));

    private static JsonElement? At(JsonElement root, string[] path)
    {
        JsonElement? current = root;
        foreach (var step in path) current = Child(current, step);
        return current;
    }

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null ? child : null;

    private static bool SameChild(JsonElement? a, JsonElement? b, string name) => Same(Child(a, name), Child(b, name));

    private static bool Same(JsonElement? a, JsonElement? b) =>
        a is null ? b is null : b is not null && JsonElement.DeepEquals(a.Value, b.Value);
}
