namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The operator's own `scan` over what the chart installs: the rendered pods pass Pod Security restricted and every
/// workload rule that can be judged offline, with no violation and no error.
/// </summary>
public sealed class ChartScanTests
{
    /// <summary>
    /// Every offline workload rule that needs nothing the default values cannot know. The namespace's own duties
    /// (its PSA label, its default-deny policies) are not the chart's: Helm installs into a namespace it is given;
    /// deploy/install.yaml creates its namespace, and is checked for the label too.
    /// </summary>
    private const string RestrictedPolicy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: chart-restricted}
        spec:
          mode: Audit
          imageScanning: {disallowLatestTag: true}
          irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
          podSecurity: {level: restricted, requireResourceLimits: true, requireReadOnlyRootFilesystem: true}
        """;

    private static readonly string InstallManifestPolicy = RestrictedPolicy.Replace("requireReadOnlyRootFilesystem: true}", "requireReadOnlyRootFilesystem: true, requireNamespaceLabel: true}", StringComparison.Ordinal);

    /// <summary>
    /// Every offline workload rule. The default values cannot pass the registry, digest and network rules: they do
    /// not know the user's registry, the image digest or whether the cluster enforces NetworkPolicies; the
    /// all-features values set each of those, so they are judged there. network.imds-blocked passing needs the
    /// pods' egress isolated, so both directions are covered.
    /// </summary>
    private const string AllOfflineRulesPolicy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: chart-all-offline}
        spec:
          mode: Audit
          imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"], disallowLatestTag: true, requireDigest: true}
          networkPolicies: {requirePodCoverage: true, blockInstanceMetadata: true}
          irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
          podSecurity: {level: restricted, requireResourceLimits: true, requireReadOnlyRootFilesystem: true}
        """;

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Default_values_pass_restricted_and_every_rule_the_defaults_can_meet()
    {
        var findings = Scan(Helm.Render(), RestrictedPolicy);
        // No IAM role in the default values: whether a role is shared does not apply.
        AssertEveryWorkloadRuleJudged(findings, RestrictedPolicy, notApplicable: [IrsaRules.RoleNotShared.Id]);
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Every_optional_feature_on_passes_every_offline_workload_rule()
    {
        var findings = Scan(Helm.Render([HelmChartTests.AllFeaturesValues]), AllOfflineRulesPolicy);
        AssertEveryWorkloadRuleJudged(findings, AllOfflineRulesPolicy, notApplicable: []);
    }

    /// <summary>
    /// The chart's own defaultPolicy, as the chart renders it, judges the rest of the same default render (hook Job
    /// included) and finds nothing: no failing and no erroring finding.
    /// </summary>
    [Trait("Category", "Slow")]
    [SkippableFact]
    public void The_default_render_passes_the_charts_own_default_policy()
    {
        var rendered = RenderedChart.Parse(Helm.Render(sets: ["defaultPolicy.enabled=true"]));
        var policy = rendered.Single("ResponsibilityPolicy");
        var findings = Scan(Helm.Render(sets: ["defaultPolicy.enabled=true"]), policy.ToJsonString());
        var judged = findings.Where(r => r.Findings.Count > 0).Select(r => r.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        // The operator, the CRD hook Job and the release's namespace (its default-deny Ingress policy) were judged.
        Assert.Equal(["Deployment", "Job", "Namespace"], judged);
        Assert.Contains(findings.Single(r => r.Kind == "Deployment").Findings, f => f.Rule == NetworkPolicyRules.InstanceMetadataBlocked.Id && f.Result == "pass");
    }

    [Fact]
    public void The_install_manifest_passes_restricted_with_its_namespace_enforcing_it()
    {
        var findings = Scan(File.ReadAllText(RepositoryPaths.Of("deploy", "install.yaml")), InstallManifestPolicy);
        AssertEveryWorkloadRuleJudged(findings, InstallManifestPolicy, notApplicable: [IrsaRules.RoleNotShared.Id]);
        var ns = Assert.Single(findings, f => f.Kind == "Namespace");
        Assert.Contains(ns.Findings, f => f.Rule == NamespaceRules.PsaLabel.Id && f.Result == "pass");
    }

    private sealed record ScannedResource(string Kind, string Name, string Verdict, List<(string Rule, string Result, string Message)> Findings);

    /// <summary>Runs `eks-hardening scan -o json --fail-on low` in process; fails the test on any fail or error finding.</summary>
    private static List<ScannedResource> Scan(string manifests, string policy)
    {
        var dir = Directory.CreateTempSubdirectory("eks-hardening-chart-scan-");
        try
        {
            var input = Path.Combine(dir.FullName, "rendered.yaml");
            var policyFile = Path.Combine(dir.FullName, "policy.yaml");
            File.WriteAllText(input, manifests);
            File.WriteAllText(policyFile, policy);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = new ScanCommand(TextReader.Null, stdout, stderr, new FixedClock(TestEvaluation.Now))
                .Run(["-f", input, "--policy", policyFile, "--output", "json", "--fail-on", "low"]);

            using var report = JsonDocument.Parse(stdout.ToString());
            var resources = report.RootElement.GetProperty("policies")[0].GetProperty("resources").EnumerateArray().Select(r => new ScannedResource(
                r.GetProperty("kind").GetString()!,
                r.GetProperty("name").GetString()!,
                r.GetProperty("verdict").GetString()!,
                r.GetProperty("findings").EnumerateArray()
                    .Select(f => (f.GetProperty("rule").GetString()!, f.GetProperty("result").GetString()!, f.GetProperty("message").GetString() ?? ""))
                    .ToList())).ToList();
            var problems = resources.SelectMany(r => r.Findings.Where(f => f.Result is "fail" or "error").Select(f => $"{r.Kind} {r.Name}: {f.Rule} {f.Result}: {f.Message}")).ToList();
            Assert.True(problems.Count == 0, "the scan found:\n" + string.Join("\n", problems));
            Assert.True(exit == ScanCommand.ExitClean, $"scan exited {exit}: {stderr}");
            return resources;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The operator's Deployment was judged by every workload rule the policy turns on (bar those that do not apply).</summary>
    private static void AssertEveryWorkloadRuleJudged(List<ScannedResource> resources, string policyYaml, string[] notApplicable)
    {
        var deployment = Assert.Single(resources, r => r.Kind == "Deployment");
        Assert.Equal("eks-hardening", deployment.Name);
        Assert.Equal("pass", deployment.Verdict);
        var policy = KubernetesYaml.Deserialize<Entities.ResponsibilityPolicy>(policyYaml);
        var expected = RuleCatalog.Families.SelectMany(f => f.EnabledRules(policy.Spec))
            .Where(r => r.Scope == RuleScope.Workload && !r.RequiresAws && !notApplicable.Contains(r.Id))
            .Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("pss.runAsNonRoot", expected);
        Assert.Equal(expected, deployment.Findings.Where(f => f.Result == "pass").Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal));
    }
}
