namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 2: another writer changes the policy between the operator's read and its status patch. Status is one
/// merge patch through the status subresource, so the other writer's change is never overwritten; a 409 (as a
/// server answers a conflicting write) is a quiet retry with backoff, counted, and never a hot loop.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WriteConflictTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PolicyName = "production";
    private OperatorTestbed _bed = null!;
    private readonly CapturedLog _log = new();

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
        _bed.LogSink = _log;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_spec_change_slipped_in_before_each_status_patch_is_kept_and_the_final_status_follows_it()
    {
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        await Eventually.True(() => _bed.Counters(app).StatusWrites > 0, "the first write is counted");
        var writesBefore = _bed.Counters(app).StatusWrites;
        _bed.Emulator.ClearRequests();

        // Before each of our next five status patches, another writer flips a spec switch and stamps an annotation.
        var flips = 0;
        var hook = _bed.Emulator.Faults.BeforeRequests("patch", "responsibilitypolicies/status", () =>
        {
            var policy = _bed.Policy(PolicyName)!;
            policy.Spec.PodSecurity!.RequireReadOnlyRootFilesystem = !(policy.Spec.PodSecurity.RequireReadOnlyRootFilesystem ?? false);
            policy.Metadata.Annotations ??= new Dictionary<string, string>();
            policy.Metadata.Annotations["other-writer/flips"] = (++flips).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _bed.Emulator.Seed(policy);
        }, times: 5);
        var clock = Stopwatch.StartNew();
        _bed.Emulator.Delete<V1Deployment>("prod-a", _bed.Emulator.List<V1Deployment>("prod-a")[0].Metadata.Name);

        await Eventually.True(() => hook.Hits == 5, "the other writer got in five times");
        await _bed.ConvergedAsync(PolicyName);
        var took = clock.Elapsed;
        var final = _bed.Policy(PolicyName)!;
        Assert.Equal("5", final.Metadata.Annotations["other-writer/flips"]);
        Assert.True(final.Spec.PodSecurity!.RequireReadOnlyRootFilesystem);   // five flips from unset: the writer's last word stands
        Assert.Equal(final.Metadata.Generation, final.Status.ObservedGeneration);

        // Bounded: one patch per change of the spec and one for the workload, and then quiet.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var patches = _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status");
        Assert.InRange(patches, 6, 7);
        Assert.InRange(_bed.Counters(app).StatusWrites - writesBefore, 6, 7);
        ScenarioReport.Add(output, new ScenarioOutcome("2a interleaved writer",
            "another writer changes the spec before each of 5 status patches", took, $"{patches} status patches for 6 states, 0 conflicts", "nothing (the writer's spec and our status both stand)"));
    }

    [Fact]
    public async Task Conflicts_on_the_status_patch_are_retried_quietly_with_growing_backoff()
    {
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync(PolicyName);
        _bed.Emulator.ClearRequests();
        var rule = _bed.Emulator.Faults.FailRequests("patch", 409, resource: "responsibilitypolicies/status", times: 5);
        var clock = Stopwatch.StartNew();
        _bed.Emulator.Delete<V1Deployment>("prod-a", _bed.Emulator.List<V1Deployment>("prod-a")[0].Metadata.Name);

        await _bed.ConvergedAsync(PolicyName);
        var took = clock.Elapsed;
        await Eventually.True(() => OperatorTestbed.Status(app).Conflicts == 5, "five conflicts counted");
        var attempts = _bed.Emulator.Requests.Where(r => r.Verb == "patch" && r.ResourceWithSubresource == "responsibilitypolicies/status").ToList();
        Assert.Equal(6, attempts.Count);
        Assert.Equal([409, 409, 409, 409, 409, 200], attempts.Select(r => r.StatusCode));
        // The work queue's backoff (50 ms doubling, at most 20 % taken off): 40 + 80 + 160 + 320 + 640 ms at least.
        Assert.True(attempts[^1].Time - attempts[0].Time >= TimeSpan.FromMilliseconds(1240), $"retried within {(attempts[^1].Time - attempts[0].Time).TotalMilliseconds} ms");
        Assert.DoesNotContain(_log.Lines, l => l.Level >= LogLevel.Warning && l.Category.Contains("Controller", StringComparison.Ordinal));
        Assert.Equal(5, rule.Hits);
        ScenarioReport.Add(output, new ScenarioOutcome("2b write conflicts",
            "5 status patches answered 409 Conflict", took, "5 conflicts counted, retried with backoff (≥1.2 s), no error logged", "nothing"));
    }
}
