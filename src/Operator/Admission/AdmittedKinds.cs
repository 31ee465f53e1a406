namespace EksHardening.Operator.Admission;

/// <summary>
/// The kinds the webhook judges (every workload kind the rule engine evaluates), how to read each from an
/// AdmissionRequest, and where its pod template sits, so that updates leaving the template alone are recognised.
/// </summary>
public static class AdmittedKinds
{
    /// <summary>One judged kind: its group, version, kind, resource, and the JSON path of the pod template's spec.</summary>
    public sealed record AdmittedKind(string Group, string Version, string Kind, string Resource, string[] TemplatePath, Func<JsonElement, IKubernetesObject<V1ObjectMeta>?> Read)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
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

    /// <summary>
    /// Subresources judged like the main resource: adding ephemeral containers (<c>kubectl debug</c>) changes what
    /// runs in the pod, so the whole pod is judged again, as Pod Security Admission does.
    /// </summary>
    public const string EphemeralContainers = "ephemeralcontainers";

    /// <summary>The judged kind of a request, or null when the kind, version or subresource is not judged.</summary>
    public static AdmittedKind? Find(GroupVersionKind kind, string? subResource)
    {
        foreach (var candidate in All)
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

        JsonElement? current = newObject, previous = oldObject;
        foreach (var step in kind.TemplatePath)
        {
            current = Child(current, step);
            previous = Child(previous, step);
        }

        return Same(current, previous);
    }

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null ? child : null;

    private static bool SameChild(JsonElement? a, JsonElement? b, string name) => Same(Child(a, name), Child(b, name));

    private static bool Same(JsonElement? a, JsonElement? b) =>
        a is null ? b is null : b is not null && JsonElement.DeepEquals(a.Value, b.Value);
}
