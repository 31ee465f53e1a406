namespace EksHardening.Operator.Tests.Reporting;

public sealed class ViolationCountsTests
{
    private const string Spec = "imageScanning: {disallowLatestTag: true}\npodSecurity: {level: baseline}";

    private const string Bad = """
        apiVersion: v1
        kind: Pod
        metadata: {name: bad, namespace: shop}
        spec: {hostNetwork: true, containers: [{name: c, image: "app:latest", securityContext: {privileged: true}}, {name: d, image: "x"}]}
        """;

    private const string Fixed = """
        apiVersion: v1
        kind: Pod
        metadata: {name: bad, namespace: shop}
        spec: {containers: [{name: c, image: "app:1"}, {name: d, image: "x"}]}
        """;

    [Fact]
    public void Counts_are_by_rule_and_add_up_to_the_status_total()
    {
        var policy = TestEvaluation.Policy(Spec);
        var evaluation = TestEvaluation.Evaluate(policy, TestEvaluation.Objects(Bad));
        var counts = new ViolationCounts();

        counts.Record("production", evaluation);

        var byRule = counts.Of("production").ToDictionary(v => v.Rule);
        Assert.Equal(new RuleViolations(ResponsibilityRow.InfrastructureSecurity, "image.tag-not-latest", Severity.High, 2), byRule["image.tag-not-latest"]);
        Assert.Equal(new RuleViolations(ResponsibilityRow.InfrastructureSecurity, "pss.privileged", Severity.Critical, 1), byRule["pss.privileged"]);
        Assert.Equal(1, byRule["pss.hostNamespaces"].Count);
        var status = ComplianceStatus.FromEvaluation(policy, evaluation, null, TestEvaluation.Now, 50);
        Assert.Equal(status.TotalViolations, counts.All().Where(v => v.Policy == "production").Sum(v => v.Violations.Count));
    }

    [Fact]
    public void Counts_by_namespace_add_the_objects_in_it_and_the_namespace_itself()
    {
        var policy = TestEvaluation.Policy(Spec + "\nnetworkPolicies: {requireDefaultDeny: [Ingress]}");
        var evaluation = TestEvaluation.Evaluate(policy, TestEvaluation.Objects(Bad + "\n---\n" + Fixed.Replace("shop", "web", StringComparison.Ordinal)
            + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}"));
        var counts = new ViolationCounts();

        counts.Record("production", evaluation);

        var failing = evaluation.Resources.Where(r => r.Findings.Any(f => f.Result == FindingResult.Fail))
            .GroupBy(r => r.Resource.Kind == "Namespace" ? r.Resource.Name : r.Resource.Namespace!)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Findings.Count(f => f.Result == FindingResult.Fail)));
        Assert.True(failing.ContainsKey("shop") && failing.ContainsKey("web"), $"both namespaces fail: {string.Join(", ", failing.Keys)}");
        Assert.True(evaluation.Resources.Any(r => r.Resource.Kind == "Namespace" && r.Findings.Any(f => f.Result == FindingResult.Fail)), "a Namespace object fails");
        Assert.Equal(failing.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)),
            counts.AllByNamespace().Select(v => (v.Violations.Namespace, v.Violations.Count)).OrderBy(p => p.Namespace, StringComparer.Ordinal));
        Assert.All(counts.AllByNamespace(), v => Assert.Equal("production", v.Policy));

        counts.Forget("production");
        Assert.Empty(counts.AllByNamespace());
    }

    [Fact]
    public void A_rule_no_longer_violated_and_a_forgotten_policy_leave_nothing()
    {
        var policy = TestEvaluation.Policy(Spec);
        var counts = new ViolationCounts();
        counts.Record("production", TestEvaluation.Evaluate(policy, TestEvaluation.Objects(Bad)));
        counts.Record("staging", TestEvaluation.Evaluate(policy, TestEvaluation.Objects(Bad)));

        counts.Record("production", TestEvaluation.Evaluate(policy, TestEvaluation.Objects(Fixed)));
        Assert.Equal(["image.tag-not-latest"], counts.Of("production").Select(v => v.Rule));
        Assert.Equal(1, counts.Of("production").Single().Count);   // only the untagged image is left

        counts.Forget("staging");
        Assert.Empty(counts.Of("staging"));
        Assert.Equal(["production"], counts.All().Select(v => v.Policy).Distinct());
    }
}
