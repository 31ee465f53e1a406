namespace EksHardening.Operator.Rules;

/// <summary>The one catalog of rules: every family, every rule, in a stable order.</summary>
public static class RuleCatalog
{
    public static readonly IReadOnlyList<IRuleFamily> Families =
    [
        new PodSecurityRules(),
        new WorkloadRules(),
        new NamespaceRules(),
        new ImageRules(),
        new ImageScanRules(),
        new NetworkPolicyRules(),
        new IrsaRules(),
        new IrsaRoleRules(),
        new ClusterRules(),
        new ClusterLifecycleRules(),
        new ClusterDetectionRules(),
        new ClusterAccessRules(),
        new NetworkSecurityGroupRules(),
        new RbacRules(),
        new EncryptionRules(),
        new NodeRules(),
        new NodeInstanceRules(),
    ];

    public static readonly IReadOnlyList<RuleDefinition> All = Families.SelectMany(f => f.Rules).ToList();

    private static readonly Dictionary<string, RuleDefinition> ById = All.ToDictionary(r => r.Id, StringComparer.Ordinal);

    public static RuleDefinition? Find(string id) => ById.GetValueOrDefault(id);

    /// <summary>The README's rule table; a test keeps the README in step with it.</summary>
    public static string RenderMarkdownTable()
    {
        var table = new StringBuilder();
        table.Append("| rule | row | severity | turned on by | what it checks |\n");
        table.Append("|---|---|---|---|---|\n");
        foreach (var rule in All)
        {
            table.Append($"| `{rule.Id}` | {rule.Row} | {rule.Severity.ToString().ToLowerInvariant()} | `{rule.Duty}` | {rule.Title} |\n");
        }

        return table.ToString();
    }
}
