namespace EksHardening.Operator.Rules.Rbac;

/// <summary>
/// Which subjects of a binding someone added to what the cluster itself made. Built-in bindings are those the API server
/// reconciles (label <c>kubernetes.io/bootstrapping=rbac-defaults</c>), with the subjects upstream gives them
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go, controller_policy.go, namespace_policy.go), and EKS's own
/// (named <c>eks:*</c>). A subject beyond those defaults is judged like any other; a labelled binding whose defaults are
/// not known here has every subject judged (fail closed).
/// </summary>
public static class BuiltInBindings
{
    public const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    public const string RbacDefaults = "rbac-defaults";
    public const string EksPrefix = "eks:";
    private const string ControllerPrefix = "system:controller:";

    private static Rbacv1Subject User(string name) => new() { Kind = "User", Name = name, ApiGroup = "rbac.authorization.k8s.io" };
    private static Rbacv1Subject Group(string name) => new() { Kind = "Group", Name = name, ApiGroup = "rbac.authorization.k8s.io" };
    private static Rbacv1Subject Account(string ns, string name) => new() { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns };

    /// <summary>Upstream ClusterRoleBindings and their subjects (system:controller:NAME bindings are derived, see <see cref="DefaultSubjects"/>).</summary>
    private static readonly Dictionary<string, Rbacv1Subject[]> ClusterBindingDefaults = new(StringComparer.Ordinal)
    {
        ["cluster-admin"] = [Group("system:masters")],
        ["system:monitoring"] = [Group("system:monitoring")],
        ["system:discovery"] = [Group(RbacIdentity.Authenticated)],
        ["system:basic-user"] = [Group(RbacIdentity.Authenticated)],
        ["system:public-info-viewer"] = [Group(RbacIdentity.Authenticated), Group(RbacIdentity.Unauthenticated)],
        ["system:node-proxier"] = [User("system:kube-proxy")],
        ["system:kube-controller-manager"] = [User("system:kube-controller-manager")],
        ["system:kube-dns"] = [Account("kube-system", "kube-dns")],
        ["system:kube-scheduler"] = [User("system:kube-scheduler")],
        ["system:volume-scheduler"] = [User("system:kube-scheduler")],
        ["system:node"] = [],
        ["system:service-account-issuer-discovery"] = [Group(RbacIdentity.AllServiceAccounts)],
    };

    /// <summary>Upstream RoleBindings (namespace, name) and their subjects.</summary>
    private static readonly Dictionary<(string, string), Rbacv1Subject[]> RoleBindingDefaults = new()
    {
        [("kube-system", "system::extension-apiserver-authentication-reader")] = [User("system:kube-controller-manager"), User("system:kube-scheduler")],
        [("kube-system", "system::leader-locking-kube-controller-manager")] = [User("system:kube-controller-manager"), Account("kube-system", "kube-controller-manager")],
        [("kube-system", "system::leader-locking-kube-scheduler")] = [User("system:kube-scheduler"), Account("kube-system", "kube-scheduler")],
    };

    /// <summary>The subjects of a binding to judge: all of them, or for a built-in one only those beyond its defaults.</summary>
    public static IReadOnlyList<Rbacv1Subject> AddedSubjects(RbacBinding binding)
    {
        if (binding.Name.StartsWith(EksPrefix, StringComparison.Ordinal))
        {
            return [.. binding.Subjects.Where(s => !IsEksOwnSubject(s, binding.Namespace))];
        }

        if (!IsLabelledDefault(binding) || DefaultSubjects(binding) is not { } defaults)
        {
            return binding.Subjects;
        }

        return [.. binding.Subjects.Where(s => !defaults.Any(d => SameSubject(d, s, binding.Namespace)))];
    }

    /// <summary>Whether the binding is the cluster's own and nobody added a subject to it.</summary>
    public static bool IsUnchangedBuiltIn(RbacBinding binding) =>
        (binding.Name.StartsWith(EksPrefix, StringComparison.Ordinal) || IsLabelledDefault(binding))
        && AddedSubjects(binding).Count == 0;

    /// <summary>
    /// The upstream subjects of a labelled binding; null when this release does not know them. The controllers'
    /// bindings <c>system:controller:NAME</c> bind the service account kube-system/NAME (also in kube-public, for the bootstrap signer).
    /// </summary>
    private static bool IsLabelledDefault(RbacBinding binding) =>
        binding.Labels is { } labels && labels.TryGetValue(BootstrappingLabel, out var value) && value == RbacDefaults;

    private static Rbacv1Subject[]? DefaultSubjects(RbacBinding binding)
    {
        if (binding.Name.StartsWith(ControllerPrefix, StringComparison.Ordinal))
        {
            return [Account("kube-system", binding.Name[ControllerPrefix.Length..])];
        }

        return binding.Namespace is { } ns
            ? RoleBindingDefaults.GetValueOrDefault((ns, binding.Name))
            : ClusterBindingDefaults.GetValueOrDefault(binding.Name);
    }

    /// <summary>
    /// EKS binds its own components: users and groups named <c>eks:*</c> or <c>system:*</c> and service accounts of
    /// kube-system. The anonymous subjects are never EKS's own.
    /// </summary>
    private static bool IsEksOwnSubject(Rbacv1Subject subject, string? bindingNamespace) => subject.Kind switch
    {
        "User" or "Group" when subject.Name is RbacIdentity.Anonymous or RbacIdentity.Unauthenticated => false,
        "User" or "Group" => subject.Name.StartsWith(EksPrefix, StringComparison.Ordinal) || subject.Name.StartsWith("system:", StringComparison.Ordinal),
        "ServiceAccount" => (string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace : subject.NamespaceProperty) == "kube-system",
        _ => false,
    };

    private static bool SameSubject(Rbacv1Subject a, Rbacv1Subject b, string? bindingNamespace) =>
        a.Kind == b.Kind && a.Name == b.Name
        && (a.Kind != "ServiceAccount" || a.NamespaceProperty == (string.IsNullOrEmpty(b.NamespaceProperty) ? bindingNamespace : b.NamespaceProperty));
}
