using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Evaluation;

/// <summary>
/// Builds the rule engine's snapshot from the informer caches. A workload's view is made once per version of the
/// object, when the informer reports it, and kept by kind and key: a build lists the views and finds owners with
/// one lookup, so unchanged workloads cost nothing but their place in the list. Construct before the informers run
/// (it registers handlers); objects already cached are taken over.
/// </summary>
public sealed class SnapshotBuilder
{
    private readonly ClusterInformers _informers;
    /// <summary>Views by kind, then by namespace and name: the key holds the object's own strings, so owner lookups allocate nothing.</summary>
    private readonly Dictionary<string, ConcurrentDictionary<(string Namespace, string Name), WorkloadView>> _viewsByKind = new(StringComparer.Ordinal);

    public SnapshotBuilder(ClusterInformers informers)
    {
        _informers = informers;
        Track(informers.Pods, "Pod");
        Track(informers.Deployments, "Deployment");
        Track(informers.StatefulSets, "StatefulSet");
        Track(informers.DaemonSets, "DaemonSet");
        Track(informers.ReplicaSets, "ReplicaSet");
        Track(informers.Jobs, "Job");
        Track(informers.CronJobs, "CronJob");
        Track(informers.ReplicationControllers, "ReplicationController");
        Track(informers.PodTemplates, "PodTemplate");
    }

    public ClusterSnapshot Build()
    {
        var workloads = new List<WorkloadView>(_viewsByKind.Values.Sum(v => v.Count) + 64);
        foreach (var views in _viewsByKind.Values)
        {
            foreach (var (_, view) in views) workloads.Add(view);
        }

        // Owners are found among the views kept here, so a snapshot of a large cluster copies no index of its own; the
        // snapshot accepts a found owner only when its uid is the one the ownerReference names.
        return new ClusterSnapshot(workloads, _informers.Namespaces.Items, _informers.NetworkPolicies.Items, _informers.ServiceAccounts.Items,
            findWorkload: FindWorkload);
    }

    private void Track<T>(ResourceInformer<T> informer, string kind) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var views = new ConcurrentDictionary<(string, string), WorkloadView>();
        _viewsByKind[kind] = views;
        informer.AddHandler(change =>
        {
            var key = KeyOf(change.Object);
            if (change.Type == InformerEventType.Deleted) views.TryRemove(key, out _);
            else if (WorkloadView.TryCreate(Normalize(change.New!)) is { } view) views[key] = view;
        });
        foreach (var obj in informer.Items)
        {
            if (WorkloadView.TryCreate(Normalize(obj)) is { } view) views.TryAdd(KeyOf(obj), view);
        }
    }

    private WorkloadView? FindWorkload(string ns, string kind, string name) =>
        _viewsByKind.TryGetValue(kind, out var views) && views.TryGetValue((ns, name), out var view) ? view : null;

    private static (string, string) KeyOf(IKubernetesObject<V1ObjectMeta> obj) => (obj.Metadata?.NamespaceProperty ?? "", obj.Metadata?.Name ?? "");

    /// <summary>List responses omit kind and apiVersion on items; the views and reports need them.</summary>
    private static IKubernetesObject<V1ObjectMeta> Normalize(IKubernetesObject<V1ObjectMeta> obj)
    {
        if (string.IsNullOrEmpty(obj.Kind) || string.IsNullOrEmpty(obj.ApiVersion))
        {
            (obj.ApiVersion, obj.Kind) = obj switch
            {
                V1Pod => ("v1", "Pod"),
                V1Deployment => ("apps/v1", "Deployment"),
                V1StatefulSet => ("apps/v1", "StatefulSet"),
                V1DaemonSet => ("apps/v1", "DaemonSet"),
                V1ReplicaSet => ("apps/v1", "ReplicaSet"),
                V1Job => ("batch/v1", "Job"),
                V1CronJob => ("batch/v1", "CronJob"),
                V1ReplicationController => ("v1", "ReplicationController"),
                V1PodTemplate => ("v1", "PodTemplate"),
                _ => (obj.ApiVersion, obj.Kind),
            };
        }

        return obj;
    }
}
