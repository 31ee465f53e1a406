namespace EksHardening.Operator.Tests.Rules;

public class IrsaRulesTests
{
    private const string Policy = "irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}";

    private static string Pod(string name, string ns, string podSpec) => $"""
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec:
          containers: [{"{"}name: c, image: app:1{"}"}]
        {podSpec}
        ---

        """;

    private static string Account(string name, string ns, string extra = "", string? role = null) => $"""
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {name}
          namespace: {ns}
        {(role is null ? "" : $"  annotations: {{eks.amazonaws.com/role-arn: \"{role}\"}}")}
        {extra}
        ---

        """;

    [Theory]
    [InlineData("")]
    [InlineData("  serviceAccountName: default")]
    [InlineData("  serviceAccount: default")]
    public void Default_service_account_fails(string podSpec)
    {
        var finding = Assert.Single(TestEvaluation.Evaluate(Policy, Pod("p", "shop", podSpec)).FindingsOf("Pod", "p").Of("irsa.dedicated-service-account"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Equal("spec.serviceAccountName", finding.Path);
    }

    [Fact]
    public void Own_service_account_passes()
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Pod("p", "shop", "  serviceAccountName: web") + Account("web", "shop", "automountServiceAccountToken: false"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "p", "irsa.dedicated-service-account"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "p", "irsa.token-automount"));
    }

    [Theory]
    [InlineData("  serviceAccountName: web", "", FindingResult.Fail)]                                                   // SA default mounts
    [InlineData("  serviceAccountName: web\n  automountServiceAccountToken: true", "automountServiceAccountToken: false", FindingResult.Fail)] // pod wins
    [InlineData("  serviceAccountName: web\n  automountServiceAccountToken: false", "", FindingResult.Pass)]           // pod wins
    [InlineData("  serviceAccountName: web", "automountServiceAccountToken: false", FindingResult.Pass)]
    [InlineData("", "", FindingResult.Fail)]                                                                            // implicit default SA
    public void Token_automount_without_a_role(string podSpec, string accountExtra, FindingResult expected)
    {
        var evaluation = TestEvaluation.Evaluate(Policy, Pod("p", "shop", podSpec) + Account("web", "shop", accountExtra));
        Assert.Equal(expected, evaluation.ResultOf("Pod", "p", "irsa.token-automount"));
    }

    [Fact]
    public void A_role_allows_the_token_and_an_unknown_account_is_an_error_not_a_pass()
    {
        var withRole = TestEvaluation.Evaluate(Policy, Pod("p", "shop", "  serviceAccountName: web") + Account("web", "shop", role: "arn:aws:iam::111122223333:role/web"));
        Assert.Equal(FindingResult.Pass, withRole.ResultOf("Pod", "p", "irsa.token-automount"));

        var unknown = TestEvaluation.Evaluate(Policy, Pod("p", "shop", "  serviceAccountName: ghost"));
        Assert.Equal(FindingResult.Error, unknown.ResultOf("Pod", "p", "irsa.token-automount"));
        Assert.Equal(FindingResult.Error, unknown.ResultOf("Pod", "p", "irsa.role-not-shared"));
        Assert.Equal(FindingResult.Error, Assert.Single(unknown.Resources).Verdict);
    }

    [Fact]
    public void A_role_bound_in_two_namespaces_fails_for_both()
    {
        const string role = "arn:aws:iam::111122223333:role/shared";
        var evaluation = TestEvaluation.Evaluate(Policy,
            Pod("a", "shop", "  serviceAccountName: app") + Account("app", "shop", role: role)
            + Pod("b", "billing", "  serviceAccountName: app") + Account("app", "billing", role: role));
        var a = Assert.Single(evaluation.FindingsOf("Pod", "a").Of("irsa.role-not-shared"));
        Assert.Equal(FindingResult.Fail, a.Result);
        Assert.Contains("billing", a.Message);
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Pod", "b", "irsa.role-not-shared"));
    }

    [Fact]
    public void A_role_used_by_several_accounts_of_one_namespace_is_not_shared_and_no_role_is_not_applicable()
    {
        const string role = "arn:aws:iam::111122223333:role/shop";
        var evaluation = TestEvaluation.Evaluate(Policy,
            Pod("a", "shop", "  serviceAccountName: app") + Account("app", "shop", role: role) + Account("worker", "shop", role: role)
            + Pod("b", "shop", "  serviceAccountName: plain") + Account("plain", "shop", "automountServiceAccountToken: false"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Pod", "a", "irsa.role-not-shared"));
        Assert.Empty(evaluation.FindingsOf("Pod", "b").Of("irsa.role-not-shared"));
    }

    [Fact]
    public void Differently_named_accounts_in_other_namespaces_share_the_role_too()
    {
        const string role = "arn:aws:iam::111122223333:role/admin";
        var evaluation = TestEvaluation.Evaluate(Policy,
            Pod("a", "shop", "  serviceAccountName: shop-api") + Account("shop-api", "shop", role: role)
            + Account("ci-deployer", "ci", role: role) + Account("ops", "platform", role: "  " + role + " "));
        var finding = Assert.Single(evaluation.FindingsOf("Pod", "a").Of("irsa.role-not-shared"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("ci, platform", finding.Message);
    }

    [Fact]
    public void Each_namespace_sharing_a_role_is_told_the_others_and_a_changed_binding_is_told_anew()
    {
        const string role = "arn:aws:iam::111122223333:role/shared";
        var shared = Pod("a", "shop", "  serviceAccountName: app") + Account("app", "shop", role: role)
            + Pod("b", "billing", "  serviceAccountName: app") + Account("app", "billing", role: role)
            + Pod("c", "ci", "  serviceAccountName: app");
        var policy = TestEvaluation.Policy(Policy);
        var evaluator = new PolicyEvaluator(new FixedClock(TestEvaluation.Now));
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(shared + Account("app", "ci", role: role)));

        // Twice on one snapshot: the second reads the texts the first made.
        for (var round = 0; round < 2; round++)
        {
            var evaluation = evaluator.Evaluate(policy, snapshot);
            Assert.EndsWith("also bound in namespaces ci, shop", Assert.Single(evaluation.FindingsOf("Pod", "b").Of("irsa.role-not-shared")).Message);
            Assert.EndsWith("also bound in namespaces billing, shop", Assert.Single(evaluation.FindingsOf("Pod", "c").Of("irsa.role-not-shared")).Message);
            Assert.EndsWith("also bound in namespaces billing, ci", Assert.Single(evaluation.FindingsOf("Pod", "a").Of("irsa.role-not-shared")).Message);
        }

        // ci's account now has its own role: the others no longer name it.
        var changed = evaluator.Evaluate(policy, ClusterSnapshot.FromObjects(TestEvaluation.Objects(shared + Account("app", "ci", role: role + "-ci"))));
        Assert.EndsWith("also bound in namespaces shop", Assert.Single(changed.FindingsOf("Pod", "b").Of("irsa.role-not-shared")).Message);
        Assert.EndsWith("also bound in namespaces billing", Assert.Single(changed.FindingsOf("Pod", "a").Of("irsa.role-not-shared")).Message);
        Assert.Equal(FindingResult.Pass, changed.ResultOf("Pod", "c", "irsa.role-not-shared"));
    }
}
