namespace EksHardening.Operator.Rules.Rbac;

/// <summary>
/// Who a request comes from, as the authorizer sees it: a user name and groups. A service account
/// <c>NS/NAME</c> is the user <c>system:serviceaccount:NS:NAME</c> in the groups <c>system:serviceaccounts</c>,
/// <c>system:serviceaccounts:NS</c> and <c>system:authenticated</c> (kubernetes pkg/serviceaccount).
/// </summary>
public sealed record RbacIdentity(string UserName, IReadOnlyList<string> Groups)
{
    public const string AllServiceAccounts = "system:serviceaccounts";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string Anonymous = "system:anonymous";

    public static RbacIdentity ServiceAccount(string ns, string name) =>
        new($"system:serviceaccount:{ns}:{name}", [AllServiceAccounts, $"{AllServiceAccounts}:{ns}", Authenticated]);

    /// <summary>
    /// Whether a binding's subject names this identity (plugin/pkg/auth/authorizer/rbac appliesToUser): a User by
    /// name, a Group by membership, a ServiceAccount by namespace and name, its namespace defaulting to the
    /// binding's.
    /// </summary>
    /// <param name="bindingNamespace">The RoleBinding's namespace; null for a ClusterRoleBinding.</param>
    public bool IsNamedBy(Rbacv1Subject subject, string? bindingNamespace) => subject.Kind switch
    {
        "User" => subject.Name == UserName,
        "Group" => Groups.Contains(subject.Name, StringComparer.Ordinal),
        "ServiceAccount" => (string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace : subject.NamespaceProperty) is { Length: > 0 } ns
                            && $"system:serviceaccount:{ns}:{subject.Name}" == UserName,
        _ => false,
    };
}
