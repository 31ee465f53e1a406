using EksHardening.Entities;
using EksHardening.Operator.Rules;
using EksHardening.Operator.Tests.Support;

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
                "image" => ResponsibilityRow.PatchManagement,
                "irsa" => ResponsibilityRow.IdentityManagement,
                "network" => ResponsibilityRow.NetworkSecurity,
                "cluster" when rule.Id.StartsWith("cluster.endpoint-", StringComparison.Ordinal) => ResponsibilityRow.NetworkSecurity,
                "cluster" when rule.Id == "cluster.control-plane-logging" => ResponsibilityRow.Monitoring,
                "cluster" => ResponsibilityRow.DataEncryption,
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
}
