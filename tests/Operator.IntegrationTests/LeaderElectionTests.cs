namespace EksHardening.Operator.IntegrationTests;

public sealed class LeaderElectionTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Two_instances_exactly_one_writes_and_stopping_the_leader_hands_over_within_the_lease()
    {
        const int leaseSeconds = 3;
        var a = await _bed.StartOperatorAsync("replica-a", leaderElection: true, leaseDuration: $"{leaseSeconds}s");
        var b = await _bed.StartOperatorAsync("replica-b", leaderElection: true, leaseDuration: $"{leaseSeconds}s");
        await _bed.ConvergedAsync("production");
        await Eventually.True(() => OperatorTestbed.Controller(a).IsLeader || OperatorTestbed.Controller(b).IsLeader, "someone leads");

        var (leader, follower) = OperatorTestbed.Controller(a).IsLeader ? (a, b) : (b, a);
        Assert.False(OperatorTestbed.Controller(follower).IsLeader);
        await Eventually.True(() => _bed.Counters(leader).StatusWrites > 0, "the leader counted its write");
        Assert.Equal(0, _bed.Counters(follower).StatusWrites);
        Assert.Equal(0, _bed.Counters(follower).UnchangedReconciles);
        var lease = _bed.Emulator.Get<V1Lease>("default", "eks-hardening-operator")!;
        Assert.Equal(OperatorTestbed.Controller(leader) == OperatorTestbed.Controller(a) ? "replica-a" : "replica-b", lease.Spec.HolderIdentity);

        var stopped = Stopwatch.StartNew();
        await _bed.StopOperatorAsync(leader);
        var stopTime = stopped.Elapsed;
        await Eventually.True(() => OperatorTestbed.Controller(follower).IsLeader, "the follower takes over", TimeSpan.FromSeconds(leaseSeconds * 3));
        var handover = stopped.Elapsed;
        Assert.True(handover <= TimeSpan.FromSeconds(leaseSeconds), $"handover took {handover.TotalSeconds:F1}s (stopping the leader {stopTime.TotalSeconds:F1}s), lease is {leaseSeconds}s");

        // The new leader keeps status converging.
        var victim = _bed.Emulator.List<V1Deployment>("prod-a")[0];
        Assert.True(_bed.Emulator.Delete<V1Deployment>("prod-a", victim.Metadata.Name));
        await _bed.ConvergedAsync("production");
        // The emulator applies the patch before the writer counts its answer: wait for the count, not just the status.
        await Eventually.True(() => _bed.Counters(follower).StatusWrites > 0, "the new leader wrote the status");
    }
}
