namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 4: AWS misbehaves. The operator (a real process with IRSA credentials) starts while the faults hold, so
/// it has never learned the facts: every finding that needs them must be <c>error</c> with the reason in
/// AwsReachable, never a pass. Once the faults end the status must become what the rule engine computes from the
/// emulator's objects and the AWS facts learned afresh, although the policy's evaluationInterval is ten minutes.
/// </summary>
/// <remarks>The trait is inherited by every scenario class.</remarks>
[Trait("Category", "Slow")]
public abstract class AwsFaultScenario(ITestOutputHelper output) : IAsyncLifetime
{
    private protected AwsWorld World { get; private set; } = null!;
    protected ITestOutputHelper Output { get; } = output;

    public virtual async Task InitializeAsync() => World = await AwsWorld.StartAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();

    protected ResponsibilityPolicyStatus? Status => World.Bed.Policy(AwsWorld.PolicyName)?.Status;

    protected V1ConditionView? AwsReachable => Status?.Conditions?.Where(c => c.Type == ComplianceStatus.AwsReachable)
        .Select(c => new V1ConditionView(c.Status, c.Message ?? "")).FirstOrDefault();

    protected sealed record V1ConditionView(string Status, string Message);

    /// <summary>
    /// Starts the operator while <paramref name="faults"/> hold; waits for AwsReachable=False naming every one of
    /// <paramref name="reasons"/>, then watches the status for a while (<paramref name="wrongness"/> says what must never
    /// be seen: a pass for what could not be learned); ends the faults; returns how long until the status is right.
    /// </summary>
    protected async Task<TimeSpan> ErrorsWhileTheFaultsLastThenRecoveryAsync(IReadOnlyList<AwsFaultRule> faults,
        Func<ResponsibilityPolicyStatus, string?> wrongness, params string[] reasons)
    {
        await using var process = World.StartOperator();
        await Eventually.True(() => AwsReachable is { Status: "False" } reachable && reasons.All(r => reachable.Message.Contains(r, StringComparison.Ordinal)),
            $"AwsReachable=False naming {string.Join(", ", reasons)} (now: {AwsReachable?.Message})", TimeSpan.FromSeconds(120));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            if (Status is { } status && wrongness(status) is { } wrong) Assert.Fail($"while AWS failed the status said: {wrong}");
            await Task.Delay(100);
        }

        foreach (var fault in faults) World.Aws.Faults.Remove(fault);
        return await RecoversAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The faults are gone: how long until the status equals the rule engine's with facts learned now.</summary>
    protected async Task<TimeSpan> RecoversAsync(TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        var facts = await World.FactsAsync();
        Assert.DoesNotContain(facts.Images.Values, i => i.Scan is null);
        await World.Bed.ConvergedAsync(AwsWorld.PolicyName, bound, facts);
        Assert.Equal("True", AwsReachable?.Status);
        return clock.Elapsed;
    }

    protected string StubFailures() =>
        string.Join(", ", World.Aws.Requests.Where(r => !r.Succeeded).GroupBy(r => $"{r.Service}:{r.Operation} {r.ErrorCode ?? r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
            .Select(g => $"{g.Count()} {g.Key}"));
}
