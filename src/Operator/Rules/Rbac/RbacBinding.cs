namespace EksHardening.Operator.Rules.Rbac;

/// <summary>A ClusterRoleBinding or a RoleBinding seen as one shape: where it applies, what it grants, to whom.</summary>
/// <param name="Namespace">The RoleBinding's namespace; null for a ClusterRoleBinding (it grants in every namespace).</param>
public sealed record RbacBinding(IKubernetesObject<V1ObjectMeta> Object, string Kind, string? Namespace, string Name, V1RoleRef? RoleRef, IReadOnlyList<Rbacv1Subject> Subjects, IDictionary<string, string>? Labels)
{
    public const string ClusterRoleBindingKind = "ClusterRoleBinding";
    public const string RoleBindingKind = "RoleBinding";

    public static RbacBinding Of(V1ClusterRoleBinding binding) =>
        new(binding, ClusterRoleBindingKind, null, binding.Metadata?.Name ?? "", binding.RoleRef, [.. binding.Subjects ?? []], binding.Metadata?.Labels);

    public static RbacBinding Of(V1RoleBinding binding) =>
        new(binding, RoleBindingKind, ClusterSnapshot.NamespaceOf(binding.Metadata), binding.Metadata?.Name ?? "", binding.RoleRef,
            [.. binding.Subjects ?? []], binding.Metadata?.Labels);

    /// <summary>How messages name it: <c>ClusterRoleBinding ci-admin</c>, <c>RoleBinding shop/deployer</c>.</summary>
    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    /// <summary>How messages name the role it grants: <c>ClusterRole cluster-admin</c>.</summary>
    public string RoleText => $"{RoleRef?.Kind ?? "(no kind)"} {RoleRef?.Name ?? "(no name)"}";

    /// <summary>Where a grant applies: "in every namespace" or "in namespace shop".</summary>
    public string ScopeText => Namespace is null ? "in every namespace" : $"in namespace {Namespace}";

    /// <summary>How messages name a subject: <c>Group ci-admins</c>, <c>ServiceAccount ci/deployer</c>.</summary>
    public string SubjectText(Rbacv1Subject subject) => subject.Kind == "ServiceAccount"
        ? $"ServiceAccount {(string.IsNullOrEmpty(subject.NamespaceProperty) ? Namespace ?? "" : subject.NamespaceProperty)}/{subject.Name}"
        : $"{subject.Kind} {subject.Name}";
}
