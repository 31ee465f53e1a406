namespace EksHardening.Operator.Rules;

/// <summary>
/// Workload API versions Kubernetes no longer serves. Manifests that still use them are evaluated like their apps/v1
/// or batch/v1 successors (the pod template has the same shape), with a note naming the release that removed the API:
/// a chart that still renders them cannot be applied to a current cluster, and its pods would be judged all the same.
/// Source: the Kubernetes Deprecated API Migration Guide (v1.16 and v1.25 sections) and, for the alpha
/// <c>batch/v2alpha1</c>, the v1.21 release notes.
/// </summary>
public static class RemovedWorkloadApis
{
    private static readonly Dictionary<(string ApiVersion, string Kind), string> RemovedIn = new()
    {
        [("extensions/v1beta1", "Deployment")] = "1.16",
        [("extensions/v1beta1", "DaemonSet")] = "1.16",
        [("extensions/v1beta1", "ReplicaSet")] = "1.16",
        [("apps/v1beta1", "Deployment")] = "1.16",
        [("apps/v1beta1", "StatefulSet")] = "1.16",
        [("apps/v1beta1", "ReplicaSet")] = "1.16",
        [("apps/v1beta2", "Deployment")] = "1.16",
        [("apps/v1beta2", "StatefulSet")] = "1.16",
        [("apps/v1beta2", "DaemonSet")] = "1.16",
        [("apps/v1beta2", "ReplicaSet")] = "1.16",
        [("batch/v2alpha1", "CronJob")] = "1.21",
        [("batch/v1beta1", "CronJob")] = "1.25",
    };

    /// <summary>Every removed (apiVersion, kind) pair with the Kubernetes release that removed it.</summary>
    public static IEnumerable<(string ApiVersion, string Kind, string RemovedIn)> All =>
        RemovedIn.Select(p => (p.Key.ApiVersion, p.Key.Kind, p.Value));

    /// <summary>The release that removed this workload API, or null when it is served.</summary>
    public static string? RemovedSince(string apiVersion, string kind) => RemovedIn.GetValueOrDefault((apiVersion, kind));

    /// <summary>"extensions/v1beta1 Deployment: API removed in Kubernetes 1.16 (…)", or null for a served API.</summary>
    public static string? Note(string apiVersion, string kind) => RemovedSince(apiVersion, kind) is { } version
        ? $"{apiVersion} {kind}: API removed in Kubernetes {version}; evaluated as {Successor(kind)} {kind}, which the manifest must move to before it can be applied"
        : null;

    private static string Successor(string kind) => kind == "CronJob" ? "batch/v1" : "apps/v1";
}
