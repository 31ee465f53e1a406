using EksHardening.Operator.Testing.Kubernetes;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>The operator host against the API emulator, through the real KubernetesClient wire protocol.</summary>
public sealed class PolicyControllerTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Status_converges_to_the_rule_engine_counts_for_50_mixed_workloads()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");

        var status = _bed.Policy("production")!.Status;
        Assert.True(status.Summary!.Resources > 30, $"resources {status.Summary.Resources}");
        Assert.True(status.Summary.Violating > 0);
        Assert.True(status.Summary.Compliant > 0);
        Assert.Equal(1, status.ObservedGeneration);
        Assert.NotNull(status.LastEvaluated);
        Assert.Equal("True", status.Conditions!.Single(c => c.Type == "Ready").Status);
        Assert.Equal("False", status.Conditions!.Single(c => c.Type == "Compliant").Status);
        Assert.Contains(status.Responsibilities!, r => r.Row == ResponsibilityRow.NetworkSecurity);
        Assert.Equal(Math.Min(50, status.TotalViolations ?? 0), status.Violations!.Count);
        Assert.DoesNotContain(status.Violations, v => v.Namespace == "dev");
    }

    [Fact]
    public async Task Fixing_a_workload_lowers_the_violations_and_deleting_one_removes_it()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var before = _bed.Policy("production")!.Status;

        // Give one violating StatefulSet a compliant pod template (merge patch replaces the containers list).
        var target = before.Violations!.First(v => v.Kind == "StatefulSet");
        var fixedSpec = MixedWorkloads.PodSpec(compliant: true, 1);
        var patch = new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = JsonNode.Parse(KubernetesJson.Serialize(fixedSpec)) } } };
        patch["spec"]!["template"]!["spec"]!["hostNetwork"] = false;
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), target.Name, target.Namespace);
        await _bed.ConvergedAsync("production");
        var afterFix = _bed.Policy("production")!.Status;
        Assert.True(afterFix.TotalViolations < before.TotalViolations, $"{afterFix.TotalViolations} < {before.TotalViolations}");
        Assert.Equal(before.Summary!.Violating - 1, afterFix.Summary!.Violating);

        var victim = afterFix.Violations!.First(v => v.Kind == "Deployment");
        await _bed.Client.AppsV1.DeleteNamespacedDeploymentAsync(victim.Name, victim.Namespace);
        await _bed.ConvergedAsync("production");
        var afterDelete = _bed.Policy("production")!.Status;
        Assert.Equal(afterFix.Summary.Resources - 1, afterDelete.Summary!.Resources);
        Assert.DoesNotContain(afterDelete.Violations!, v => v.Name == victim.Name && v.Kind == "Deployment");
    }

    [Fact]
    public async Task A_workload_deleted_while_the_operator_is_stopped_is_gone_after_restart()
    {
        var first = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var resources = _bed.Policy("production")!.Status.Summary!.Resources;
        await _bed.StopOperatorAsync(first);

        var victim = _bed.Emulator.List<V1Deployment>("prod-a")[0];
        Assert.True(_bed.Emulator.Delete<V1Deployment>("prod-a", victim.Metadata.Name));
        await _bed.StartOperatorAsync("operator-b");
        await _bed.ConvergedAsync("production");
        Assert.Equal(resources - 1, _bed.Policy("production")!.Status.Summary!.Resources);
    }

    [Fact]
    public async Task Dropped_watches_and_a_forced_410_during_changes_still_converge()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var victim = _bed.Emulator.List<V1Job>("prod-a")[0];
        for (var i = 0; i < 6; i++)
        {
            _bed.Emulator.Faults.DropWatches();
            if (i == 3) _bed.Emulator.Faults.ExpireNextWatches(11);
            await _bed.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"late-{i}", NamespaceProperty = "prod-a" },
                Spec = MixedWorkloads.PodSpec(compliant: i % 2 == 0, 100 + i),
            }, "prod-a");
            if (i == 4) await _bed.Client.BatchV1.DeleteNamespacedJobAsync(victim.Metadata.Name, "prod-a");
        }

        await _bed.ConvergedAsync("production");
        Assert.Null(_bed.Emulator.Get<V1Job>("prod-a", victim.Metadata.Name));
    }

    [Fact]
    public async Task Changes_faster_than_the_status_write_interval_are_written_together()
    {
        var app = await _bed.StartOperatorAsync(extraArgs: ["--status-write-interval", "3s"]);
        await _bed.ConvergedAsync("production");
        var writes = _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status");

        // Ten new violating pods within a second or two: one write (two when the burst straddles an interval) shows them all.
        for (var i = 0; i < 10; i++)
        {
            await _bed.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"burst-{i}", NamespaceProperty = "prod-a" },
                Spec = MixedWorkloads.PodSpec(compliant: false, 200 + i),
            }, "prod-a");
            await Task.Delay(100);
        }

        await _bed.ConvergedAsync("production");
        Assert.InRange(_bed.Emulator.CountRequests("patch", "responsibilitypolicies/status") - writes, 1, 2);
        Assert.True(OperatorTestbed.Status(app).DeferredReconciles > 0, "reconciles were put off");
    }

    [Fact]
    public async Task After_quiescence_no_status_writes_happen()
    {
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var writes = _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status");
        var reconciles = _bed.Counters(app).UnchangedReconciles;

        // An annotation no rule reads is not kept in the cache: changing it is no change at all.
        var touched = _bed.Emulator.List<V1StatefulSet>("prod-b")[0];
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("{\"metadata\":{\"annotations\":{\"touched\":\"yes\"}}}", V1Patch.PatchType.MergePatch), touched.Metadata.Name, "prod-b");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(writes, _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status"));
        Assert.Equal(reconciles, _bed.Counters(app).UnchangedReconciles);

        // A label no rule selects on is kept (selectors may read labels), so it is reconciled, and nothing is written.
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}", V1Patch.PatchType.MergePatch), touched.Metadata.Name, "prod-b");
        await Eventually.True(() => _bed.Counters(app).UnchangedReconciles > reconciles, "the change was reconciled");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(writes, _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status"));
    }

    [Fact]
    public async Task An_invalid_policy_is_reported_as_InvalidSpec_while_a_valid_one_keeps_working()
    {
        // Passes the CRD schema (the emulator does not apply it anyway) but breaks a CEL rule: In needs values.
        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: broken}
            spec:
              podSecurity: {level: baseline}
            """);
        var broken = _bed.PolicyJson("broken")!;
        await _bed.Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("{\"spec\":{\"match\":{\"namespaceSelector\":{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\"}]}}}}", V1Patch.PatchType.MergePatch),
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "broken");
        GC.KeepAlive(broken);

        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        await Eventually.True(() => _bed.Policy("broken")?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Reason == "InvalidSpec") == true, "broken policy marked InvalidSpec");
        var ready = _bed.Policy("broken")!.Status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Contains("spec.match.namespaceSelector.matchExpressions[0].values", ready.Message);
        Assert.Equal(2, ready.ObservedGeneration);
    }

    [Fact]
    public async Task Every_printer_column_of_the_crd_has_a_value_on_a_reconciled_policy()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var crd = await Crds.ReadFileAsync(RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml"));
        var columns = crd.Spec.Versions.Single().AdditionalPrinterColumns;
        var policy = _bed.PolicyJson("production")!;
        Assert.NotEmpty(columns);
        foreach (var column in columns)
        {
            var value = SimpleJsonPath.Evaluate(policy, column.JsonPath);
            Assert.False(string.IsNullOrEmpty(value), $"column {column.Name} ({column.JsonPath}) is empty");
        }
    }

    [Fact]
    public async Task Violation_events_are_recorded_once_per_workload_and_rule_set()
    {
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var violating = _bed.Policy("production")!.Status.Summary!.Violating;
        await Eventually.True(() => _bed.Emulator.List<Corev1Event>().Count(e => e.Reason == ViolationEvents.Reason) >= violating - 2,
            "events for the violating workloads");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var events = _bed.Emulator.List<Corev1Event>().Where(e => e.Reason == ViolationEvents.Reason).ToList();
        Assert.All(events, e => Assert.Contains("ResponsibilityPolicy production", e.Message));
        Assert.Equal(events.Count, events.Select(e => $"{e.InvolvedObject.Kind}/{e.InvolvedObject.NamespaceProperty}/{e.InvolvedObject.Name}").Distinct().Count());

        // More reconciles with the same violations add no events; a changed rule set adds exactly one.
        var touched = _bed.Emulator.List<V1StatefulSet>("prod-b")[0];
        await _bed.Client.AppsV1.PatchNamespacedStatefulSetAsync(
            new V1Patch("{\"metadata\":{\"annotations\":{\"touched\":\"yes\"}}}", V1Patch.PatchType.MergePatch), touched.Metadata.Name, "prod-b");
        var violatingDeployment = _bed.Policy("production")!.Status.Violations!.First(v => v.Kind == "Deployment");
        await _bed.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"hostPID\":true}}}}", V1Patch.PatchType.MergePatch), violatingDeployment.Name, violatingDeployment.Namespace);
        await _bed.ConvergedAsync("production");
        await Eventually.True(() => _bed.Emulator.List<Corev1Event>().Count(e => e.Reason == ViolationEvents.Reason) == events.Count + 1, "one new event for the changed rule set");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(events.Count + 1, _bed.Emulator.List<Corev1Event>().Count(e => e.Reason == ViolationEvents.Reason));
    }
}
