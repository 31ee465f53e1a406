using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Rules;
using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Controllers.Evaluation;

/// <summary>
/// Builds the rule engine's snapshot from the informer caches. A workload's view is made once per version of the
/// object, when the informer reports it, and kept by kind and key: a build lists the views and finds owners with
/// one lookup, so unchanged workloads cost nothing but their place in the list. The namespace, RBAC and infrastructure
/// indexes are rebuilt only when one of their informers changed (or finished listing), and otherwise handed to the next
/// snapshot as the same instances, which the findings cache compares by reference. Construct before the informers run
/// (it registers handlers); objects already cached are taken over.
/// </summary>
public sealed class SnapshotBuilder
{
    private readonly ClusterInformers _informers;
    private readonly Lock _building = new();
    private long _namespacesRevision;
    private long _rbacRevision;
    private long _infrastructureRevision;
    private (long Revision, NamespaceIndex? Index) _namespaces = (-1, null);
    private (long Revision, bool Synced, ClusterRbac? Rbac) _rbac = (-1, false, null);
    private (long Revision, DutyInformers Synced, InfrastructureObjects Objects) _infrastructure = (-1, DutyInformers.None, InfrastructureObjects.Empty);
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
        void Namespaces<T>(InformerEvent<T> _) where T : class => Interlocked.Increment(ref _namespacesRevision);
        void Rbac<T>(InformerEvent<T> _) where T : class => Interlocked.Increment(ref _rbacRevision);
        void Infrastructure<T>(InformerEvent<T> _) where T : class => Interlocked.Increment(ref _infrastructureRevision);
        informers.Namespaces.AddHandler(Namespaces);
        informers.NetworkPolicies.AddHandler(Namespaces);
        informers.ServiceAccounts.AddHandler(Namespaces);
        informers.ClusterRoles.AddHandler(Rbac);
        informers.ClusterRoleBindings.AddHandler(Rbac);
        informers.Roles.AddHandler(Rbac);
        informers.RoleBindings.AddHandler(Rbac);
        informers.AwsAuth.AddHandler(Rbac);
        informers.Nodes.AddHandler(Infrastructure);
        informers.StorageClasses.AddHandler(Infrastructure);
        informers.PersistentVolumeClaims.AddHandler(Infrastructure);
        informers.Ingresses.AddHandler(Infrastructure);
        informers.Services.AddHandler(Infrastructure);
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
        return new ClusterSnapshot(workloads, CurrentNamespaces(), findWorkload: FindWorkload)
        {
            // First: a duty listed now stays listed, so the objects read next are those of a listed duty.
            Unlisted = Unlisted(),
            Rbac = CurrentRbac(),
            Infrastructure = CurrentInfrastructure(),
            ApiServerVersion = _informers.ApiServerVersion,
        };
    }

    /// <summary>The duties whose informers have not listed (or not started): their objects are unknown, not absent.</summary>
    private UnlistedObjects Unlisted()
    {
        var unlisted = UnlistedObjects.None;
        if (!_informers.DutySynced(DutyInformers.Rbac)) unlisted |= UnlistedObjects.Rbac;
        if (!_informers.DutySynced(DutyInformers.Volumes)) unlisted |= UnlistedObjects.Volumes;
        if (!_informers.DutySynced(DutyInformers.Ingress)) unlisted |= UnlistedObjects.Ingress;
        if (!_informers.DutySynced(DutyInformers.Nodes)) unlisted |= UnlistedObjects.Nodes;
        return unlisted;
    }

    /// <summary>The namespaces, NetworkPolicies and ServiceAccounts: the index of the last build while none of them changed.</summary>
    private NamespaceIndex CurrentNamespaces()
    {
        lock (_building)
        {
            // Read before the caches: a change while building moves it, and the next build rebuilds.
            var revision = Interlocked.Read(ref _namespacesRevision);
            if (_namespaces.Revision == revision && _namespaces.Index is { } index) return index;
            index = new NamespaceIndex(_informers.Namespaces.Items, _informers.NetworkPolicies.Items, _informers.ServiceAccounts.Items);
            _namespaces = (revision, index);
            return index;
        }
    }

    /// <summary>
    /// The cluster's RBAC once its informers have listed, else null (not collected: the rbac.* rules report errors, never
    /// passes). The aws-auth informer watches that one ConfigMap, so once it has listed its absence means "none".
    /// </summary>
    private ClusterRbac? CurrentRbac()
    {
        lock (_building)
        {
            // Read before the caches: a change while building moves it, and the next build rebuilds.
            var revision = Interlocked.Read(ref _rbacRevision);
            var synced = _informers.DutySynced(DutyInformers.Rbac);
            if (_rbac.Revision == revision && _rbac.Synced == synced) return _rbac.Rbac;
            var rbac = synced
                ? new ClusterRbac(_informers.ClusterRoles.Items.Select(Normalize), _informers.ClusterRoleBindings.Items.Select(Normalize),
                    _informers.Roles.Items.Select(Normalize), _informers.RoleBindings.Items.Select(Normalize),
                    _informers.AwsAuth.Get(ClusterRbac.AwsAuthNamespace, ClusterRbac.AwsAuthName) is { } awsAuth ? Normalize(awsAuth) : null, awsAuthCollected: true)
                : null;
            _rbac = (revision, synced, rbac);
            return rbac;
        }
    }

    /// <summary>The StorageClasses, claims, Ingresses, Services and Nodes of the duties whose informers have listed.</summary>
    private InfrastructureObjects CurrentInfrastructure()
    {
        lock (_building)
        {
            var revision = Interlocked.Read(ref _infrastructureRevision);
            var synced = DutyInformers.None;
            foreach (var duty in (ReadOnlySpan<DutyInformers>)[DutyInformers.Volumes, DutyInformers.Ingress, DutyInformers.Nodes])
            {
                if (_informers.DutySynced(duty)) synced |= duty;
            }

            if (_infrastructure.Revision == revision && _infrastructure.Synced == synced) return _infrastructure.Objects;
            var objects = new List<object>();
            if (synced.HasFlag(DutyInformers.Volumes)) objects.AddRange([.. _informers.StorageClasses.Items, .. _informers.PersistentVolumeClaims.Items]);
            if (synced.HasFlag(DutyInformers.Ingress)) objects.AddRange([.. _informers.Ingresses.Items, .. _informers.Services.Items]);
            if (synced.HasFlag(DutyInformers.Nodes)) objects.AddRange(_informers.Nodes.Items);
            var infrastructure = objects.Count == 0 ? InfrastructureObjects.Empty : new InfrastructureObjects(objects.Select(Normalize));
            _infrastructure = (revision, synced, infrastructure);
            return infrastructure;
        }
    }

    private void Track<T>(ResourceInformer<T> informer, string kind) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var views = new ConcurrentDictionary<(string, string), WorkloadView>();
        _viewsByKind[kind] = views;
        informer.AddHandler(change =>
        {
            var key = KeyOf(change.Object);
            views.TryGetValue(key, out var old);
            if (change.Type == InformerEventType.Deleted) views.TryRemove(key, out _);
            else if (WorkloadView.TryCreate(Normalize(change.New!)) is { } view) views[key] = view;
            // After the replacement: whoever finds the old view superseded looks again and finds the new one.
            old?.Supersede();
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
    private static T Normalize<T>(T obj) where T : class
    {
        if (obj is IKubernetesObject<V1ObjectMeta> k8sObject) Normalize(k8sObject);
        return obj;
    }

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
                V1Node => ("v1", "Node"),
                V1StorageClass => ("storage.k8s.io/v1", "StorageClass"),
                V1PersistentVolumeClaim => ("v1", "PersistentVolumeClaim"),
                V1Ingress => ("networking.k8s.io/v1", "Ingress"),
                V1Service => ("v1", "Service"),
                V1ClusterRole => ("rbac.authorization.k8s.io/v1", "ClusterRole"),
                V1ClusterRoleBinding => ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
                V1Role => ("rbac.authorization.k8s.io/v1", "Role"),
                V1RoleBinding => ("rbac.authorization.k8s.io/v1", "RoleBinding"),
                V1ConfigMap => ("v1", "ConfigMap"),
                _ => (obj.ApiVersion, obj.Kind),
            };
        }

        return obj;
    }
}
