using System.Runtime.CompilerServices;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Rules;
using k8s;
using k8s.Models;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// Builds the rule engine's snapshot from the informer caches. A workload's view is made once per object
/// instance and reused until the informer replaces the object, so unchanged workloads cost a lookup.
/// </summary>
public sealed class SnapshotBuilder(ClusterInformers informers)
{
    private readonly ConditionalWeakTable<object, WorkloadView> _views = [];

    public ClusterSnapshot Build()
    {
        var workloads = new List<WorkloadView>();
        foreach (var obj in informers.Workloads)
        {
            var view = _views.GetValue(obj, static o => WorkloadView.TryCreate(Normalize((IKubernetesObject<V1ObjectMeta>)o))!);
            if (view is not null) workloads.Add(view);
        }

        return new ClusterSnapshot(workloads, informers.Namespaces.Items, informers.NetworkPolicies.Items, informers.ServiceAccounts.Items);
    }

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
                _ => (obj.ApiVersion, obj.Kind),
            };
        }

        return obj;
    }
}
