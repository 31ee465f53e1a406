namespace EksHardening.Operator.Tests.Controllers;

public sealed class StatusControllerTests
{
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers:
          - name: web
            image: nginx:1.27
            securityContext: {privileged: true}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: shop}
        spec:
          containers:
          - name: api
            image: nginx:1.27
        """;

    private static string Policy(string spec) => $"""
        ---
        apiVersion: {ResponsibilityPolicy.ApiVersionName}
        kind: ResponsibilityPolicy
        metadata: {"{"}name: prod{"}"}
        spec:
        {string.Join('\n', spec.Split('\n').Select(l => "  " + l))}
        """;

    private static readonly string Baseline = Cluster + "\n" + Policy("podSecurity: {level: baseline}");

    [Fact]
    public async Task The_first_reconcile_writes_the_status_the_rule_engine_computes_and_comes_back_at_the_interval()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);

        var result = await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        var (policy, status) = Assert.Single(bed.StatusWriter.Writes);
        Assert.Equal("prod", policy);
        var expected = ComplianceStatus.FromEvaluation(bed.Policy("prod"), TestEvaluation.Evaluate(bed.Policy("prod"), TestEvaluation.Objects(Cluster)),
            null, TestEvaluation.Now, bed.Options.MaxViolations);
        Assert.Equal(expected.Summary, status.Summary);
        Assert.Equal(new ComplianceSummary { Resources = 2, Compliant = 1, Violating = 1 }, status.Summary);
        Assert.Equal(expected.Violations!.Select(v => (v.Kind, v.Namespace, v.Name, v.Rule)), status.Violations!.Select(v => (v.Kind, v.Namespace, v.Name, v.Rule)));
        Assert.Equal(1, status.ObservedGeneration);
        Assert.Equal(bed.Options.DefaultEvaluationInterval, result.RequeueAfter);
    }

    [Fact]
    public async Task A_reconcile_with_nothing_changed_reuses_the_evaluation_and_writes_nothing()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Single(bed.StatusWriter.Writes);
        Assert.Equal(1, bed.Evaluations.Evaluations);
    }

    [Fact]
    public async Task A_cluster_change_is_evaluated_once_and_every_controller_reads_that_one_evaluation()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        var before = bed.Evaluations.RevisionFor(bed.Policy("prod").Spec);

        var fixedPod = (V1Pod)TestEvaluation.Objects(Cluster)[1];
        fixedPod.Spec.Containers[0].SecurityContext = null;
        await bed.Cluster.ApplyAsync(fixedPod);
        Assert.True(bed.Evaluations.RevisionFor(bed.Policy("prod").Spec) > before, "the change moved the revision the policy reads");
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        var evaluated = bed.Evaluations.Latest(bed.Policy("prod"));
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(2, bed.Evaluations.Evaluations);
        Assert.Same(evaluated, bed.Evaluations.Latest(bed.Policy("prod")));
        Assert.Equal([1, 0], bed.StatusWriter.Writes.Select(w => w.Status.Summary!.Violating));
    }

    [Fact]
    public async Task An_evaluation_that_is_due_is_made_again_though_nothing_changed()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        bed.Clock.Advance(bed.Options.DefaultEvaluationInterval);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(2, bed.Evaluations.Evaluations);
        Assert.Single(bed.StatusWriter.Writes);
    }

    [Fact]
    public async Task An_invalid_spec_is_reported_as_such_and_not_evaluated()
    {
        await using var bed = await ControllerBed.StartAsync(Cluster + "\n" + Policy("match: {kinds: [Banana]}\npodSecurity: {level: baseline}"));

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        var status = Assert.Single(bed.StatusWriter.Writes).Status;
        var ready = Assert.Single(status.Conditions!, c => c.Type == "Ready");
        Assert.Equal(("False", "InvalidSpec"), (ready.Status, ready.Reason));
        Assert.Contains("spec.match.kinds[0]", ready.Message, StringComparison.Ordinal);
        Assert.Empty(status.Violations ?? []);
        Assert.Null(bed.Evaluations.Latest(bed.Policy("prod"))!.Evaluation);
    }

    [Fact]
    public async Task A_conflicting_write_is_a_quiet_retry_and_the_next_reconcile_writes()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        bed.StatusWriter.Conflicting = true;

        var result = await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        bed.StatusWriter.Conflicting = false;
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.True(result.Requeue);
        Assert.Equal(1, bed.Status.Conflicts);
        Assert.Single(bed.StatusWriter.Writes);
    }

    [Fact]
    public async Task A_change_within_the_minimum_write_interval_is_put_off_until_it_is_over()
    {
        var interval = TimeSpan.FromSeconds(5);
        await using var bed = await ControllerBed.StartAsync(Baseline, new() { MinStatusWriteInterval = interval });
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        var fixedPod = (V1Pod)TestEvaluation.Objects(Cluster)[1];
        fixedPod.Spec.Containers[0].SecurityContext = null;
        await bed.Cluster.ApplyAsync(fixedPod);

        bed.Clock.Advance(TimeSpan.FromSeconds(2));
        var deferred = await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        bed.Clock.Advance(deferred.RequeueAfter);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(3), deferred.RequeueAfter);
        Assert.Equal(1, bed.Status.DeferredReconciles);
        Assert.Equal([1, 0], bed.StatusWriter.Writes.Select(w => w.Status.Summary!.Violating));
    }

    [Theory]
    [InlineData(5.0, true)]      // quiet for exactly the interval
    [InlineData(600.0, true)]    // quiet for long
    [InlineData(4.9, false)]     // the last write is still within the interval: this change waits for its end
    public async Task The_first_change_after_a_write_interval_of_quiet_is_written_at_once(double quietSeconds, bool writtenAtOnce)
    {
        var interval = TimeSpan.FromSeconds(5);
        await using var bed = await ControllerBed.StartAsync(Baseline, new() { MinStatusWriteInterval = interval });
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromSeconds(quietSeconds));

        await bed.Cluster.ApplyAsync(ViolatingPod("late"));
        var result = await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(writtenAtOnce ? [1, 2] : [1], bed.StatusWriter.Writes.Select(w => w.Status.Summary!.Violating));
        Assert.Equal(writtenAtOnce ? 0 : 1, bed.Status.DeferredReconciles);
        if (!writtenAtOnce) Assert.Equal(interval - TimeSpan.FromSeconds(quietSeconds), result.RequeueAfter);
    }

    [Fact]
    public async Task A_burst_is_written_at_its_first_change_then_once_per_interval_and_its_last_write_holds_the_final_state()
    {
        var interval = TimeSpan.FromSeconds(1);
        var tick = TimeSpan.FromMilliseconds(100);
        await using var bed = await ControllerBed.StartAsync(Baseline, new() { MinStatusWriteInterval = interval });
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        var burstStart = bed.Clock.GetUtcNow();
        var writes = new List<(TimeSpan At, int Violating)>();
        DateTimeOffset? due = null;

        // As the work queue does: a change enqueues the policy at once, a result's RequeueAfter comes back then (the earliest kept).
        async Task ReconcileAsync()
        {
            var before = bed.StatusWriter.Writes.Count;
            var result = await bed.Status.ReconcileAsync("prod", CancellationToken.None);
            if (bed.StatusWriter.Writes.Count > before) writes.Add((bed.Clock.GetUtcNow() - burstStart, bed.StatusWriter.Writes[^1].Status.Summary!.Violating));
            var next = bed.Clock.GetUtcNow() + result.RequeueAfter;
            if (due is null || next < due) due = next;
        }

        // A new violating pod every 200 ms for 3 s (16 changes), then 2 s without any.
        for (var step = 0; step <= 50; step++)
        {
            if (step <= 30 && step % 2 == 0)
            {
                await bed.Cluster.ApplyAsync(ViolatingPod($"burst-{step}"));
                await ReconcileAsync();
            }

            if (due <= bed.Clock.GetUtcNow())
            {
                due = null;
                await ReconcileAsync();
            }

            bed.Clock.Advance(tick);
        }

        // Leading write at the first change; then one per interval with every change up to it; the last shows all 16.
        Assert.Equal([(TimeSpan.Zero, 2), (TimeSpan.FromSeconds(1), 7), (TimeSpan.FromSeconds(2), 12), (TimeSpan.FromSeconds(3), 17)], writes);
        Assert.All(writes.Zip(writes.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= interval, $"writes at {pair.First.At} and {pair.Second.At}"));
    }

    [Fact]
    public async Task A_burst_write_is_evaluated_an_interval_after_the_last_evaluation_and_sent_an_interval_after_the_last_answer()
    {
        var interval = TimeSpan.FromSeconds(1);
        var roundTrip = TimeSpan.FromMilliseconds(300);
        await using var bed = await ControllerBed.StartAsync(Baseline, new() { MinStatusWriteInterval = interval });
        var sent = new List<DateTimeOffset>();
        bed.StatusWriter.WhileWriting = () =>
        {
            sent.Add(bed.Clock.GetUtcNow());
            bed.Clock.Advance(roundTrip);
        };
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        await bed.Cluster.ApplyAsync(ViolatingPod("late"));
        var deferred = await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        bed.Clock.Advance(deferred.RequeueAfter);
        var writing = bed.Status.ReconcileAsync("prod", CancellationToken.None);
        for (var step = 0; step < 100 && !writing.IsCompleted; step++)
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }

        await writing;

        // Evaluated again an interval after the first evaluation began (700 ms after its answer), but sent only an
        // interval after that answer: the API server never receives two writes within an interval.
        Assert.Equal(interval - roundTrip, deferred.RequeueAfter);
        Assert.Equal(2, sent.Count);
        Assert.InRange(sent[1] - (sent[0] + roundTrip), interval, interval + TimeSpan.FromMilliseconds(20));
        Assert.Equal([1, 2], bed.StatusWriter.Writes.Select(w => w.Status.Summary!.Violating));
    }

    private static V1Pod ViolatingPod(string name)
    {
        var pod = (V1Pod)TestEvaluation.Objects(Cluster)[1];
        pod.Metadata.Name = name;
        return pod;
    }

    [Fact]
    public async Task A_deleted_policy_is_forgotten_and_nothing_is_written()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        var policy = bed.Policy("prod");

        await bed.Cluster.DeleteAsync(policy);
        var result = await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(ReconcileResult.Done, result);
        Assert.Single(bed.StatusWriter.Writes);
        Assert.Null(bed.Evaluations.Latest(policy));
        Assert.Empty(bed.Evaluations.Violations.All());
    }

    [Fact]
    public async Task Readiness_follows_the_ready_condition_written_and_forgets_a_deleted_policy()
    {
        await using var bed = await ControllerBed.StartAsync(Cluster + "\n" + Policy("match: {kinds: [Banana]}\npodSecurity: {level: baseline}"));
        Assert.Empty(bed.Status.Readiness);

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        Assert.Equal([("prod", false)], bed.Status.Readiness);

        var fixedPolicy = (ResponsibilityPolicy)TestEvaluation.Objects(Baseline).Last();
        await bed.Cluster.ApplyAsync(fixedPolicy);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        Assert.Equal([("prod", true)], bed.Status.Readiness);
        // Found already true (nothing to write): still ready.
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        Assert.Equal([("prod", true)], bed.Status.Readiness);

        await bed.Cluster.DeleteAsync(bed.Policy("prod"));
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        Assert.Empty(bed.Status.Readiness);
    }

    [Fact]
    public async Task A_policy_whose_status_write_failed_has_no_readiness()
    {
        await using var bed = await ControllerBed.StartAsync(Baseline);
        bed.StatusWriter.Conflicting = true;

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        Assert.Empty(bed.Status.Readiness);
    }
}
