namespace EksHardening.Operator.Rules.Rbac;

/// <summary>One privilege a service account holds through one binding, or why what a binding grants is unknown.</summary>
/// <param name="What">E.g. "get, list secrets in every namespace"; null when <paramref name="Unknown"/> is set.</param>
public sealed record HeldPrivilege(RbacGrant Grant, string? What, string? Unknown);

/// <summary>
/// The privileges a workload's service account may not hold (issue 14, rule rbac.workload-privileges): through any
/// binding, group subjects included, get/list/watch Secrets in a namespace other than its own; create, update, patch
/// or delete pods or workload kinds in another namespace; escalate, bind or impersonate anywhere; create pods/exec or
/// pods/attach anywhere; any verb on nodes/proxy. A RoleBinding grants only in its namespace, so it never grants
/// cluster-scoped resources (nodes, users, groups, clusterroles), as in the RBAC authorizer.
/// </summary>
public static class WorkloadPrivileges
{
    private sealed record Target(string ApiGroup, string Resource, string Subresource = "", bool ClusterScoped = false);

    private sealed record Privilege(bool OtherNamespacesOnly, string[] Verbs, Target[] Targets);

    private static readonly string[] AnyVerb = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    private static readonly Privilege[] Forbidden =
    [
        new(OtherNamespacesOnly: true, ["get", "list", "watch"], [new("", "secrets")]),
        new(OtherNamespacesOnly: true, ["create", "update", "patch", "delete"],
        [
            new("", "pods"), new("", "replicationcontrollers"), new("apps", "deployments"), new("apps", "statefulsets"),
            new("apps", "daemonsets"), new("apps", "replicasets"), new("batch", "jobs"), new("batch", "cronjobs"),
        ]),
        new(OtherNamespacesOnly: false, ["escalate", "bind"],
            [new("rbac.authorization.k8s.io", "roles"), new("rbac.authorization.k8s.io", "clusterroles", ClusterScoped: true)]),
        new(OtherNamespacesOnly: false, ["impersonate"],
        [
            new("", "users", ClusterScoped: true), new("", "groups", ClusterScoped: true), new("", "serviceaccounts"),
            new("authentication.k8s.io", "uids", ClusterScoped: true),
            new("authentication.k8s.io", "userextras", RbacRequest.AnySubresource, ClusterScoped: true),
        ]),
        new(OtherNamespacesOnly: false, ["create"], [new("", "pods", "exec"), new("", "pods", "attach")]),
        new(OtherNamespacesOnly: false, AnyVerb, [new("", "nodes", "proxy", ClusterScoped: true)]),
    ];

    /// <param name="allowed">Whether a binding's subject is one the policy allows (its grants then do not count).</param>
    public static List<HeldPrivilege> Of(ClusterRbac rbac, string ns, string serviceAccount, Func<RbacBinding, Rbacv1Subject, bool> allowed)
    {
        var held = new List<HeldPrivilege>();
        foreach (var grant in rbac.GrantsTo(RbacIdentity.ServiceAccount(ns, serviceAccount)))
        {
            if (allowed(grant.Binding, grant.Subject)) continue;
            if (grant.Role.Rules is not { } rules)
            {
                held.Add(new HeldPrivilege(grant, null, grant.Role.Problem));
                continue;
            }

            foreach (var privilege in Forbidden)
            {
                if (privilege.OtherNamespacesOnly && grant.Namespace == ns) continue;
                if (Describe(privilege, rules, grant.Namespace) is { } what) held.Add(new HeldPrivilege(grant, what, null));
            }
        }

        return held;
    }

    /// <summary>"create pods/exec, pods/attach in namespace ci" for what the rules grant of the privilege; null for nothing.</summary>
    private static string? Describe(Privilege privilege, IReadOnlyList<V1PolicyRule> rules, string? grantNamespace)
    {
        var verbs = new List<string>();
        var resources = new List<string>();
        var namesOnly = new SortedSet<string>(StringComparer.Ordinal);
        var unrestricted = false;
        foreach (var target in privilege.Targets)
        {
            // A RoleBinding's rules apply to requests in its namespace, which a cluster-scoped resource never is.
            if (target.ClusterScoped && grantNamespace is not null) continue;
            var granted = false;
            foreach (var verb in privilege.Verbs)
            {
                var request = RbacRequest.OnResource(verb, target.ApiGroup, target.Resource, target.Subresource);
                var matching = rules.Where(r => PolicyRuleMatching.Allows(r, request)).ToList();
                if (matching.Count == 0) continue;
                granted = true;
                if (!verbs.Contains(verb)) verbs.Add(verb);
                foreach (var rule in matching)
                {
                    if (rule.ResourceNames is { Count: > 0 } ruleNames) namesOnly.UnionWith(ruleNames);
                    else unrestricted = true;
                }
            }

            if (granted) resources.Add(RbacRequest.OnResource("", target.ApiGroup, target.Resource, target.Subresource).ResourceText);
        }

        if (resources.Count == 0) return null;
        var where = grantNamespace is null ? "in every namespace" : $"in namespace {grantNamespace}";
        var names = unrestricted || namesOnly.Count == 0 ? "" : $" (named {string.Join(", ", namesOnly)})";
        return $"{string.Join(", ", verbs)} {string.Join(", ", resources)}{names} {where}";
    }
}
