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
        var workloads = new List<WorkloadView>(informers.Pods.Count + informers.ReplicaSets.Count + informers.Deployments.Count);
        foreach (var obj in informers.Workloads)
        {
            if (View(obj) is { } view) workloads.Add(view);
        }

        // Owners are found in the informers' own indexes, so a snapshot of a large cluster copies no index of its own.
        return new ClusterSnapshot(workloads, informers.Namespaces.Items, informers.NetworkPolicies.Items, informers.ServiceAccounts.Items,
            findWorkload: FindWorkload);
    }

    private WorkloadView? View(IKubernetesObject<V1ObjectMeta> obj) =>
        _views.GetValue(obj, static o => WorkloadView.TryCreate(Normalize((IKubernetesObject<V1ObjectMeta>)o))!);

    private WorkloadView? FindWorkload(string ns, string kind, string name)
    {
        IKubernetesObject<V1ObjectMeta>? obj = kind switch
        {
            "ReplicaSet" => informers.ReplicaSets.Get(ns, name),
            "Deployment" => informers.Deployments.Get(ns, name),
            "StatefulSet" => informers.StatefulSets.Get(ns, name),
            "DaemonSet" => informers.DaemonSets.Get(ns, name),
            "Job" => informers.Jobs.Get(ns, name),
            "CronJob" => informers.CronJobs.Get(ns, name),
            "Pod" => informers.Pods.Get(ns, name),
            _ => null,
        };
        return obj is null ? null : View(obj);
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
