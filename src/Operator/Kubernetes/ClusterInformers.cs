namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The shared informers the operator runs: policies, namespaces, NetworkPolicies, ServiceAccounts and every
/// workload kind. Objects are cached trimmed to what the operator reads (<see cref="CacheTrimming"/>).
/// </summary>
public sealed class ClusterInformers
{
    public ClusterInformers(IKubernetes client, ILoggerFactory loggers, IMeterFactory meters, TimeProvider? clock = null, InformerOptions? options = null)
        : this(ClusterSources.Of(client), loggers, meters, clock, options)
    {
    }

    /// <summary>Informers over the given sources: the API server's, or an in-memory cluster in tests.</summary>
    public ClusterInformers(ClusterSources sources, ILoggerFactory loggers, IMeterFactory meters, TimeProvider? clock = null, InformerOptions? options = null)
    {
        var trimming = new CacheTrimming();
        var counters = new InformerCounters(meters);
        ResourceInformer<T> Create<T>(IResourceSource<T> source) where T : class, IKubernetesObject<V1ObjectMeta> =>
            new(source, loggers.CreateLogger($"EksHardening.Informer.{source.Resource}"), clock, options, trimming.Trim, counters);

        Policies = Create(sources.Policies);
        Namespaces = Create(sources.Namespaces);
        NetworkPolicies = Create(sources.NetworkPolicies);
        ServiceAccounts = Create(sources.ServiceAccounts);
        Pods = Create(sources.Pods);
        Deployments = Create(sources.Deployments);
        StatefulSets = Create(sources.StatefulSets);
        DaemonSets = Create(sources.DaemonSets);
        ReplicaSets = Create(sources.ReplicaSets);
        Jobs = Create(sources.Jobs);
        CronJobs = Create(sources.CronJobs);
        ReplicationControllers = Create(sources.ReplicationControllers);
        PodTemplates = Create(sources.PodTemplates);
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

/// <summary>Where each of the <see cref="ClusterInformers"/> lists and watches its resource.</summary>
public sealed record ClusterSources(
    IResourceSource<ResponsibilityPolicy> Policies,
    IResourceSource<V1Namespace> Namespaces,
    IResourceSource<V1NetworkPolicy> NetworkPolicies,
    IResourceSource<V1ServiceAccount> ServiceAccounts,
    IResourceSource<V1Pod> Pods,
    IResourceSource<V1Deployment> Deployments,
    IResourceSource<V1StatefulSet> StatefulSets,
    IResourceSource<V1DaemonSet> DaemonSets,
    IResourceSource<V1ReplicaSet> ReplicaSets,
    IResourceSource<V1Job> Jobs,
    IResourceSource<V1CronJob> CronJobs,
    IResourceSource<V1ReplicationController> ReplicationControllers,
    IResourceSource<V1PodTemplate> PodTemplates)
{
    /// <summary>The API server's, through one client.</summary>
    public static ClusterSources Of(IKubernetes client) => new(
        new ResponsibilityPolicySource(client), ResourceSources.Namespaces(client), ResourceSources.NetworkPolicies(client),
        ResourceSources.ServiceAccounts(client), ResourceSources.Pods(client), ResourceSources.Deployments(client), ResourceSources.StatefulSets(client),
        ResourceSources.DaemonSets(client), ResourceSources.ReplicaSets(client), ResourceSources.Jobs(client), ResourceSources.CronJobs(client),
        ResourceSources.ReplicationControllers(client), ResourceSources.PodTemplates(client));
}
