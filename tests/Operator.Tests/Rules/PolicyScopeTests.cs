namespace EksHardening.Operator.Tests.Rules;

/// <summary>Namespace selection: undecided only where Namespace objects may be missing (the scan), never in the operator.</summary>
public class PolicyScopeTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.25", securityContext: {privileged: true}}]}}
        """;

    private const string Policy = "match: {namespaceSelector: {matchLabels: {env: prod}}}\npodSecurity: {level: baseline}";

    [Fact]
    public void In_the_operator_a_namespace_without_an_object_does_not_exist_and_is_not_selected()
    {
        // The operator's snapshots (SnapshotBuilder, admission) are built like this: the informer holds every namespace.
        var snapshot = new ClusterSnapshot(ClusterSnapshot.FromObjects(TestEvaluation.Objects(Deployment)).Workloads);
        Assert.False(snapshot.NamespacesMayBeMissing);

        var evaluation = new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(TestEvaluation.Policy(Policy), snapshot);
        Assert.Empty(evaluation.Resources);
        Assert.Empty(evaluation.UndecidedNamespaces);
        Assert.Equal(0, evaluation.UndecidedResources);
    }

    [Fact]
    public void Where_namespaces_may_be_missing_their_resources_are_evaluated_as_selected_and_counted()
    {
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Deployment));
        snapshot.NamespacesMayBeMissing = true;

        var evaluation = new PolicyEvaluator(new FixedClock(TestEvaluation.Now)).Evaluate(TestEvaluation.Policy(Policy), snapshot);
        Assert.Equal(["shop"], evaluation.UndecidedNamespaces);
        Assert.Equal(1, evaluation.UndecidedResources);
        Assert.Equal(FindingResult.Fail, evaluation.ResultOf("Deployment", "web", "pss.privileged"));
    }

    [Fact]
    public void A_namespace_object_decides_even_where_namespaces_may_be_missing()
    {
        var snapshot = ClusterSnapshot.FromObjects(TestEvaluation.Objects(Deployment + "\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: dev}}\n"));
        snapshot.NamespacesMayBeMissing = true;

        var scope = new PolicyScope(TestEvaluation.Policy(Policy).Spec.Match);
        Assert.False(scope.IncludesNamespace("shop", snapshot));
        Assert.Empty(scope.UndecidedNamespaces);
    }
}
