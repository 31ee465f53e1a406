using System.Diagnostics.Metrics;
using EksHardening.Entities;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The shared informers the operator runs: policies, namespaces, NetworkPolicies, ServiceAccounts and every
/// workload kind. Objects are cached trimmed to what the operator reads (<see cref="CacheTrimming"/>).
/// </summary>
public sealed class ClusterInformers
{
    public ClusterInformers(IKubernetes client, ILoggerFactory loggers, IMeterFactory meters, TimeProvider? clock = null, InformerOptions? options = null)
    {
        var trimming = new CacheTrimming();
        var counters = new InformerCounters(meters);
        ResourceInformer<T> Create<T>(IResourceSource<T> source) where T : class, IKubernetesObject<V1ObjectMeta> =>
            new(source, loggers.CreateLogger($"EksHardening.Informer.{source.Resource}"), clock, options, trimming.Trim, counters);

        Policies = Create(new ResponsibilityPolicySource(client));
        Namespaces = Create(ResourceSources.Namespaces(client));
        NetworkPolicies = Create(ResourceSources.NetworkPolicies(client));
        ServiceAccounts = Create(ResourceSources.ServiceAccounts(client));
        Pods = Create(ResourceSources.Pods(client));
        Deployments = Create(ResourceSources.Deployments(client));
        StatefulSets = Create(ResourceSources.StatefulSets(client));
        DaemonSets = Create(ResourceSources.DaemonSets(client));
        ReplicaSets = Create(ResourceSources.ReplicaSets(client));
        Jobs = Create(ResourceSources.Jobs(client));
        CronJobs = Create(ResourceSources.CronJobs(client));
        ReplicationControllers = Create(ResourceSources.ReplicationControllers(client));
        PodTemplates = Create(ResourceSources.PodTemplates(client));
        All = [Policies, Namespaces, NetworkPolicies, ServiceAccounts, Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs,
            ReplicationControllers, PodTemplates];
    }

    public ResourceInformer<ResponsibilityPolicy> Policies { get; }
    public ResourceInformer<V1Namespace> Namespaces { get; }
    public ResourceInformer<V1NetworkPolicy> NetworkPolicies { get; }
    public ResourceInformer<V1ServiceAccount> ServiceAccounts { get; }
    public ResourceInformer<V1Pod> Pods { get; }
    public ResourceInformer<V1Deployment> Deployments { get; }
    public ResourceInformer<V1StatefulSet> StatefulSets { get; }
    public ResourceInformer<V1DaemonSet> DaemonSets { get; }
    public ResourceInformer<V1ReplicaSet> ReplicaSets { get; }
    public ResourceInformer<V1Job> Jobs { get; }
    public ResourceInformer<V1CronJob> CronJobs { get; }
    public ResourceInformer<V1ReplicationController> ReplicationControllers { get; }
    /// <summary>PodTemplate objects: templates no built-in controller runs, reported as templates.</summary>
    public ResourceInformer<V1PodTemplate> PodTemplates { get; }
    public IReadOnlyList<IInformer> All { get; }

    public bool HasSynced => All.All(i => i.HasSynced);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => i.Synced)).WaitAsync(cancellationToken);

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(All.Select(i => Task.Run(() => i.RunAsync(cancellationToken), cancellationToken)));

    /// <summary>Every cached workload, of every kind.</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Workloads =>
        Pods.Items.Cast<IKubernetesObject<V1ObjectMeta>>()
            .Concat(Deployments.Items).Concat(StatefulSets.Items).Concat(DaemonSets.Items)
            .Concat(ReplicaSets.Items).Concat(Jobs.Items).Concat(CronJobs.Items)
            .Concat(ReplicationControllers.Items).Concat(PodTemplates.Items);

    /// <summary>
    /// Registers one handler on every informer but the policies' (changes that can affect any policy). Updates that
    /// change nothing the operator keeps (a pod's conditions, a Deployment's replica counts) do not call it.
    /// </summary>
    public void OnClusterChange(Action handler)
    {
        void Changed<T>(InformerEvent<T> change) where T : class, IKubernetesObject<V1ObjectMeta>
        {
            if (change.Type == InformerEventType.Updated && CacheTrimming.SameRuleInputs(change.Old!, change.New!)) return;
            handler();
        }

        Namespaces.AddHandler(Changed);
        NetworkPolicies.AddHandler(Changed);
        ServiceAccounts.AddHandler(Changed);
        Pods.AddHandler(Changed);
        Deployments.AddHandler(Changed);
        StatefulSets.AddHandler(Changed);
        DaemonSets.AddHandler(Changed);
        ReplicaSets.AddHandler(Changed);
        Jobs.AddHandler(Changed);
        CronJobs.AddHandler(Changed);
        ReplicationControllers.AddHandler(Changed);
        PodTemplates.AddHandler(Changed);
    }
}
