namespace EksHardening.Operator.Tests.Support;

public class TestEvaluationTests
{
    [Fact]
    public void Policy_yaml_maps_enums_and_nested_sections()
    {
        var policy = TestEvaluation.Policy("mode: Enforce\npodSecurity: {level: restricted, requireResourceLimits: true}\nnetworkPolicies: {requireDefaultDeny: [Ingress, Egress]}\nexemptions:\n- {name: a, rules: ['pss.*'], reason: r, expires: '2027-01-01T00:00:00Z'}\n");
        Assert.Equal(PolicyMode.Enforce, policy.Spec.Mode);
        Assert.Equal(PodSecurityLevel.Restricted, policy.Spec.PodSecurity!.Level);
        Assert.True(policy.Spec.PodSecurity.RequireResourceLimits);
        Assert.Equal([TrafficDirection.Ingress, TrafficDirection.Egress], policy.Spec.NetworkPolicies!.RequireDefaultDeny!);
        Assert.Equal(2027, policy.Spec.Exemptions![0].Expires!.Value.Year);
    }
}
