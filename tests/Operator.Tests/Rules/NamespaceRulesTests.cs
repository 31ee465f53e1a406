namespace EksHardening.Operator.Tests.Rules;

public class NamespaceRulesTests
{
    private const string Policy = "podSecurity: {level: restricted, requireNamespaceLabel: true}";

    private static string Namespace(string labels) => $"""
        apiVersion: v1
        kind: Namespace
        metadata: {"{"}name: shop, labels: {"{"}{labels}{"}"}{"}"}
        """;

    [Theory]
    [InlineData("pod-security.kubernetes.io/enforce: restricted", FindingResult.Pass)]
    [InlineData("pod-security.kubernetes.io/enforce: baseline", FindingResult.Fail)]
    [InlineData("pod-security.kubernetes.io/enforce: privileged", FindingResult.Fail)]
    [InlineData("pod-security.kubernetes.io/warn: restricted", FindingResult.Fail)]
    [InlineData("pod-security.kubernetes.io/enforce: strict", FindingResult.Fail)]
    public void Namespace_label_must_enforce_the_level_or_stricter(string labels, FindingResult expected) =>
        Assert.Equal(expected, TestEvaluation.Evaluate(Policy, Namespace(labels)).ResultOf("Namespace", "shop", "namespace.psa-label"));

    [Fact]
    public void Baseline_policy_accepts_a_restricted_namespace()
    {
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline, requireNamespaceLabel: true}", Namespace("pod-security.kubernetes.io/enforce: restricted"));
        Assert.Equal(FindingResult.Pass, evaluation.ResultOf("Namespace", "shop", "namespace.psa-label"));
    }

    [Fact]
    public void A_namespace_only_referenced_by_a_workload_is_listed_and_fails()
    {
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline, requireNamespaceLabel: true}", """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec: {containers: [{name: c, image: app:1}]}
            """);
        var finding = Assert.Single(evaluation.FindingsOf("Namespace", "default").Of("namespace.psa-label"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("not among the inputs", finding.Message);
    }

    /// <summary>The enforce-version label against the policy's podSecurity.version (absent: latest, the newest known).</summary>
    [Theory]
    // Pass: absent or latest means latest; a pin at or above the policy's version; a pin above the newest known version.
    [InlineData("latest", "", null)]
    [InlineData("latest", "latest", null)]
    [InlineData("latest", "v1.37", null)]
    [InlineData("latest", "v1.40", null)]
    [InlineData("v1.30", "v1.30", null)]
    [InlineData("v1.30", "v1.31", null)]
    [InlineData("v1.30", "latest", null)]
    [InlineData("v1.99", "v1.37", null)]
    // Fail: a pin older than the policy's version, named with both versions.
    [InlineData("latest", "v1.0", "enforce-version=v1.0 is older than the policy's Pod Security Standards version latest (v1.37): admission there does not enforce the checks added or tightened since v1.0")]
    [InlineData("latest", "v1.36", "enforce-version=v1.36 is older than the policy's Pod Security Standards version latest (v1.37)")]
    [InlineData("v1.30", "v1.29", "enforce-version=v1.29 is older than the policy's Pod Security Standards version v1.30")]
    // Fail: a value Pod Security Admission does not accept, with the reason.
    [InlineData("latest", "v1.01", "enforce-version=v1.01 is not a valid version (must be \"latest\" or \"v1.x\"); Pod Security Admission rejects it on create and update and evaluates a namespace that carries it at latest")]
    [InlineData("v1.0", "1.30", "enforce-version=1.30 is not a valid version")]
    [InlineData("v1.0", "Latest", "enforce-version=Latest is not a valid version")]
    [InlineData("v1.0", "v2.0", "enforce-version=v2.0 is not a valid version")]
    public void Namespace_label_must_enforce_the_policy_version_or_newer(string policyVersion, string enforceVersion, string? failure)
    {
        var labels = "pod-security.kubernetes.io/enforce: restricted" + (enforceVersion.Length == 0 ? "" : $", pod-security.kubernetes.io/enforce-version: '{enforceVersion}'");
        var policy = $"podSecurity: {{level: restricted, version: '{policyVersion}', requireNamespaceLabel: true}}";
        var findings = TestEvaluation.Evaluate(policy, Namespace(labels)).FindingsOf("Namespace", "shop").Of("namespace.psa-label");
        if (failure is null)
        {
            Assert.Equal(FindingResult.Pass, Assert.Single(findings).Result);
            return;
        }

        var finding = Assert.Single(findings);
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains(failure, finding.Message, StringComparison.Ordinal);
        Assert.Equal("metadata.labels[pod-security.kubernetes.io/enforce-version]", finding.Path);
    }

    [Fact]
    public void A_weak_level_and_an_old_version_are_two_findings()
    {
        var findings = TestEvaluation.Evaluate("podSecurity: {level: restricted, requireNamespaceLabel: true}",
                Namespace("pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.20"))
            .FindingsOf("Namespace", "shop").Of("namespace.psa-label");
        Assert.Equal(["metadata.labels[pod-security.kubernetes.io/enforce]", "metadata.labels[pod-security.kubernetes.io/enforce-version]"], findings.Select(f => f.Path));
        Assert.All(findings, f => Assert.Equal(FindingResult.Fail, f.Result));
    }

    [Fact]
    public void An_enforce_version_without_an_enforce_level_is_reported_once_as_the_missing_level()
    {
        var finding = Assert.Single(TestEvaluation.Evaluate("podSecurity: {level: baseline, requireNamespaceLabel: true}",
                Namespace("pod-security.kubernetes.io/enforce-version: v1.0"))
            .FindingsOf("Namespace", "shop").Of("namespace.psa-label"));
        Assert.Equal(FindingResult.Fail, finding.Result);
        Assert.Contains("has no pod-security.kubernetes.io/enforce label", finding.Message, StringComparison.Ordinal);
    }
}
