namespace EksHardening.Operator.Tests.Reporting;

/// <summary>Evaluations turned into wgpolicyk8s.io/v1alpha2 reports: the mapping, the grouping, the cap and the content hash.</summary>
public class PolicyReportBuilderTests
{
    private const string Spec = """
        mode: Warn
        imageScanning: {disallowLatestTag: true}
        podSecurity: {level: baseline, requireNamespaceLabel: true}
        exemptions:
          - {name: legacy-etl, namespaces: [batch], rules: [image.tag-not-latest], reason: vendor image}
        """;

    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: batch}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, uid: web-uid}
        spec: {template: {spec: {containers: [{name: app, image: "nginx:latest"}]}}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec: {template: {spec: {containers: [{name: app, image: "nginx:1.27"}]}}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: etl, namespace: batch}
        spec: {hostNetwork: true, containers: [{name: app, image: "vendor.example.com/etl:latest"}]}
        """;

    private static (ResponsibilityPolicy Policy, PolicyEvaluation Evaluation) Evaluate(string spec = Spec, string objects = Cluster)
    {
        var policy = TestEvaluation.Policy(spec);
        policy.Metadata.Uid = "policy-uid";
        return (policy, TestEvaluation.Evaluate(policy, TestEvaluation.Objects(objects)));
    }

    [Fact]
    public void The_entities_match_the_upstream_shaped_v1alpha2_crds_both_ways()
    {
        var crds = YamlToJson.Parse(File.ReadAllText(RepositoryPaths.Of("tests", "Fixtures", "wgpolicyk8s.io_v1alpha2.yaml")), "crd.yaml")
            .Select(d => d.Root!.AsObject()).ToDictionary(c => c["spec"]!["names"]!["kind"]!.GetValue<string>());
        foreach (var (kind, type) in new[] { ("PolicyReport", typeof(PolicyReport)), ("ClusterPolicyReport", typeof(ClusterPolicyReport)) })
        {
            var schema = crds[kind]["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
            var differences = EntitySchemaComparer.Compare(type, schema);
            Assert.True(differences.Count == 0, $"{kind} differs from the CRD:\n" + string.Join("\n", differences));
        }
    }

    [Theory]
    [InlineData(FindingResult.Pass, PolicyReportOutcome.Pass)]
    [InlineData(FindingResult.Fail, PolicyReportOutcome.Fail)]
    [InlineData(FindingResult.Exempt, PolicyReportOutcome.Skip)]
    [InlineData(FindingResult.Error, PolicyReportOutcome.Error)]
    public void Finding_results_map_to_report_outcomes(FindingResult result, PolicyReportOutcome expected) =>
        Assert.Equal(expected, PolicyReportBuilder.Outcome(result));

    [Theory]
    [InlineData(Severity.Critical, "critical")]
    [InlineData(Severity.High, "high")]
    [InlineData(Severity.Medium, "medium")]
    [InlineData(Severity.Low, "low")]
    public void Severities_keep_their_names(Severity severity, string expected) =>
        Assert.Equal($"\"{expected}\"", KubernetesJson.Serialize(PolicyReportBuilder.ReportSeverity(severity)));

    [Fact]
    public void One_report_per_namespace_and_a_cluster_report_for_the_namespace_level_findings()
    {
        var (policy, evaluation) = Evaluate();
        var reports = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now);

        Assert.Equal(["batch", "shop", null], reports.Select(r => r.Namespace));
        Assert.IsType<PolicyReport>(reports[0].Report);
        var cluster = Assert.IsType<ClusterPolicyReport>(reports[2].Report);
        Assert.All(cluster.Results, r => Assert.Equal("Namespace", Assert.Single(r.Resources!).Kind));
        Assert.Contains(cluster.Results, r => r is { Rule: "namespace.psa-label", Result: PolicyReportOutcome.Fail } && r.Resources![0].Name == "batch");

        foreach (var report in reports.Select(r => r.Report))
        {
            Assert.Equal("rpol-test", report.Metadata.Name);
            Assert.Equal("eks-hardening", report.Metadata.Labels[PolicyOwnership.ManagedByLabel]);
            Assert.Equal("test", report.Metadata.Labels[PolicyOwnership.PolicyLabel]);
            var owner = Assert.Single(report.Metadata.OwnerReferences);
            Assert.Equal(("ResponsibilityPolicy", "test", "policy-uid", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        }
    }

    [Fact]
    public void Results_carry_rule_category_severity_resource_and_message_and_the_mode_as_a_property()
    {
        var (policy, evaluation) = Evaluate();
        var shop = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now).Single(r => r.Namespace == "shop").Report;

        var latest = shop.Results.Single(r => r.Rule == "image.tag-not-latest" && r.Resources![0].Name == "web");
        Assert.Equal(PolicyReportOutcome.Fail, latest.Result);   // Warn mode still fails: the mode is a property
        Assert.Equal(PolicyReportSeverity.High, latest.Severity);
        Assert.Equal("InfrastructureSecurity", latest.Category);
        Assert.Equal(("eks-hardening", "test", true), (latest.Source, latest.Policy, latest.Scored == true));
        var resource = Assert.Single(latest.Resources!);
        Assert.Equal(("apps/v1", "Deployment", "shop", "web", "web-uid"), (resource.ApiVersion, resource.Kind, resource.NamespaceProperty, resource.Name, resource.Uid));
        Assert.Contains("latest", latest.Message, StringComparison.Ordinal);
        Assert.Equal("Warn", latest.Properties!["mode"]);
        Assert.True(latest.Properties.ContainsKey("remediation"));
        Assert.Equal(TestEvaluation.Now.ToUnixTimeSeconds(), latest.Timestamp!.Seconds);

        var passing = shop.Results.Single(r => r.Rule == "image.tag-not-latest" && r.Resources![0].Name == "api");
        Assert.Equal(PolicyReportOutcome.Pass, passing.Result);
        Assert.False(passing.Properties!.ContainsKey("remediation"));
    }

    [Fact]
    public void An_exempt_finding_is_a_skip_that_names_the_exemption()
    {
        var (policy, evaluation) = Evaluate();
        var batch = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now).Single(r => r.Namespace == "batch").Report;
        var skipped = batch.Results.Single(r => r.Rule == "image.tag-not-latest");
        Assert.Equal(PolicyReportOutcome.Skip, skipped.Result);
        Assert.Equal("legacy-etl", skipped.Properties!["exemption"]);
        Assert.Contains(batch.Results, r => r is { Rule: "pss.hostNamespaces", Result: PolicyReportOutcome.Fail });
    }

    [Fact]
    public void Summaries_count_every_finding_and_add_up_to_the_evaluation()
    {
        var (policy, evaluation) = Evaluate();
        var reports = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now);
        foreach (var report in reports.Select(r => r.Report))
        {
            Assert.Equal(report.Results.Count(r => r.Result == PolicyReportOutcome.Fail), report.Summary.Fail);
            Assert.Equal(report.Results.Count(r => r.Result == PolicyReportOutcome.Pass), report.Summary.Pass);
            Assert.Equal(report.Results.Count(r => r.Result == PolicyReportOutcome.Skip), report.Summary.Skip);
            Assert.Equal(0, report.Summary.Warn);
        }

        var findings = evaluation.AllFindings.ToList();
        Assert.Equal(findings.Count(f => f.Result == FindingResult.Fail), reports.Sum(r => r.Report.Summary.Fail));
        Assert.Equal(findings.Count(f => f.Result == FindingResult.Pass), reports.Sum(r => r.Report.Summary.Pass));
        Assert.Equal(findings.Count(f => f.Result == FindingResult.Exempt), reports.Sum(r => r.Report.Summary.Skip));
        Assert.Equal(findings.Count, reports.Sum(r => r.Report.Results.Count));
    }

    [Fact]
    public void A_capped_report_keeps_failures_first_says_so_in_an_annotation_and_still_counts_everything()
    {
        var (policy, evaluation) = Evaluate();
        var full = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now).Single(r => r.Namespace == "shop").Report;
        var capped = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now, maxResults: 1).Single(r => r.Namespace == "shop").Report;

        var kept = Assert.Single(capped.Results);
        Assert.Equal(PolicyReportOutcome.Fail, kept.Result);
        Assert.Equal(full.Summary, capped.Summary);
        Assert.Equal($"1 of {full.Results.Count} results kept, failures and errors first; the summary counts all",
            capped.Metadata.Annotations[PolicyReportBuilder.TruncatedAnnotation]);
        Assert.Null(PolicyReportBuilder.TruncationNote(full.Metadata));
    }

    [Fact]
    public void The_content_hash_ignores_timestamps_and_what_the_server_adds_but_not_a_changed_result()
    {
        var (policy, evaluation) = Evaluate();
        var first = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now).Single(r => r.Namespace == "shop");
        var later = PolicyReportBuilder.Build(policy, evaluation, TestEvaluation.Now.AddHours(3)).Single(r => r.Namespace == "shop");
        Assert.Equal(first.ContentHash, later.ContentHash);

        // Read back from the server: uid, resourceVersion, other labels and annotations, keys in another order.
        var stored = JsonNode.Parse(KubernetesJson.Serialize(first.Report))!.AsObject();
        stored["metadata"]!["uid"] = "u-1";
        stored["metadata"]!["resourceVersion"] = "42";
        stored["metadata"]!["labels"] = new JsonObject { ["team"] = "shop", [PolicyOwnership.PolicyLabel] = "test", [PolicyOwnership.ManagedByLabel] = "eks-hardening" };
        stored["metadata"]!["annotations"] = new JsonObject { ["note"] = "added by hand" };
        var readBack = KubernetesJson.Deserialize<PolicyReport>(stored.ToJsonString());
        Assert.Equal(first.ContentHash, PolicyReportBuilder.ContentHash(readBack));

        readBack.Results[0].Message += " (changed)";
        Assert.NotEqual(first.ContentHash, PolicyReportBuilder.ContentHash(readBack));
    }

    [Fact]
    public void The_fingerprint_is_stable_for_the_same_findings_and_moves_with_anything_the_report_shows()
    {
        static ulong Shop(string spec, string objects = Cluster, int maxResults = 1000)
        {
            var (policy, evaluation) = Evaluate(spec, objects);
            return PolicyReportBuilder.Plan(policy, evaluation, maxResults).Single(i => i.Namespace == "shop").Fingerprint;
        }

        var fingerprint = Shop(Spec);
        Assert.Equal(fingerprint, Shop(Spec));
        Assert.NotEqual(fingerprint, Shop(Spec.Replace("mode: Warn", "mode: Audit", StringComparison.Ordinal)));
        Assert.NotEqual(fingerprint, Shop(Spec, maxResults: 10));
        Assert.NotEqual(fingerprint, Shop(Spec, Cluster.Replace("{name: api, namespace: shop}", "{name: api-v2, namespace: shop}", StringComparison.Ordinal)));
        Assert.NotEqual(fingerprint, Shop(Spec, Cluster.Replace("uid: web-uid", "uid: web-uid-2", StringComparison.Ordinal)));
        // A namespace whose findings did not change keeps its fingerprint when another's change.
        var (policy, evaluation) = Evaluate();
        var (_, changed) = Evaluate(Spec, Cluster.Replace("image: \"nginx:1.27\"", "image: \"nginx:latest\"", StringComparison.Ordinal));
        Assert.Equal(
            PolicyReportBuilder.Plan(policy, evaluation).Single(i => i.Namespace == "batch").Fingerprint,
            PolicyReportBuilder.Plan(policy, changed).Single(i => i.Namespace == "batch").Fingerprint);
    }

    [Fact]
    public void Without_an_evaluation_a_policy_has_no_reports()
    {
        var (policy, _) = Evaluate();
        Assert.Empty(PolicyReportBuilder.Build(policy, null, TestEvaluation.Now));
    }

    [Fact]
    public void Long_policy_names_give_valid_distinct_report_names_and_label_values()
    {
        var stem = string.Join('.', Enumerable.Repeat("segment-of-a-long-name", 11));   // 252 characters
        var a = stem + "a";
        var b = stem + "b";
        Assert.Equal(253, a.Length);
        foreach (var name in new[] { a, b })
        {
            var report = PolicyReportBuilder.ReportName(name);
            var label = PolicyOwnership.PolicyLabelValue(name);
            Assert.InRange(report.Length, 1, 253);
            Assert.InRange(label.Length, 1, 63);
            Assert.Matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", report);
            Assert.Matches("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$", label);
        }

        Assert.NotEqual(PolicyReportBuilder.ReportName(a), PolicyReportBuilder.ReportName(b));
        Assert.NotEqual(PolicyOwnership.PolicyLabelValue(a), PolicyOwnership.PolicyLabelValue(b));
        Assert.Equal("rpol-production", PolicyReportBuilder.ReportName("production"));
        Assert.Equal("production", PolicyOwnership.PolicyLabelValue("production"));
    }
}
