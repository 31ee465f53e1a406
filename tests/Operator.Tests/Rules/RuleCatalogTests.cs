namespace EksHardening.Operator.Tests.Rules;

public class RuleCatalogTests
{
    private const string Begin = "<!-- rules:begin -->";
    private const string End = "<!-- rules:end -->";

    [Fact]
    public void Readme_rule_table_is_generated_from_the_catalog() =>
        ReadmeBlocks.AssertGenerated(Begin, End, RuleCatalog.RenderMarkdownTable(), "Readme_rule_table");

    [Fact]
    public void Rule_ids_are_unique_dotted_and_in_their_design_row()
    {
        Assert.Equal(RuleCatalog.All.Count, RuleCatalog.All.Select(r => r.Id).Distinct().Count());
        foreach (var rule in RuleCatalog.All)
        {
            var family = rule.Id[..rule.Id.IndexOf('.')];
            var expectedRow = family switch
            {
                "pss" or "workload" or "namespace" or "image" when rule.Id is not ("image.vulnerabilities" or "image.scanned" or "image.scan-on-push")
                    => ResponsibilityRow.InfrastructureSecurity,
                "node" when rule.Id == "node.imdsv2-required" => ResponsibilityRow.InfrastructureSecurity,
                "image" => ResponsibilityRow.PatchManagement,
                "irsa" or "rbac" => ResponsibilityRow.IdentityManagement,
                "network" => ResponsibilityRow.NetworkSecurity,
                "cluster" when rule.Id.StartsWith("cluster.endpoint-", StringComparison.Ordinal) => ResponsibilityRow.NetworkSecurity,
                "cluster" when rule.Id is "cluster.control-plane-logging" or "cluster.threat-detection" or "cluster.audit-trail" => ResponsibilityRow.Monitoring,
                "cluster" when rule.Id is "cluster.version-supported" or "cluster.addons-current" => ResponsibilityRow.PatchManagement,
                "cluster" when rule.Id == "cluster.access-entries" => ResponsibilityRow.IdentityManagement,
                "cluster" => ResponsibilityRow.DataEncryption,
                "encryption" => ResponsibilityRow.DataEncryption,
                "node" => ResponsibilityRow.PatchManagement,
                _ => throw new Xunit.Sdk.XunitException($"rule {rule.Id} belongs to no family of DESIGN §4"),
            };
            Assert.True(expectedRow == rule.Row, $"{rule.Id} sits in {rule.Row}, DESIGN §2 puts it in {expectedRow}");
            Assert.False(string.IsNullOrWhiteSpace(rule.Title), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Remediation), rule.Id);
            Assert.Same(rule, RuleCatalog.Find(rule.Id));
        }
    }

    [Fact]
    public void Every_family_enables_nothing_for_an_empty_policy()
    {
        var empty = new ResponsibilityPolicySpec();
        Assert.All(RuleCatalog.Families, f => Assert.Empty(f.EnabledRules(empty)));
    }

    /// <summary>The prefix itself, capitalized: network.* families of AWS rules may be named Network…Rules.</summary>
    private static string StartOfPrefix(string prefix) => char.ToUpperInvariant(prefix[0]) + prefix[1..];

    /// <summary>The rule-id prefix and the name its families start with (src/Operator/README.md, the Rules row).</summary>
    private static readonly Dictionary<string, string> FamilyNameOfPrefix = new(StringComparer.Ordinal)
    {
        ["pss"] = "PodSecurity",
        ["workload"] = "Workload",
        ["namespace"] = "Namespace",
        ["image"] = "Image",
        ["network"] = "NetworkPolicy",
        ["irsa"] = "Irsa",
        ["cluster"] = "Cluster",
        ["rbac"] = "Rbac",
        ["encryption"] = "Encryption",
        ["node"] = "Node",
    };

    /// <summary>
    /// A family holds the rules of one id prefix and is named after it, in a file of its name; a prefix has a second
    /// family (named with what it reads) only for its rules that read AWS facts, so the first reads none.
    /// </summary>
    [Fact]
    public void Every_family_holds_one_rule_id_prefix_and_its_file_is_named_after_it()
    {
        var byPrefix = RuleCatalog.Families.GroupBy(f => Assert.Single(f.Rules.Select(r => r.Id[..r.Id.IndexOf('.')]).Distinct()));
        Assert.Equal(FamilyNameOfPrefix.Keys.Order(), byPrefix.Select(g => g.Key).Order());
        foreach (var group in byPrefix)
        {
            var name = FamilyNameOfPrefix[group.Key] + "Rules";
            var main = group.SingleOrDefault(f => f.GetType().Name == name);
            Assert.True(main is not null, $"the {group.Key}.* rules have no family {name}: {string.Join(", ", group.Select(f => f.GetType().Name))}");
            foreach (var family in group.Where(f => f != main))
            {
                var type = family.GetType().Name;
                var start = StartOfPrefix(group.Key);
                Assert.True((type.StartsWith(FamilyNameOfPrefix[group.Key], StringComparison.Ordinal) || type.StartsWith(start, StringComparison.Ordinal)) && type.EndsWith("Rules", StringComparison.Ordinal),
                    $"{type} holds {group.Key}.* rules, so its name starts with {FamilyNameOfPrefix[group.Key]} or {start} and ends with Rules");
                Assert.All(family.Rules, r => Assert.True(r.RequiresAws, $"{r.Id} sits in {type}, the family of {group.Key}.* rules that read AWS, but reads none"));
                // A prefix whose rules all read AWS (cluster.*) is split by topic; otherwise the main family reads none.
                if (main.Rules.Any(r => !r.RequiresAws)) Assert.All(main.Rules, r => Assert.False(r.RequiresAws, $"{r.Id} reads AWS facts, so it belongs in {type}, not {name}"));
            }
        }

        foreach (var family in RuleCatalog.Families)
        {
            var type = family.GetType();
            Assert.Equal("EksHardening.Operator.Rules", type.Namespace);
            var file = RepositoryPaths.Of("src", "Operator", "Rules", type.Name + ".cs");
            Assert.True(File.Exists(file), $"{type.Name} is not in src/Operator/Rules/{type.Name}.cs");
            Assert.Contains($"class {type.Name} : IRuleFamily", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
