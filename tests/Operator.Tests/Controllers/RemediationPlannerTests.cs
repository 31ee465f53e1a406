namespace EksHardening.Operator.Tests.Controllers;

public class RemediationPlannerTests
{
    /// <summary>A team namespace and kube-system (shared with the remediation controller's tests).</summary>
    internal const string Namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: kube-system}
        """;

    private static ResponsibilityPolicy Policy(string spec)
    {
        var policy = TestEvaluation.Policy(spec);
        policy.Metadata.Uid = "policy-uid";
        return policy;
    }

    private static IReadOnlyList<RemediationStep> Plan(string spec, string objects = Namespaces) =>
        RemediationPlanner.Plan(Policy(spec), ClusterSnapshot.FromObjects(TestEvaluation.Objects(objects)));

    [Theory]
    [InlineData("mode: Audit")]
    [InlineData("mode: Warn")]
    [InlineData("mode: Enforce\nnetworkPolicies: {requireDefaultDeny: [Ingress], remediate: false}")]
    public void Nothing_is_remediated_outside_Enforce_or_without_remediate(string spec)
    {
        var steps = Plan(spec + (spec.Contains("networkPolicies", StringComparison.Ordinal) ? "" : "\nnetworkPolicies: {requireDefaultDeny: [Ingress], remediate: true}\npodSecurity: {level: baseline, requireNamespaceLabel: true}"));
        Assert.Empty(steps);
    }

    [Fact]
    public void Enforce_plans_default_denies_the_IMDS_policy_and_labels_within_scope()
    {
        var steps = Plan("""
            mode: Enforce
            match: {excludeNamespaces: [kube-system]}
            networkPolicies: {requireDefaultDeny: [Ingress], blockInstanceMetadata: true, remediate: true}
            podSecurity: {level: baseline, requireNamespaceLabel: true}
            """);
        Assert.Equal(
            ["Create NetworkPolicy shop/eks-hardening-default-deny-ingress", "Create NetworkPolicy shop/eks-hardening-block-instance-metadata", "Label Namespace /shop"],
            steps.Select(s => $"{s.Action} {s.Kind} {s.Namespace}/{s.Name}"));
        var deny = steps[0].NetworkPolicy!;
        Assert.True(NetworkPolicySemantics.IsDefaultDeny(deny, TrafficDirection.Ingress));
        Assert.Equal("policy-uid", Assert.Single(deny.Metadata.OwnerReferences).Uid);
        Assert.Equal("baseline", steps[2].Label!.Value.Value);
        Assert.All(steps, s => Assert.Null(s.SkipReason));
    }

    [Fact]
    public void The_IMDS_policy_blocks_only_the_metadata_service()
    {
        var imds = RemediationPlanner.ImdsPolicy("shop");
        var verdict = NetworkPolicySemantics.EvaluateFlow([imds], new Dictionary<string, string>(), TrafficDirection.Egress,
            NetworkPolicySemantics.InstanceMetadataAddress, "TCP", 80);
        Assert.False(verdict.Allowed);
        var other = NetworkPolicySemantics.EvaluateFlow([imds], new Dictionary<string, string>(), TrafficDirection.Egress,
            System.Net.IPAddress.Parse("10.1.2.3"), "TCP", 443);
        Assert.True(other.Allowed);
    }

    [Fact]
    public void A_teams_own_default_deny_satisfies_the_duty_and_a_same_named_object_is_skipped()
    {
        var steps = Plan("mode: Enforce\nnetworkPolicies: {requireDefaultDeny: [Ingress, Egress], remediate: true}", Namespaces + """

            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all-ingress, namespace: shop}
            spec: {podSelector: {}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: eks-hardening-default-deny-egress, namespace: shop}
            spec: {podSelector: {matchLabels: {app: x}}, policyTypes: [Egress]}
            """);
        var shop = steps.Where(s => s.Namespace == "shop").ToList();
        var step = Assert.Single(shop);
        Assert.Equal("eks-hardening-default-deny-egress", step.Name);
        Assert.Contains("was not created by this policy", step.SkipReason);
    }

    [Fact]
    public void Owned_policies_no_longer_wanted_are_deleted_by_uid_and_a_weaker_label_is_not_overwritten()
    {
        var steps = Plan("mode: Enforce\nnetworkPolicies: {requireDefaultDeny: [Egress], remediate: true}\npodSecurity: {level: restricted, requireNamespaceLabel: true}", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: eks-hardening-default-deny-ingress
              namespace: shop
              uid: np-uid
              labels: {app.kubernetes.io/managed-by: eks-hardening}
              ownerReferences: [{apiVersion: eks-hardening.io/v1alpha1, kind: ResponsibilityPolicy, name: test, uid: policy-uid, controller: true}]
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """);
        Assert.Contains(steps, s => s is { Action: RemediationAction.Delete, Name: "eks-hardening-default-deny-ingress", Uid: "np-uid" });
        Assert.Contains(steps, s => s is { Action: RemediationAction.Create, Name: "eks-hardening-default-deny-egress" });
        var label = Assert.Single(steps, s => s.Action == RemediationAction.Label);
        Assert.Contains("already enforces 'baseline'", label.SkipReason);
    }
}
