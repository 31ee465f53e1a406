using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// The customer's VPC duty (<c>network.security-groups-open</c>): the cluster security group, the additional
/// control-plane groups and every Node's instance groups admit nothing from the whole internet (0.0.0.0/0 or ::/0,
/// however split within a rule) except the policy's allowedPublicPorts. A rule whose source is a prefix list or
/// another group is not open. Findings sit on the cluster, one per open rule.
/// </summary>
public sealed class NetworkSecurityGroupRules : IRuleFamily
{
    public static readonly RuleDefinition OpenGroups = new(
        "network.security-groups-open", "The cluster's and its nodes' security groups admit nothing from the internet but allowedPublicPorts",
        ResponsibilityRow.NetworkSecurity, Severity.High, RuleScope.Cluster, "cluster.disallowOpenSecurityGroups",
        "aws ec2 revoke-security-group-ingress --group-id <group> --security-group-rule-ids <rule>, then allow only the sources that need it (a VPN range, a prefix list, a load balancer's group).",
        RequiresAws: true);

    public IReadOnlyList<RuleDefinition> Rules { get; } = [OpenGroups];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) =>
        policy.Cluster?.DisallowOpenSecurityGroups == true ? [OpenGroups] : [];

    public void EvaluateCluster(ClusterContext context, FindingCollector findings)
    {
        var allowed = (context.Policy.Cluster!.AllowedPublicPorts ?? []).ToHashSet();
        var snapshot = context.Snapshot;
        if (snapshot.Unlisted.HasFlag(UnlistedObjects.Nodes))
        {
            findings.Error(OpenGroups, "the Nodes have not been listed yet, so their instances' security groups are unknown");
            return;
        }

        var facts = snapshot.Aws?.Nodes;
        var cluster = snapshot.Aws?.Cluster;
        if (facts is null || cluster?.Cluster is null)
        {
            var why = cluster?.ClusterError?.ToString() ?? ClusterRules.ClusterFactsMissing;
            findings.Error(OpenGroups, $"the cluster's security groups are unknown: {why}");
            return;
        }

        if (facts.SecurityGroupsError is { } error)
        {
            findings.Error(OpenGroups, $"the security groups could not be described: {error}");
            return;
        }

        // Nodes whose instance is unknown leave their groups unknown: an error, as long as nothing else fails.
        var unknownNodes = snapshot.Infrastructure.Nodes
            .Where(n => NodeInstanceRules.InstanceIdOf(n) is not { } id || !facts.Instances.ContainsKey(id))
            .Select(n => n.Metadata?.Name ?? "")
            .ToList();
        if (facts.InstancesError is { } instancesError) findings.Error(OpenGroups, $"the Nodes' instances could not be described, so their security groups are unknown: {instancesError}");
        else if (unknownNodes.Count > 0) findings.Error(OpenGroups, $"the instances of Node(s) {string.Join(", ", unknownNodes.Take(10))} are not known to EC2, so their security groups are unknown");

        foreach (var (groupId, role) in facts.SecurityGroupRoles.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!facts.SecurityGroups.TryGetValue(groupId, out var group))
            {
                findings.Error(OpenGroups, $"security group {groupId} ({role}) is not known to EC2", $"securityGroups[{groupId}]");
                continue;
            }

            for (var i = 0; i < group.Ingress.Count; i++)
            {
                if (OpenTo(group.Ingress[i], allowed) is { } what)
                {
                    findings.Fail(OpenGroups, $"security group {groupId} ({group.GroupName}; {role}) admits {what}", $"securityGroups[{groupId}].ipPermissions[{i}]");
                }
            }
        }
    }

    /// <summary>What the rule admits from the whole internet beyond the allowed ports, in words; null when nothing.</summary>
    internal static string? OpenTo(Ec2IngressRule rule, IReadOnlySet<int> allowedPorts)
    {
        var sources = new List<string>(2);
        if (CoversEverything(rule.Ipv4Ranges, 32)) sources.Add(rule.Ipv4Ranges.Count == 1 ? rule.Ipv4Ranges[0] : $"{string.Join(", ", rule.Ipv4Ranges)} (every IPv4 address)");
        if (CoversEverything(rule.Ipv6Ranges, 128)) sources.Add(rule.Ipv6Ranges.Count == 1 ? rule.Ipv6Ranges[0] : $"{string.Join(", ", rule.Ipv6Ranges)} (every IPv6 address)");
        if (sources.Count == 0) return null;
        var from = string.Join(" and ", sources);
        var protocol = rule.Protocol.ToLowerInvariant();
        if (protocol is "-1" or "all") return $"all traffic from {from}";
        if (protocol is not ("tcp" or "6" or "udp" or "17"))
        {
            // ICMP and other protocols have no ports to allow.
            return $"protocol {rule.Protocol} from {from}";
        }

        var name = protocol is "tcp" or "6" ? "TCP" : "UDP";
        var (low, high) = (rule.FromPort is null or -1 ? 0 : rule.FromPort.Value, rule.ToPort is null or -1 ? 65535 : rule.ToPort.Value);
        if (low > high) return $"{name} ports {low}-{high} (a range EC2 does not describe) from {from}";
        for (var port = low; port <= high; port++)
        {
            if (!allowedPorts.Contains(port)) return low == high ? $"{name} port {port} from {from}" : $"{name} ports {low}-{high} from {from} (port {port} is not in allowedPublicPorts)";
        }

        return null;
    }

    private static bool CoversEverything(IReadOnlyList<string> cidrs, int bits)
    {
        var networks = new List<IPNetwork>(cidrs.Count);
        foreach (var text in cidrs)
        {
            if (NetworkPolicySemantics.TryParseCidr(text.Trim(), out var network)) networks.Add(network);
        }

        return networks.Count > 0 && ClusterRules.CoversEverything(networks, bits);
    }
}
