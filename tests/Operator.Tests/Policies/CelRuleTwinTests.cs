namespace EksHardening.Operator.Tests.Policies;

/// <summary>Each twin decides like its CEL rule on the cases that matter (self given as YAML).</summary>
public class CelRuleTwinTests
{
    private static bool Holds(string rulePrefix, string self) =>
        CelRuleTwins.All.Single(t => t.Rule.StartsWith(rulePrefix, StringComparison.Ordinal)).Holds(PolicyFixtures.Yaml(self)!);

    [Theory]
    [InlineData("image.tag-not-latest", true)]
    [InlineData("IMAGE.TAG-NOT-LATEST", true)]
    [InlineData("pss.windowsHostProcess", true)]
    [InlineData("image.tag-not-latset", false)]
    [InlineData("image.tag-not-latest.", false)]
    [InlineData("image.tag-*", true)] // patterns are the operator's check (SemanticChecks), not CEL's
    [InlineData("image.nothing-*", true)]
    public void Exemption_rule_entries(string self, bool holds) => Assert.Equal(holds, Holds("self.contains('*')", self));

    [Theory]
    [InlineData("{ key: a, operator: In, values: [x] }", true)]
    [InlineData("{ key: a, operator: In }", false)]
    [InlineData("{ key: a, operator: NotIn, values: [] }", false)]
    [InlineData("{ key: a, operator: Exists }", true)]
    [InlineData("{ key: a, operator: Exists, values: [] }", true)]
    [InlineData("{ key: a, operator: DoesNotExist, values: [x] }", false)]
    [InlineData("{ key: a, operator: Equals, values: [x] }", true)] // left to the operator enum
    public void Selector_values(string self, bool holds) => Assert.Equal(holds, Holds("self.operator", self));

    [Theory]
    [InlineData("10m", true)]
    [InlineData("0.001ms", true)]
    [InlineData("0s", false)]
    [InlineData("0m0s", false)]
    [InlineData("3000000h", false)]
    public void Durations(string self, bool holds) => Assert.Equal(holds, Holds("duration(self)", self));

    [Theory]
    [InlineData("{}", true)]
    [InlineData("{ region: eu-west-1 }", true)]
    [InlineData("{ requireKeyRotation: false, disallowPublicEndpoint: false, requiredLogTypes: [] }", true)]
    [InlineData("{ requireSecretsEncryption: true }", false)]
    [InlineData("{ requireKeyRotation: true }", false)]
    [InlineData("{ requiredLogTypes: [api] }", false)]
    [InlineData("{ disallowPublicEndpoint: true }", false)]
    [InlineData("{ disallowOpenPublicCidrs: true }", false)]
    [InlineData("{ name: prod, disallowOpenPublicCidrs: true }", true)]
    public void Cluster_name(string self, bool holds) => Assert.Equal(holds, Holds("has(self.name)", self));

    [Theory]
    [InlineData("{ name: a, rules: ['pss.*'] }", true)]
    [InlineData("{ name: a, rules: [] }", false)]
    [InlineData("{ name: a }", false)]
    public void Exemption_rules(string self, bool holds) => Assert.Equal(holds, Holds("has(self.rules)", self));

    [Theory]
    [InlineData("{ name: a, reason: JIRA-1 }", true)]
    [InlineData("{ name: a, reason: ' ' }", false)]
    [InlineData("{ name: a }", false)]
    public void Exemption_reason(string self, bool holds) => Assert.Equal(holds, Holds("has(self.reason)", self));

    [Theory]
    [InlineData("{ kind: ServiceAccount, name: ci, namespace: build }", true)]
    [InlineData("{ kind: ServiceAccount, name: ci }", false)]
    [InlineData("{ kind: Group, name: breakglass }", true)]
    [InlineData("{ kind: User, name: alice, namespace: build }", false)]
    public void Rbac_subject_namespace(string self, bool holds) => Assert.Equal(holds, Holds("self.kind == 'ServiceAccount'", self));
}
