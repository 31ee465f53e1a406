using EksHardening.Operator.Rules;
using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Admission;

/// <summary>
/// One admitted object of the rbac or encryption duties (a binding, kube-system/aws-auth, a StorageClass, a claim, an
/// Ingress, a Service), judged by the rule families' own object evaluation, so that admission and the reconciler
/// report the very same findings. The families see a snapshot that holds the admitted object and, from the
/// operator's cache, only what its rules look up: every ClusterRole (aggregation) and the Role a RoleBinding names,
/// or the StorageClasses (a claim's class and the default class). What the cache does not hold the families report
/// as errors, which admission turns into warnings: never a deny on a guess, never a silent pass.
/// </summary>
internal sealed class AdmittedObject
{
    private readonly IKubernetesObject<V1ObjectMeta> _object;
    private readonly ClusterSnapshot _judged;

    private AdmittedObject(IKubernetesObject<V1ObjectMeta> obj, ClusterSnapshot judged)
    {
        _object = obj;
        _judged = judged;
    }

    /// <param name="cluster">The admission context's snapshot: its RBAC holds the cached roles, its infrastructure the cached StorageClasses.</param>
    public static AdmittedObject Of(IKubernetesObject<V1ObjectMeta> obj, ClusterSnapshot cluster)
    {
        var judged = obj switch
        {
            V1ClusterRoleBinding binding => new ClusterSnapshot([]) { Rbac = Rbac(cluster, [binding], [], []) },
            V1RoleBinding binding => new ClusterSnapshot([]) { Rbac = Rbac(cluster, [], [binding], NamedRole(cluster.Rbac, binding)) },
            V1ConfigMap awsAuth => new ClusterSnapshot([]) { Rbac = new ClusterRbac([], [], [], [], awsAuth, awsAuthCollected: true) },
            // The admitted class replaces the cached one of its name (the index keeps the last of a name).
            V1StorageClass or V1PersistentVolumeClaim => new ClusterSnapshot([])
            {
                Infrastructure = new InfrastructureObjects(cluster.Infrastructure.StorageClasses.Cast<object>().Append(obj)),
            },
            _ => new ClusterSnapshot([]) { Infrastructure = new InfrastructureObjects([obj]) },
        };
        return new AdmittedObject(obj, judged);
    }

    /// <summary>
    /// The findings on the object of the plan's rules, before exemptions; null when the families do not judge it (a
    /// namespace outside the policy's match, a class of another provisioner, a Service that is not a LoadBalancer).
    /// </summary>
    public List<Finding>? Evaluate(AdmissionPlan plan, ResponsibilityPolicySpec spec, Func<string, bool> includesNamespace, DateTimeOffset now)
    {
        var findings = new ObjectFindings(plan.Rules);
        var context = new ObjectContext(spec, _judged, now, includesNamespace);
        foreach (var family in plan.Families) family.EvaluateObjects(context, findings);
        foreach (var (judged, _, list, _) in findings.Complete())
        {
            if (ReferenceEquals(judged, _object)) return list;
        }

        return null;
    }

    /// <summary>Whether two versions of a claim get the same class: a class set to what the claim already got by default changes nothing.</summary>
    public static bool SameClass(V1PersistentVolumeClaim current, V1PersistentVolumeClaim previous, ClusterSnapshot cluster)
    {
        var defaultClass = cluster.Infrastructure.DefaultStorageClass?.Metadata?.Name;
        var now = EbsVolumeEncryption.ClassNameOf(current.Metadata, current.Spec) ?? defaultClass;
        var before = EbsVolumeEncryption.ClassNameOf(previous.Metadata, previous.Spec) ?? defaultClass;
        return now is not null && string.Equals(now, before, StringComparison.Ordinal);
    }

    public static bool IsAwsAuth(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata?.Name == ClusterRbac.AwsAuthName && ClusterSnapshot.NamespaceOf(obj.Metadata) == ClusterRbac.AwsAuthNamespace;

    /// <summary>The cached ClusterRoles and the given Role, with the admitted binding alone (no other binding is judged).</summary>
    private static ClusterRbac Rbac(ClusterSnapshot cluster, V1ClusterRoleBinding[] clusterRoleBindings, V1RoleBinding[] roleBindings, V1Role[] roles) =>
        new(cluster.Rbac?.ClusterRoles ?? [], clusterRoleBindings, roles, roleBindings, awsAuth: null, awsAuthCollected: true);

    private static V1Role[] NamedRole(ClusterRbac? rbac, V1RoleBinding binding) =>
        binding.RoleRef is { Kind: "Role", Name: { } name } && rbac?.FindRole(ClusterSnapshot.NamespaceOf(binding.Metadata), name) is { } role ? [role] : [];
}
