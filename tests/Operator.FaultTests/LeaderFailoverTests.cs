namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 3: the leader is killed (its host cancelled) halfway through remediating thirty namespaces on a slow API;
/// the other replica takes over and finishes, no remediation object exists twice, and the two never write at once.
/// Each replica calls with its own token, so the emulator's request log tells their writes apart.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LeaderFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PolicyName = "enforce";
    private const int Namespaces = 30;   // three remediations each: 90, within the 100 that status lists
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        for (var i = 0; i < Namespaces; i++)
        {
            var ns = $"team-{i:00}";
            _bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["tier"] = "enforced" } } });
            _bed.Emulator.Seed(new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = ns },
                Spec = new V1DeploymentSpec
                {
                    Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                        Spec = MixedWorkloads.PodSpec(compliant: i % 2 == 0, i),
                    },
                },
            });
        }

        await _bed.CreatePolicyAsync($"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {"{"}name: {PolicyName}{"}"}
            spec:
              mode: Enforce
              match: {"{"}namespaceSelector: {"{"}matchLabels: {"{"}tier: enforced{"}"}{"}"}{"}"}
              networkPolicies: {"{"}requireDefaultDeny: [Ingress], blockInstanceMetadata: true, remediate: true{"}"}
              podSecurity: {"{"}level: restricted, requireNamespaceLabel: true{"}"}
            """);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    /// <summary>A kubeconfig like the testbed's whose token names the replica.</summary>
    private string KubeconfigFor(string replica)
    {
        var path = Path.Combine(Path.GetDirectoryName(_bed.KubeconfigPath)!, $"kubeconfig-{replica}");
        File.WriteAllText(path, File.ReadAllText(_bed.KubeconfigPath).Replace("token: test-token", $"token: {replica}", StringComparison.Ordinal));
        return path;
    }

    private static bool IsRemediationWrite(ApiEmulator.Diagnostics.RecordedRequest r) =>
        r.StatusCode is >= 200 and < 300 && ((r.Verb == "create" && r.Resource == "networkpolicies") || (r.Verb == "patch" && r.Resource == "namespaces"));

    private static bool IsWrite(ApiEmulator.Diagnostics.RecordedRequest r) =>
        r.Verb is "create" or "update" or "patch" or "delete" && r.Resource is not "leases" && r.StatusCode is >= 200 and < 300;

    [Fact]
    public async Task Killing_the_leader_mid_remediation_hands_over_without_duplicates_or_overlapping_writes()
    {
        _bed.Emulator.Faults.Latency = TimeSpan.FromMilliseconds(50);
        var a = await _bed.StartOperatorAsync("replica-a", leaderElection: true, leaseDuration: "3s", "--kubeconfig", KubeconfigFor("replica-a"));
        await Eventually.True(() => OperatorTestbed.Controller(a).IsLeader, "replica-a leads");
        var b = await _bed.StartOperatorAsync("replica-b", leaderElection: true, leaseDuration: "3s", "--kubeconfig", KubeconfigFor("replica-b"));

        // Halfway through the leader's first pass (three writes per namespace), cancel its host.
        await Eventually.True(() => _bed.Emulator.Requests.Count(r => r.User == "replica-a" && IsRemediationWrite(r)) >= Namespaces, "replica-a has remediated about a third", TimeSpan.FromSeconds(60));
        using (var kill = new CancellationTokenSource())
        {
            await kill.CancelAsync();
            await a.StopAsync(kill.Token);
        }

        var clock = Stopwatch.StartNew();
        var byA = _bed.Emulator.Requests.Count(r => r.User == "replica-a" && IsRemediationWrite(r));
        Assert.InRange(byA, Namespaces, 3 * Namespaces - 1);   // killed mid-reconcile

        await Eventually.True(() => OperatorTestbed.Controller(b).IsLeader, "replica-b takes over", TimeSpan.FromSeconds(15));
        var why = "";
        try
        {
            await Eventually.True(() => Converged(out why), "replica-b finishes", TimeSpan.FromSeconds(60));
        }
        catch (Xunit.Sdk.FailException)
        {
            Assert.Fail($"replica-b did not finish: {why}");
        }

        var took = clock.Elapsed;

        // Exactly the objects the policy calls for, each once, all owned by the policy.
        var managed = _bed.Emulator.List<V1NetworkPolicy>().Where(p => p.Metadata.Labels?.ContainsKey(RemediationPlanner.ManagedByLabel) == true).ToList();
        Assert.Equal(2 * Namespaces, managed.Count);
        Assert.All(managed.GroupBy(p => p.Metadata.NamespaceProperty), g => Assert.Equal(["eks-hardening-block-instance-metadata", "eks-hardening-default-deny-ingress"], g.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal)));
        Assert.All(_bed.Emulator.List<V1Namespace>().Where(n => n.Metadata.Name.StartsWith("team-", StringComparison.Ordinal)),
            n => Assert.Equal("restricted", n.Metadata.Labels["pod-security.kubernetes.io/enforce"]));

        // Never two writers at once: everything replica-a wrote came before anything replica-b wrote.
        var writes = _bed.Emulator.Requests.Where(IsWrite).ToList();
        var lastByA = writes.Where(r => r.User == "replica-a").Max(r => r.Time);
        var firstByB = writes.Where(r => r.User == "replica-b").Min(r => r.Time);
        Assert.True(lastByA < firstByB, $"replica-a wrote until {lastByA:HH:mm:ss.fff}, replica-b from {firstByB:HH:mm:ss.fff}");
        var retried = _bed.Emulator.Requests.Count(r => r.User == "replica-b" && r.Resource == "networkpolicies" && r.StatusCode == 409);
        ScenarioReport.Add(output, new ScenarioOutcome("3 leader failover",
            $"leader's host cancelled after {byA} of {3 * Namespaces} remediation writes, API 50 ms slow", took,
            $"replica-b re-planned the rest ({retried} creates found the object already there)", "nothing; no duplicate, no overlapping writes"));
    }

    /// <summary>The status as the rule engine computes it, with every remediation standing and nothing skipped or pending.</summary>
    private bool Converged(out string why)
    {
        var policy = _bed.Policy(PolicyName);
        if (policy?.Status?.Summary is null)
        {
            why = "no status";
            return false;
        }

        var written = KubernetesJson.Deserialize<ResponsibilityPolicyStatus>(KubernetesJson.Serialize(policy.Status));
        var remediations = written.Remediations ?? [];
        written.Remediations = null;
        var expected = _bed.Expected(PolicyName);
        if (ComplianceStatus.ContentDiffers(written, expected))
        {
            why = $"status {KubernetesJson.Serialize(written.Summary)} differs from the rule engine's {KubernetesJson.Serialize(expected.Summary)}";
            return false;
        }

        var pending = remediations.Where(r => r.State != RemediationState.Applied).Take(3).Select(r => $"{r.Kind} {r.Namespace}/{r.Name} {r.State}: {r.Message}");
        why = $"{remediations.Count} remediations; not applied: {string.Join("; ", pending)}";
        return remediations.Count == 3 * Namespaces && remediations.All(r => r.State == RemediationState.Applied);
    }
}
