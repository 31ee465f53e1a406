using EksHardening.Operator.Testing.Kubernetes;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// wgpolicyk8s.io/v1alpha2 reports written by the running operator against the emulator: present only when the
/// CRDs are, equal to what the rule engine computes, updated only when content changes, owned by the policy.
/// </summary>
public sealed class PolicyReportTests : IAsyncLifetime
{
    private const string PolicyName = "production";
    private static readonly string[] ReportResources = [PolicyReport.Plural, ClusterPolicyReport.Plural];
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync() => _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task With_the_crds_served_every_namespace_in_scope_gets_a_report_equal_to_the_rule_engines()
    {
        await InstallCrdsAsync();
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await ReportsConvergedAsync();

        // /metrics counts the report writes the API server answered, and that both kinds are served.
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };
        await Eventually.True(async () => (await MetricsEndpointTests.ScrapeAsync(http)).Value("eks_hardening_policy_report_writes_total", ("operation", "create")) == 3,
            "three creates counted");
        var metrics = await MetricsEndpointTests.ScrapeAsync(http);
        Assert.Equal(3, metrics.Value("eks_hardening_policy_report_writes_total", ("operation", "create")));
        Assert.Equal(0, metrics.Value("eks_hardening_policy_report_failures_total"));
        Assert.Equal(1, metrics.Value("eks_hardening_policy_reports_served", ("kind", "PolicyReport")));
        Assert.Equal(1, metrics.Value("eks_hardening_policy_reports_served", ("kind", "ClusterPolicyReport")));

        var reports = _bed.Emulator.List<PolicyReport>(labelSelector: $"{PolicyOwnership.PolicyLabel}={PolicyName}");
        Assert.Equal(["prod-a", "prod-b"], reports.Select(r => r.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
        var cluster = Assert.Single(_bed.Emulator.List<ClusterPolicyReport>());
        Assert.Equal("rpol-production", cluster.Metadata.Name);

        // The counts agree with the policy's status: every failed finding is a fail result somewhere.
        var status = _bed.Policy(PolicyName)!.Status;
        Assert.Equal(status.TotalViolations, reports.Sum(r => r.Summary.Fail) + cluster.Summary.Fail);
        var failingResources = reports.SelectMany(r => r.Results).Where(r => r.Result == PolicyReportOutcome.Fail)
            .Select(r => $"{r.Resources![0].Kind}/{r.Resources[0].NamespaceProperty}/{r.Resources[0].Name}").Distinct().Count();
        Assert.Equal(status.Summary!.Violating, failingResources + cluster.Results.Where(r => r.Result == PolicyReportOutcome.Fail).Select(r => r.Resources![0].Name).Distinct().Count());

        // Results name the rule, the resource (with its uid) and the severity, as status does.
        foreach (var violation in status.Violations!.Where(v => v.Namespace is not null))
        {
            var report = reports.Single(r => r.Metadata.NamespaceProperty == violation.Namespace);
            Assert.Contains(report.Results, r => r.Rule == violation.Rule && r.Result == PolicyReportOutcome.Fail
                && r.Severity == PolicyReportBuilder.ReportSeverity(violation.Severity)
                && r.Resources is [{ } resource] && resource.Kind == violation.Kind && resource.Name == violation.Name && resource.Uid is { Length: > 0 });
        }

        Assert.Contains(cluster.Results, r => r is { Rule: "network.default-deny-ingress", Result: PolicyReportOutcome.Fail } && r.Resources![0].Name == "prod-b");
        var owner = Assert.Single(cluster.Metadata.OwnerReferences);
        Assert.Equal(_bed.Policy(PolicyName)!.Metadata.Uid, owner.Uid);
    }

    [Fact]
    public async Task Fixing_a_workload_patches_only_its_namespace_report_and_a_quiet_cluster_makes_no_report_requests()
    {
        await InstallCrdsAsync();
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await ReportsConvergedAsync();
        var reportsController = Reports(app);
        var counters = _bed.Counters(app);
        // The counter moves when the client has the answer, a moment after the store changed.
        await Eventually.True(() => counters.ReportWrites("create") == _bed.Emulator.List<PolicyReport>().Count + _bed.Emulator.List<ClusterPolicyReport>().Count,
            "creates counted");
        Assert.Equal(0, counters.ReportWrites("patch"));
        var created = counters.ReportWrites("create");

        // A label no rule selects on: reconciled (selectors may read labels), but not one report request (no list, no write).
        _bed.Emulator.ClearRequests();
        var reconciles = _bed.Counters(app).UnchangedReconciles;
        var builds = reportsController.Builds;
        var touched = _bed.Emulator.List<V1StatefulSet>("prod-b")[0];
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}", V1Patch.PatchType.MergePatch), touched.Metadata.Name, "prod-b");
        await Eventually.True(() => _bed.Counters(app).UnchangedReconciles > reconciles, "the change was reconciled");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(ReportRequests());
        Assert.Equal(builds, reportsController.Builds);   // same findings, same fingerprints: no report even built

        // A fix changes the findings of one namespace: one patch of that namespace's report, nothing else.
        var target = _bed.Emulator.List<PolicyReport>().SelectMany(r => r.Results)
            .First(r => r is { Rule: "image.tag-not-latest", Result: PolicyReportOutcome.Fail } && r.Resources![0].Kind == "StatefulSet").Resources![0];
        var before = Report(target.NamespaceProperty);
        var fixedSpec = MixedWorkloads.PodSpec(compliant: true, 0);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = JsonNode.Parse(KubernetesJson.Serialize(fixedSpec)) } } };
        patch["spec"]!["template"]!["spec"]!["hostNetwork"] = false;
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), target.Name, target.NamespaceProperty);
        await _bed.ConvergedAsync(PolicyName);
        await ReportsConvergedAsync();

        var after = Report(target.NamespaceProperty);
        Assert.True(after.Summary.Fail < before.Summary.Fail, $"fail {after.Summary.Fail} < {before.Summary.Fail}");
        Assert.Contains(after.Results, r => r is { Rule: "image.tag-not-latest", Result: PolicyReportOutcome.Pass } && r.Resources![0].Name == target.Name);
        // The request log is written as the response completes, a moment after the store changed.
        await Eventually.True(() => ReportRequests().Count > 0, "the patch is in the request log");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(["patch policyreports " + target.NamespaceProperty], ReportRequests().Select(r => $"{r.Verb} {r.Resource} {r.Namespace}"));
        Assert.Equal((1, created), (counters.ReportWrites("patch"), counters.ReportWrites("create")));
    }

    [Fact]
    public async Task After_a_restart_the_reports_are_listed_and_watched_once_per_kind_and_not_written_again()
    {
        await InstallCrdsAsync();
        var first = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await ReportsConvergedAsync();
        await _bed.StopOperatorAsync(first);

        _bed.Emulator.ClearRequests();
        var second = await _bed.StartOperatorAsync("operator-b");
        var caches = Reports(second).Caches;
        await Eventually.True(() => caches.PolicyReports.Ready && caches.ClusterPolicyReports.Ready, "reports listed");
        await _bed.ConvergedAsync(PolicyName);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await ReportsConvergedAsync();
        // The informers' list and watch of each kind; every report already says what the evaluation says.
        Assert.Equal(["list clusterpolicyreports", "list policyreports", "watch clusterpolicyreports", "watch policyreports"],
            ReportRequests().Select(r => $"{r.Verb} {r.Resource}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_report_deleted_or_edited_by_someone_else_is_repaired()
    {
        await InstallCrdsAsync();
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await ReportsConvergedAsync();
        var counters = _bed.Counters(app);
        await Eventually.True(() => counters.ReportWrites("create") == 3, "three creates counted");

        await _bed.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, "prod-a", PolicyReport.Plural,
            PolicyReportBuilder.ReportName(PolicyName));
        await Eventually.True(() => counters.ReportWrites("create") == 4, "the deleted report created again");
        await ReportsConvergedAsync();

        await _bed.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"results\":[]}", V1Patch.PatchType.MergePatch),
            PolicyReport.Group, PolicyReport.Version, "prod-b", PolicyReport.Plural, PolicyReportBuilder.ReportName(PolicyName));
        await Eventually.True(() => counters.ReportWrites("patch") == 1, "the edited report patched back");
        await ReportsConvergedAsync();
        Assert.Equal((4, 1, 0), (counters.ReportWrites("create"), counters.ReportWrites("patch"), counters.ReportFailures));
    }

    [Fact]
    public async Task Deleting_the_policy_garbage_collects_its_reports()
    {
        await InstallCrdsAsync();
        await _bed.StartOperatorAsync();
        await ReportsConvergedAsync();
        Assert.NotEmpty(_bed.Emulator.List<PolicyReport>());

        await _bed.Client.CustomObjects.DeleteClusterCustomObjectAsync(ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, PolicyName);
        await Eventually.True(() => _bed.Emulator.List<PolicyReport>().Count == 0 && _bed.Emulator.List<ClusterPolicyReport>().Count == 0, "reports gone");
    }

    [Fact]
    public async Task A_namespace_leaving_the_policys_scope_loses_its_report()
    {
        await InstallCrdsAsync();
        await _bed.StartOperatorAsync();
        await ReportsConvergedAsync();
        await _bed.Client.CoreV1.PatchNamespaceAsync(new V1Patch("{\"metadata\":{\"labels\":{\"env\":\"staging\"}}}", V1Patch.PatchType.MergePatch), "prod-b");
        await ReportsConvergedAsync();
        Assert.Equal(["prod-a"], _bed.Emulator.List<PolicyReport>().Select(r => r.Metadata.NamespaceProperty));
        await Eventually.True(() => _bed.Emulator.CountRequests("delete", PolicyReport.Plural) == 1, "one delete in the request log");
    }

    [Fact]
    public async Task Without_the_crds_no_report_request_is_made_only_one_discovery_request()
    {
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Empty(ReportRequests());
        var discovery = _bed.Emulator.Requests.Where(r => r.Group == PolicyReport.Group).ToList();
        Assert.Equal(["GET /apis/wgpolicyk8s.io/v1alpha2 404"], discovery.Select(r => $"{r.Method} {r.Path} {r.StatusCode}"));
        Assert.False(Reports(app).Caches.PolicyReportsServed);
    }

    [Fact]
    public async Task A_403_on_report_create_leaves_status_intact_and_is_not_retried_before_the_next_discovery()
    {
        await InstallCrdsAsync();
        _bed.Emulator.Faults.FailRequests("create", 403, resource: PolicyReport.Plural);
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await Eventually.True(() => _bed.Emulator.List<ClusterPolicyReport>().Count == 1, "the cluster report, which is allowed");

        // A change that alters findings makes the operator reconcile again: still one refused create.
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "late", NamespaceProperty = "prod-a" }, Spec = MixedWorkloads.PodSpec(compliant: false, 7) };
        await _bed.Client.CoreV1.CreateNamespacedPodAsync(pod, "prod-a");
        await _bed.ConvergedAsync(PolicyName);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var status = _bed.Policy(PolicyName)!.Status;
        Assert.Equal("True", status.Conditions!.Single(c => c.Type == "Ready").Status);
        Assert.Empty(_bed.Emulator.List<PolicyReport>());
        Assert.Equal(1, _bed.Emulator.CountRequests("create", PolicyReport.Plural));
        Assert.Equal(1, _bed.Counters(app).ReportFailures);
        Assert.False(Reports(app).Caches.PolicyReportsServed);
        Assert.True(Reports(app).Caches.ClusterPolicyReportsServed);
    }

    [Fact]
    public async Task A_same_named_report_that_is_not_ours_is_left_alone()
    {
        await InstallCrdsAsync();
        var foreign = _bed.Emulator.Seed(new PolicyReport
        {
            Metadata = new V1ObjectMeta { Name = PolicyReportBuilder.ReportName(PolicyName), NamespaceProperty = "prod-a", Labels = new Dictionary<string, string> { ["owner"] = "someone-else" } },
        });
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await Eventually.True(() => _bed.Emulator.List<PolicyReport>("prod-b").Count == 1, "prod-b's report");

        // More reconciles: the name conflicted once, a relist showed it is not ours, and it is not tried again.
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "late", NamespaceProperty = "prod-a" }, Spec = MixedWorkloads.PodSpec(compliant: false, 7) };
        await _bed.Client.CoreV1.CreateNamespacedPodAsync(pod, "prod-a");
        await _bed.ConvergedAsync(PolicyName);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(foreign.Metadata.ResourceVersion, _bed.Emulator.Get<PolicyReport>("prod-a", foreign.Metadata.Name)!.Metadata.ResourceVersion);
        Assert.Equal(1, _bed.Emulator.Requests.Count(r => r is { Verb: "create", Resource: "policyreports", Namespace: "prod-a" }));
        Assert.Equal(0, _bed.Emulator.Requests.Count(r => r is { Verb: "patch" or "delete", Resource: "policyreports", Namespace: "prod-a" }));
        Assert.Equal(1, _bed.Counters(app).ReportFailures);
    }

    [Fact]
    public async Task Crds_installed_later_are_found_at_the_next_discovery_round_and_removed_ones_at_the_one_after()
    {
        // Discovery and the informers on their own, with a clock the test moves, against the emulator through the real client.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new PolicyReportOptions();
        using var metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var caches = new PolicyReportCaches(_bed.Client, PolicyReportSources.Of(_bed.Client), options,
            new PolicyReportMetrics(metrics.GetRequiredService<IMeterFactory>(), NullLogger<PolicyReportMetrics>.Instance), clock, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = caches.RunAsync(stop.Token);

        await Eventually.True(() => caches.Discoveries == 1, "the first discovery");
        await InstallCrdsAsync();
        clock.Advance(options.DiscoveryInterval - TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, caches.Discoveries);
        Assert.False(caches.PolicyReportsServed);

        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => caches.PolicyReports.Ready && caches.ClusterPolicyReports.Ready && caches.Discoveries == 2, "both kinds served and listed");

        foreach (var crd in ReportResources) await _bed.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync($"{crd}.{PolicyReport.Group}");
        clock.Advance(options.DiscoveryInterval);
        await Eventually.True(() => !caches.PolicyReportsServed && !caches.ClusterPolicyReportsServed && caches.Discoveries == 3, "neither kind served");
        Assert.Null(caches.PolicyReports.Informer);

        await stop.CancelAsync();
        await running;
    }

    private PolicyReport Report(string ns) => _bed.Emulator.Get<PolicyReport>(ns, PolicyReportBuilder.ReportName(PolicyName))!;

    private static PolicyReportController Reports(WebApplication app) => app.Services.GetRequiredService<PolicyReportController>();

    private List<RecordedRequest> ReportRequests() => _bed.Emulator.Requests.Where(r => ReportResources.Contains(r.Resource)).ToList();

    private async Task InstallCrdsAsync()
    {
        var yaml = await File.ReadAllTextAsync(RepositoryPaths.Of("tests", "Fixtures", "wgpolicyk8s.io_v1alpha2.yaml"));
        foreach (var crd in Crds.Read(yaml))
        {
            await _bed.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
    }

    /// <summary>Waits until the stored reports are exactly those the rule engine calls for now (content, not timestamps).</summary>
    private async Task ReportsConvergedAsync()
    {
        var last = "";
        await Eventually.True(() =>
        {
            var policy = _bed.Policy(PolicyName);
            if (policy is null) return false;
            var expected = PolicyReportBuilder.Build(policy, ExpectedStatus.Evaluate(policy, _bed.CurrentObjects()), DateTimeOffset.UtcNow)
                .ToDictionary(d => d.Namespace ?? "", d => d.ContentHash, StringComparer.Ordinal);
            var actual = _bed.Emulator.List<PolicyReport>().Select(r => (Key: r.Metadata.NamespaceProperty, Hash: PolicyReportBuilder.ContentHash(r)))
                .Concat(_bed.Emulator.List<ClusterPolicyReport>().Select(r => (Key: "", Hash: PolicyReportBuilder.ContentHash(r))))
                .ToDictionary(r => r.Key, r => r.Hash, StringComparer.Ordinal);
            last = $"expected [{string.Join(", ", expected.Keys.Order(StringComparer.Ordinal))}], stored [{string.Join(", ", actual.Keys.Order(StringComparer.Ordinal))}]";
            return expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var hash) && hash == e.Value);
        }, $"reports equal the rule engine's ({last})", TimeSpan.FromSeconds(30));
    }
}
