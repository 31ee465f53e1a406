using EksHardening.Operator.Facts;
using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Rules;

/// <summary>
/// The objects one evaluation sees, indexed for the rules: workloads, namespaces, NetworkPolicies, ServiceAccounts,
/// RBAC with aws-auth, and the infrastructure objects (StorageClasses, claims, Ingresses, Services, Nodes). Immutable
/// once built; rules read it, never change it.
/// </summary>
public sealed class ClusterSnapshot
{
    /// <summary>The annotation that binds a ServiceAccount to an IAM role (IRSA).</summary>
    public const string RoleArnAnnotation = "eks.amazonaws.com/role-arn";

    /// <summary>The label the API server sets on every namespace to its name: known even without the object.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private readonly NamespaceIndex _namespaces;
    private readonly Func<string, string, string, WorkloadView?>? _findWorkload;
    private readonly Lock _indexing = new();
    private Dictionary<(string Namespace, string Kind, string Name), WorkloadView>? _workloadsByName;

    /// <param name="findWorkload">
    /// Finds a workload by namespace, kind and name for ownership, where the caller keeps an index (the operator's
    /// informer caches); without it the snapshot indexes its workloads on first use. Either way the snapshot accepts a
    /// found owner only when its uid is the one the ownerReference names.
    /// </param>
    public ClusterSnapshot(
        IEnumerable<WorkloadView> workloads,
        IEnumerable<V1Namespace>? namespaces = null,
        IEnumerable<V1NetworkPolicy>? networkPolicies = null,
        IEnumerable<V1ServiceAccount>? serviceAccounts = null,
        Func<object, SourceLocation?>? sourceOf = null,
        Func<string, string, string, WorkloadView?>? findWorkload = null)
        : this(workloads, new NamespaceIndex(namespaces, networkPolicies, serviceAccounts, sourceOf), findWorkload)
    {
    }

    /// <param name="namespaces">The namespaced objects' index, which a caller may hand to every snapshot until they change.</param>
    /// <param name="findWorkload">As above.</param>
    public ClusterSnapshot(IEnumerable<WorkloadView> workloads, NamespaceIndex namespaces, Func<string, string, string, WorkloadView?>? findWorkload = null)
    {
        Workloads = workloads as IReadOnlyList<WorkloadView> ?? [.. workloads];
        _namespaces = namespaces;
        _findWorkload = findWorkload;
    }

    public IReadOnlyList<WorkloadView> Workloads { get; }

    /// <summary>Facts learned from AWS before evaluation; null when AWS is not consulted (rules that need it are off).</summary>
    public AwsFacts? Aws { get; set; }

    /// <summary>
    /// True when a namespace may exist without its object among the inputs (the scan over manifests), so that a
    /// namespace selector cannot be decided for it (<see cref="PolicyScope"/>). False in the operator, whose informer
    /// holds every namespace.
    /// </summary>
    public bool NamespacesMayBeMissing { get; set; }

    /// <summary>Sorts typed objects into a snapshot; objects of other kinds are ignored.</summary>
    public static ClusterSnapshot FromObjects(IEnumerable<object> objects, Func<object, SourceLocation?>? sourceOf = null)
    {
        var workloads = new List<WorkloadView>();
        var namespaces = new List<V1Namespace>();
        var networkPolicies = new List<V1NetworkPolicy>();
        var serviceAccounts = new List<V1ServiceAccount>();
        var infrastructure = new List<object>();
        var rbac = new RbacInputs();
        foreach (var obj in objects)
        {
            if (rbac.TryAdd(obj)) continue;
            switch (obj)
            {
                case var _ when InfrastructureObjects.Keeps(obj): infrastructure.Add(obj); break;
                case V1Namespace ns: namespaces.Add(ns); break;
                case V1NetworkPolicy np: networkPolicies.Add(np); break;
                case V1ServiceAccount sa: serviceAccounts.Add(sa); break;
                case IKubernetesObject<V1ObjectMeta> k8sObject when WorkloadView.TryCreate(k8sObject, sourceOf?.Invoke(obj)) is { } workload:
                    workloads.Add(workload);
                    break;
            }
        }

        return new ClusterSnapshot(workloads, namespaces, networkPolicies, serviceAccounts, sourceOf)
        {
            Infrastructure = new InfrastructureObjects(infrastructure, sourceOf),
            Rbac = rbac.Build(sourceOf),
        };
    }

    /// <summary>
    /// The cluster's ClusterRoles, ClusterRoleBindings, Roles, RoleBindings and kube-system/aws-auth; null when they were
    /// not collected (the rbac.* rules then report what they cannot know as errors, never as passes). In a scan,
    /// inputs with no RBAC object at all leave it null: the RBAC objects among the inputs are otherwise taken as the
    /// cluster's whole RBAC.
    /// </summary>
    public ClusterRbac? Rbac { get; init; }

    /// <summary>Sorts the RBAC objects and aws-auth out of a scan's inputs.</summary>
    private sealed class RbacInputs
    {
        private readonly List<V1ClusterRole> _clusterRoles = [];
        private readonly List<V1ClusterRoleBinding> _clusterRoleBindings = [];
        private readonly List<V1Role> _roles = [];
        private readonly List<V1RoleBinding> _roleBindings = [];
        private V1ConfigMap? _awsAuth;

        public bool TryAdd(object obj)
        {
            switch (obj)
            {
                case V1ClusterRole role: _clusterRoles.Add(role); return true;
                case V1ClusterRoleBinding binding: _clusterRoleBindings.Add(binding); return true;
                case V1Role role: _roles.Add(role); return true;
                case V1RoleBinding binding: _roleBindings.Add(binding); return true;
                case V1ConfigMap configMap:
                    if (configMap.Metadata?.Name == ClusterRbac.AwsAuthName && NamespaceOf(configMap.Metadata) == ClusterRbac.AwsAuthNamespace) _awsAuth = configMap;
                    return true;
                default: return false;
            }
        }

        /// <summary>Null when the inputs held no RBAC object and no aws-auth: nothing is known about the cluster's access.</summary>
        public ClusterRbac? Build(Func<object, SourceLocation?>? sourceOf)
        {
            var rbacObjects = _clusterRoles.Count + _clusterRoleBindings.Count + _roles.Count + _roleBindings.Count;
            if (rbacObjects == 0 && _awsAuth is null) return null;
            // A scan's inputs may simply not include aws-auth: its absence is not known.
            return new ClusterRbac(_clusterRoles, _clusterRoleBindings, _roles, _roleBindings, _awsAuth, awsAuthCollected: false, sourceOf)
            {
                BindingsCollected = rbacObjects > 0,
            };
        }
    }

    /// <summary>The kinds the operator has not listed yet: their rules report errors until then (none in a scan).</summary>
    public UnlistedObjects Unlisted { get; set; }

    /// <summary>StorageClasses, claims, Ingresses, Services and Nodes (encryption.* and node.* rules); empty unless given.</summary>
    public InfrastructureObjects Infrastructure { get; init; } = InfrastructureObjects.Empty;

    /// <summary>
    /// The API server's version, as <c>/version</c>'s gitVersion (e.g. v1.31.2-eks-7f9249a) or given to the scan
    /// (--kubernetes-version 1.31); null when unknown, and node.kubelet-skew is then not evaluated.
    /// </summary>
    public string? ApiServerVersion { get; set; }

    /// <summary>Namespaces, NetworkPolicies and ServiceAccounts, indexed.</summary>
    public NamespaceIndex NamespaceObjects => _namespaces;

    public IEnumerable<V1Namespace> Namespaces => _namespaces.Namespaces;

    public SourceLocation? SourceOfNamespace(string name) => _namespaces.SourceOfNamespace(name);

    /// <summary>
    /// The highest owner of <paramref name="workload"/> whose kind is in scope (Pod → ReplicaSet → Deployment gives the
    /// Deployment), or null when none resolves. An ownerReference resolves to the object of its kind and name in the
    /// namespace, and only when that object's uid is the reference's: a reference whose uid matches nothing (a pod
    /// claiming a Deployment it does not belong to) resolves to nothing. Objects without a uid (hand-written
    /// manifests) are matched by kind and name.
    /// </summary>
    public WorkloadView? TopOwnerInScope(WorkloadView workload, Func<string, bool> kindInScope)
    {
        WorkloadView? top = null;
        var current = workload;
        for (var depth = 0; depth < 8; depth++)
        {
            var owner = FindOwner(current);
            if (owner is null || ReferenceEquals(owner, workload)) break;
            if (kindInScope(owner.Kind)) top = owner;
            current = owner;
        }

        return top;
    }

    private WorkloadView? FindOwner(WorkloadView workload)
    {
        if (workload.Metadata.OwnerReferences is not { Count: > 0 } owners) return null;
        // The operator's views outlive a snapshot and its builder supersedes a view it replaces or removes: the owner
        // the controller reference resolved to stays the answer while its view is current (the lookups were a quarter of
        // an evaluation at 10k pods). Kept only with one controller reference, as the API server allows: with more,
        // another could come to resolve first. A view's references never change, so a kept owner was kept under that rule.
        if (_findWorkload is not null && workload.ControllerOwner is { Superseded: false } known) return known;
        // The controller reference first: it is the one the owner's controller manages the object through.
        if (Resolve(workload.Namespace, owners, controllers: true) is { } controller)
        {
            if (_findWorkload is not null && ControllerReferences(owners) == 1) workload.ControllerOwner = controller;
            return controller;
        }

        return Resolve(workload.Namespace, owners, controllers: false);
    }

    private static int ControllerReferences(IList<k8s.Models.V1OwnerReference> owners)
    {
        var count = 0;
        for (var i = 0; i < owners.Count; i++)
        {
            if (owners[i]?.Controller == true) count++;
        }

        return count;
    }

    private WorkloadView? Resolve(string ns, IList<k8s.Models.V1OwnerReference> owners, bool controllers)
    {
        // By index: a foreach over the IList would allocate an enumerator per workload and evaluation.
        for (var i = 0; i < owners.Count; i++)
        {
            var reference = owners[i];
            if ((reference?.Controller == true) != controllers || reference!.Kind is not { } kind || reference.Name is not { } name) continue;
            var candidate = Find(ns, kind, name);
            if (candidate is not null && UidMatches(candidate, reference)) return candidate;
        }

        return null;
    }

    /// <summary>An owner with a uid is the referenced one only when the uids agree; one without (a manifest) by name alone.</summary>
    private static bool UidMatches(WorkloadView owner, k8s.Models.V1OwnerReference reference) =>
        owner.Metadata.Uid is not { Length: > 0 } uid || string.Equals(uid, reference.Uid, StringComparison.Ordinal);

    private WorkloadView? Find(string ns, string kind, string name)
    {
        if (_findWorkload is { } find) return find(ns, kind, name);
        if (Volatile.Read(ref _workloadsByName) is null) IndexWorkloads();
        return _workloadsByName!.GetValueOrDefault((ns, kind, name));
    }

    private void IndexWorkloads()
    {
        lock (_indexing)
        {
            if (_workloadsByName is not null) return;
            var byName = new Dictionary<(string, string, string), WorkloadView>();
            foreach (var workload in Workloads) byName[(workload.Namespace, workload.Kind, workload.Name)] = workload;
            Volatile.Write(ref _workloadsByName, byName);
        }
    }

    public V1Namespace? FindNamespace(string name) => _namespaces.FindNamespace(name);

    public IReadOnlyList<V1NetworkPolicy> NetworkPoliciesIn(string ns) => _namespaces.NetworkPoliciesIn(ns);

    public V1ServiceAccount? FindServiceAccount(string ns, string name) => _namespaces.FindServiceAccount(ns, name);

    /// <summary>Namespaces whose ServiceAccounts carry <paramref name="roleArn"/>, sorted.</summary>
    public IReadOnlySet<string> NamespacesUsingRole(string roleArn) => _namespaces.NamespacesUsingRole(roleArn);

    /// <summary><see cref="NamespacesUsingRole"/> as one comma-separated string, made once per role.</summary>
    internal string NamespacesUsingRoleText(string roleArn) => _namespaces.NamespacesUsingRoleText(roleArn);

    public static string? RoleArnOf(V1ServiceAccount account) =>
        account.Metadata?.Annotations is { } annotations && annotations.TryGetValue(RoleArnAnnotation, out var arn) && !string.IsNullOrWhiteSpace(arn)
            ? arn.Trim()
            : null;

    /// <summary>Namespace of a namespaced object; <c>default</c> when none is given, as kubectl does.</summary>
    public static string NamespaceOf(V1ObjectMeta? metadata) =>
        string.IsNullOrEmpty(metadata?.NamespaceProperty) ? "default" : metadata.NamespaceProperty;

    /// <summary>Labels of a namespace, including the <c>kubernetes.io/metadata.name</c> label the API server sets.</summary>
    public IDictionary<string, string> NamespaceLabels(string ns) => _namespaces.NamespaceLabels(ns);
}
