using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Who holds cluster-wide admin power through EKS access entries (<c>cluster.access-entries</c>): only the policy's
/// allowedAdminPrincipals may have AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy associated at cluster scope.
/// The aws-auth ConfigMap's system:masters mappings are rbac.system-masters-mapping's. Findings sit on the cluster.
/// </summary>
public sealed class ClusterAccessRules : IRuleFamily
{
    public static readonly RuleDefinition ClusterAdmins = new(
        "cluster.access-entries", "Only allowed principals hold cluster-wide admin access policies through EKS access entries",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Cluster, "cluster.restrictClusterAdmins",
        "aws eks disassociate-access-policy --cluster-name <name> --principal-arn <arn> --policy-arn <policy>, or scope it to namespaces (--access-scope type=namespace,namespaces=...), or add the principal to allowedAdminPrincipals.",
        RequiresAws: true);

    /// <summary>The EKS access policies that grant cluster-admin-like power when associated at cluster scope.</summary>
    private static readonly string[] AdminPolicies = ["AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy"];

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ClusterAdmins];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) =>
        policy.Cluster?.RestrictClusterAdmins == true ? [ClusterAdmins] : [];

    public void EvaluateCluster(ClusterContext context, FindingCollector findings)
    {
        var allowed = context.Policy.Cluster!.AllowedAdminPrincipals ?? [];
        if (!ClusterRules.TryDescribed(context, [ClusterAdmins], findings, out var facts, out var cluster)) return;

        if (string.Equals(cluster.AuthenticationMode, "CONFIG_MAP", StringComparison.Ordinal))
        {
            findings.PassNote(ClusterAdmins, $"cluster {cluster.Name} uses no access entries (authenticationMode CONFIG_MAP): access is granted through kube-system/aws-auth, which rbac.system-masters-mapping judges");
            return;
        }

        if (facts.AccessEntriesError is { } error)
        {
            findings.Error(ClusterAdmins, $"the access entries of cluster {cluster.Name} are unknown: {error}");
            return;
        }

        if (facts.AccessEntries is not { } entries)
        {
            findings.Error(ClusterAdmins, $"the access entries of cluster {cluster.Name} are unknown: they were not collected");
            return;
        }

        var creator = cluster.BootstrapClusterCreatorAdminPermissions == true
            ? " (the cluster was created with bootstrapClusterCreatorAdminPermissions: true, which gives its creator such an entry)"
            : "";
        foreach (var (principal, policies, entryError) in entries)
        {
            if (allowed.Contains(principal, StringComparer.Ordinal)) continue;
            var path = $"accessEntries[{principal}]";
            if (entryError is not null)
            {
                findings.Error(ClusterAdmins, $"the access policies of {principal} are unknown: {entryError}", path);
                continue;
            }

            foreach (var policy in policies.Where(p => IsAdminPolicy(p.PolicyArn) && string.Equals(p.ScopeType, "cluster", StringComparison.OrdinalIgnoreCase)))
            {
                findings.Fail(ClusterAdmins, $"access entry {principal} holds {PolicyName(policy.PolicyArn)} on the whole cluster {cluster.Name} and is not in allowedAdminPrincipals{creator}", path);
            }
        }
    }

    /// <summary>EKS's access policies are named arn:aws:eks::aws:cluster-access-policy/NAME (in every partition).</summary>
    private static bool IsAdminPolicy(string arn) =>
        arn.Contains(":cluster-access-policy/", StringComparison.Ordinal) && AdminPolicies.Contains(PolicyName(arn), StringComparer.Ordinal);

    private static string PolicyName(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
