namespace EksHardening.Operator.Tests.Rules;

/// <summary>ReplicationControllers, PodTemplates and workloads of removed API versions are evaluated like the other kinds.</summary>
public class WorkloadKindsTests
{
    private const string Baseline = "podSecurity: {level: baseline}";
    private const string Privileged = "{containers: [{name: app, image: \"nginx:1.27\", securityContext: {privileged: true}}]}";
    private const string Compliant = "{containers: [{name: app, image: \"nginx:1.27\"}]}";

    private static string Workload(string apiVersion, string kind, string podSpec) => kind switch
    {
        "PodTemplate" => $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: w, namespace: shop}}\ntemplate: {{spec: {podSpec}}}\n",
        "CronJob" => $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: w, namespace: shop}}\nspec: {{schedule: '@daily', jobTemplate: {{spec: {{template: {{spec: {podSpec}}}}}}}}}\n",
        _ => $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: w, namespace: shop}}\nspec: {{template: {{spec: {podSpec}}}}}\n",
    };

    public static TheoryData<string, string, string, string?> Kinds => new()
    {
        { "v1", "ReplicationController", "spec.template.spec.containers[0].securityContext.privileged", null },
        { "v1", "PodTemplate", "template.spec.containers[0].securityContext.privileged", null },
        { "extensions/v1beta1", "Deployment", "spec.template.spec.containers[0].securityContext.privileged", "extensions/v1beta1 Deployment: API removed in Kubernetes 1.16" },
        { "extensions/v1beta1", "DaemonSet", "spec.template.spec.containers[0].securityContext.privileged", "extensions/v1beta1 DaemonSet: API removed in Kubernetes 1.16" },
        { "extensions/v1beta1", "ReplicaSet", "spec.template.spec.containers[0].securityContext.privileged", "extensions/v1beta1 ReplicaSet: API removed in Kubernetes 1.16" },
        { "apps/v1beta1", "Deployment", "spec.template.spec.containers[0].securityContext.privileged", "apps/v1beta1 Deployment: API removed in Kubernetes 1.16" },
        { "apps/v1beta1", "StatefulSet", "spec.template.spec.containers[0].securityContext.privileged", "apps/v1beta1 StatefulSet: API removed in Kubernetes 1.16" },
        { "apps/v1beta2", "DaemonSet", "spec.template.spec.containers[0].securityContext.privileged", "apps/v1beta2 DaemonSet: API removed in Kubernetes 1.16" },
        { "apps/v1beta2", "ReplicaSet", "spec.template.spec.containers[0].securityContext.privileged", "apps/v1beta2 ReplicaSet: API removed in Kubernetes 1.16" },
        { "batch/v1beta1", "CronJob", "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged", "batch/v1beta1 CronJob: API removed in Kubernetes 1.25" },
        { "batch/v2alpha1", "CronJob", "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged", "batch/v2alpha1 CronJob: API removed in Kubernetes 1.21" },
        { "apps/v1", "Deployment", "spec.template.spec.containers[0].securityContext.privileged", null },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_is_judged_on_its_pod_template_and_a_removed_api_is_noted(string apiVersion, string kind, string path, string? note)
    {
        var failing = Assert.Single(TestEvaluation.Evaluate(Baseline, Workload(apiVersion, kind, Privileged)).Resources);
        Assert.Equal((apiVersion, kind, FindingResult.Fail), (failing.Resource.ApiVersion, failing.Resource.Kind, failing.Verdict));
        Assert.Equal(path, Assert.Single(failing.Findings.Of("pss.privileged")).Path);
        Assert.Equal(note is null ? [] : [note], failing.Notes.Select(n => n[..n.IndexOf(';', StringComparison.Ordinal)]));

        var passing = Assert.Single(TestEvaluation.Evaluate(Baseline, Workload(apiVersion, kind, Compliant)).Resources);
        Assert.Equal(FindingResult.Pass, passing.Verdict);
        Assert.Equal(note is null ? 0 : 1, passing.Notes.Count);
    }

    [Theory]
    [InlineData("ReplicationController")]
    [InlineData("PodTemplate")]
    public void The_new_kinds_obey_match_kinds(string kind)
    {
        var objects = Workload("v1", kind, Privileged);
        Assert.Single(TestEvaluation.Evaluate(Baseline + $"\nmatch: {{kinds: [{kind}]}}", objects).Resources);
        Assert.Empty(TestEvaluation.Evaluate(Baseline + "\nmatch: {kinds: [Deployment]}", objects).Resources);
    }

    [Fact]
    public void Pods_of_a_ReplicationController_are_reported_on_it()
    {
        var evaluation = TestEvaluation.Evaluate(Baseline, """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy, namespace: shop, uid: rc-1}
            spec: {template: {spec: {containers: [{name: app, image: "nginx:1.27"}]}}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: legacy-x7k2p, namespace: shop, ownerReferences: [{apiVersion: v1, kind: ReplicationController, name: legacy, uid: rc-1, controller: true}]}
            spec: {hostNetwork: true, containers: [{name: app, image: "nginx:1.27"}]}
            """);
        var resource = Assert.Single(evaluation.Resources);
        Assert.Equal("ReplicationController shop/legacy", resource.Resource.ToString());
        Assert.Equal("pod legacy-x7k2p: pod: hostNetwork is true", Assert.Single(resource.Findings.Of("pss.hostNamespaces")).Message);
    }

    [Fact]
    public void A_removed_NetworkPolicy_version_is_skipped_not_counted_as_isolation()
    {
        var set = new ManifestSet();
        ManifestReader.ReadText("""
            apiVersion: extensions/v1beta1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}}
            """, "in.yaml", set);
        Assert.Empty(set.Objects);
        Assert.Equal(1, set.SkippedKinds["extensions/v1beta1/NetworkPolicy"]);
    }

    [Fact]
    public void Removed_workload_apis_map_to_their_successors_only()
    {
        Assert.Equal("1.16", RemovedWorkloadApis.RemovedSince("extensions/v1beta1", "Deployment"));
        Assert.Null(RemovedWorkloadApis.RemovedSince("apps/v1", "Deployment"));
        Assert.Null(RemovedWorkloadApis.RemovedSince("extensions/v1beta1", "NetworkPolicy"));
        Assert.All(RemovedWorkloadApis.All, api => Assert.Contains(api.Kind, WorkloadView.SupportedKinds));
    }

    // ---------------------------------------------------------------- the note in every output format

    private static ScanReport LegacyReport()
    {
        var resource = new ResourceEvaluation(new ResourceRef("extensions/v1beta1", "Deployment", "shop", "web"), new SourceLocation("deploy/web.yaml", 1),
            [new Finding(ReportSamples.Privileged, FindingResult.Pass, "ok")])
        {
            Notes = [RemovedWorkloadApis.Note("extensions/v1beta1", "Deployment")!],
        };
        var evaluation = new PolicyEvaluation("production", PolicyMode.Audit, [resource], [], []);
        return new ScanReport("0.0.0-test", [evaluation, evaluation with { PolicyName = "staging" }], new Dictionary<string, int>());
    }

    private const string Expected = "Deployment shop/web: extensions/v1beta1 Deployment: API removed in Kubernetes 1.16";

    [Fact]
    public void The_table_notes_each_resource_once_before_the_summary()
    {
        var lines = ReportSamples.Render(new TableReportWriter(), LegacyReport()).Split('\n');
        var note = Assert.Single(lines, l => l.StartsWith("Note: ", StringComparison.Ordinal));
        Assert.StartsWith("Note: " + Expected, note, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_lists_notes_on_the_resource()
    {
        var json = JsonNode.Parse(ReportSamples.Render(new JsonReportWriter(), LegacyReport()))!;
        var notes = json["policies"]![0]!["resources"]![0]!["notes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.StartsWith("extensions/v1beta1 Deployment: API removed in Kubernetes 1.16", Assert.Single(notes), StringComparison.Ordinal);
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void The_sarif_carries_notes_as_tool_notifications_and_stays_valid()
    {
        var sarif = ReportSamples.Render(new SarifReportWriter("/abs/repo"), LegacyReport());
        var errors = SarifMultitool.Errors(sarif);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var notification = Assert.Single(JsonNode.Parse(sarif)!["runs"]![0]!["invocations"]![0]!["toolExecutionNotifications"]!.AsArray());
        Assert.Equal("note", notification!["level"]!.GetValue<string>());
        Assert.StartsWith(Expected, notification["message"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
