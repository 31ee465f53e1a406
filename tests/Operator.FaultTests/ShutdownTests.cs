namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 6: SIGTERM to the real process while it works through a backlog on a slow API. It must finish the
/// reconciles in flight and start no new one, release the lease, exit 0 within the grace period, and leave every
/// policy's status either unwritten or whole — never half-written. The next replica takes over at once and
/// finishes what was left.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Policies = 20;
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);   // Kubernetes' default terminationGracePeriodSeconds
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        _bed.Emulator.SeedMany(MixedWorkloads.Namespaces());
        _bed.Emulator.SeedMany(MixedWorkloads.Workloads());
        for (var i = 0; i < Policies; i++)
        {
            await _bed.CreatePolicyAsync(MixedWorkloads.Policy.Replace("name: production", $"name: policy-{i:00}", StringComparison.Ordinal));
        }
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private OperatorProcess StartReplica(string identity) => OperatorProcess.Start(
        ["run", "--kubeconfig", _bed.KubeconfigPath, "--identity", identity, "--leader-elect", "true", "--lease-namespace", "default",
         "--lease-duration", "15s", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0", "--aws", "false", "--workers", "2"],
        new Dictionary<string, string?>());

    private List<ResponsibilityPolicy> Written() =>
        [.. Enumerable.Range(0, Policies).Select(i => _bed.Policy($"policy-{i:00}")!).Where(p => p.Status?.Summary is not null)];

    [Fact]
    public async Task Sigterm_mid_backlog_finishes_in_flight_work_releases_the_lease_and_leaves_no_half_written_status()
    {
        _bed.Emulator.Faults.Latency = TimeSpan.FromMilliseconds(300);
        await using var first = StartReplica("replica-a");
        await Eventually.True(() => Written().Count >= 3, "a few policies have status", TimeSpan.FromSeconds(90));

        var terminated = DateTimeOffset.UtcNow;
        var (exitCode, took) = await first.TerminateAsync(GracePeriod);
        var written = Written();
        Assert.Equal(0, exitCode);
        Assert.True(written.Count < Policies, "SIGTERM came mid-backlog");
        Assert.Contains(first.Output, l => l.Contains("released the lease", StringComparison.Ordinal));
        Assert.DoesNotContain(first.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal));
        Assert.Equal("", _bed.Emulator.Get<V1Lease>("default", "eks-hardening-operator")!.Spec.HolderIdentity);

        // No new work after SIGTERM: a status patch that landed later was already on its way (two workers, 300 ms each way).
        var late = _bed.Emulator.Requests.Count(r => r.Verb == "patch" && r.ResourceWithSubresource == "responsibilitypolicies/status" && r.Time > terminated + TimeSpan.FromSeconds(1));
        Assert.True(late <= 2, $"{late} status patches landed more than a second after SIGTERM");
        // Whole or absent: every written status is exactly what the rule engine computes for its policy.
        foreach (var policy in written)
        {
            Assert.False(ComplianceStatus.ContentDiffers(policy.Status, _bed.Expected(policy.Metadata.Name)), $"{policy.Metadata.Name} has a partial or wrong status");
            Assert.Equal(policy.Metadata.Generation, policy.Status.ObservedGeneration);
        }

        // The next replica takes the released lease at once and finishes the rest.
        _bed.Emulator.Faults.Latency = TimeSpan.Zero;
        await using var second = StartReplica("replica-b");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var i in Enumerable.Range(0, Policies)) await _bed.ConvergedAsync($"policy-{i:00}", TimeSpan.FromSeconds(60));
        ScenarioReport.Add(output, new ScenarioOutcome("6 SIGTERM",
            $"SIGTERM with {Policies - written.Count} of {Policies} policies still queued, API 300 ms slow", clock.Elapsed,
            $"exit 0 after {took.TotalSeconds:0.0} s (grace {GracePeriod.TotalSeconds:0} s), lease released, {late} patch(es) in flight finished; the next replica converged the rest",
            "nothing; no half-written status"));
    }
}
