namespace EksHardening.Operator.Rules;

/// <summary>
/// Kinds a duty reads that the operator watches but has not listed yet (it starts watching them when a policy first
/// turns the duty on). Until listed they are unknown, not absent: the rules that read them report errors on a stand-in
/// for all objects of the kind, never passes. A scan's inputs are complete by definition: none.
/// </summary>
[Flags]
public enum UnlistedObjects
{
    None = 0,
    /// <summary>ClusterRoles, ClusterRoleBindings, Roles, RoleBindings and kube-system/aws-auth.</summary>
    Rbac = 1,
    /// <summary>StorageClasses and PersistentVolumeClaims.</summary>
    Volumes = 2,
    /// <summary>Ingresses and Services.</summary>
    Ingress = 4,
    /// <summary>Nodes.</summary>
    Nodes = 8,
}

/// <summary>The stand-ins and messages of <see cref="UnlistedObjects"/>.</summary>
public static class Unlisted
{
    /// <summary>Stands for every object of a kind: "*" is no valid object name, so it never clashes with one.</summary>
    public static T AllOf<T>() where T : IKubernetesObject<V1ObjectMeta>, new() => new() { Metadata = new V1ObjectMeta { Name = "*" } };

    /// <param name="what">The kinds, plural: "ClusterRoleBindings and RoleBindings".</param>
    /// <param name="section">The policy section whose duty reads them: "spec.rbac".</param>
    public static string Message(string what, string section) =>
        $"{what} have not been listed yet (the operator watches them from the first policy that sets {section}), so whether they comply is unknown";
}
