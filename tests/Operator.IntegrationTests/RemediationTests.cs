namespace EksHardening.Operator.IntegrationTests;

/// <summary>Enforce-mode remediation against the emulator: what it creates, keeps, leaves alone and removes.</summary>
public sealed class RemediationTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    private const string EnforcePolicy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: enforce}
        spec:
          mode: Enforce
          match: {namespaceSelector: {matchLabels: {team: shop}}}
          networkPolicies: {requireDefaultDeny: [Ingress], blockInstanceMetadata: true, remediate: true}
          podSecurity: {level: restricted, requireNamespaceLabel: true}
        """;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        _bed.Emulator.SeedMany(
        [
            new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["team"] = "shop" } } },
            new V1Namespace { Metadata = new V1ObjectMeta { Name = "legacy", Labels = new Dictionary<string, string> { ["team"] = "shop", ["pod-security.kubernetes.io/enforce"] = "privileged" } } },
            new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } },
            // A team's own policy that happens to use the operator's name: never to be touched.
            new V1NetworkPolicy
            {
                Metadata = new V1ObjectMeta { Name = RemediationPlanner.ImdsPolicyName, NamespaceProperty = "legacy" },
                Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "x" } }, PolicyTypes = ["Ingress"] },
            },
        ]);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private List<V1NetworkPolicy> Managed(string ns) =>
        _bed.Emulator.List<V1NetworkPolicy>(ns).Where(p => p.Metadata.Labels?.ContainsKey(RemediationPlanner.ManagedByLabel) == true).ToList();

    [Fact]
    public async Task Enforce_creates_owned_policies_and_labels_keeps_them_and_deleting_the_policy_removes_them()
    {
        await _bed.CreatePolicyAsync(EnforcePolicy);
        var userPolicy = _bed.Emulator.Get<V1NetworkPolicy>("legacy", RemediationPlanner.ImdsPolicyName)!;
        await _bed.StartOperatorAsync();

        await Eventually.True(() => Managed("shop").Count == 2, "default-deny-ingress and the IMDS policy in shop");
        var shop = Managed("shop").OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["eks-hardening-block-instance-metadata", "eks-hardening-default-deny-ingress"], shop.Select(p => p.Metadata.Name));
        var policyUid = _bed.Policy("enforce")!.Metadata.Uid;
        Assert.All(shop, p => Assert.Equal(policyUid, Assert.Single(p.Metadata.OwnerReferences).Uid));
        await Eventually.True(() => _bed.Emulator.Get<V1Namespace>("shop")!.Metadata.Labels.TryGetValue("pod-security.kubernetes.io/enforce", out var v) && v == "restricted", "shop labelled");

        // legacy: its own IMDS-named policy and its weaker label are left exactly as they were.
        await Eventually.True(() => Managed("legacy").Count == 1, "default-deny-ingress in legacy");
        Assert.Equal(userPolicy.Metadata.ResourceVersion, _bed.Emulator.Get<V1NetworkPolicy>("legacy", RemediationPlanner.ImdsPolicyName)!.Metadata.ResourceVersion);
        Assert.Equal("privileged", _bed.Emulator.Get<V1Namespace>("legacy")!.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Empty(_bed.Emulator.List<V1NetworkPolicy>("other"));

        // Status lists what stands and what was skipped, and settles.
        await Eventually.True(() => _bed.Policy("enforce")?.Status?.Remediations?.Count(r => r.State == RemediationState.Skipped) == 2, "skips reported");
        var remediations = _bed.Policy("enforce")!.Status.Remediations!;
        Assert.Contains(remediations, r => r is { Kind: "Namespace", Name: "shop", Action: RemediationAction.Label, State: RemediationState.Applied });
        Assert.Contains(remediations, r => r is { Kind: "Namespace", Name: "legacy", State: RemediationState.Skipped });
        Assert.Contains(remediations, r => r is { Kind: "NetworkPolicy", Namespace: "legacy", Name: RemediationPlanner.ImdsPolicyName, State: RemediationState.Skipped });

        // Someone deletes a managed policy: it comes back.
        Assert.True(_bed.Emulator.Delete<V1NetworkPolicy>("shop", "eks-hardening-default-deny-ingress"));
        await Eventually.True(() => _bed.Emulator.Get<V1NetworkPolicy>("shop", "eks-hardening-default-deny-ingress") is not null, "recreated");

        // Deleting the ResponsibilityPolicy removes what it created (ownerReference garbage collection), and only that.
        await _bed.Client.CustomObjects.DeleteClusterCustomObjectAsync(ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "enforce");
        await Eventually.True(() => Managed("shop").Count == 0 && Managed("legacy").Count == 0, "managed policies gone");
        Assert.NotNull(_bed.Emulator.Get<V1NetworkPolicy>("legacy", RemediationPlanner.ImdsPolicyName));
    }

    [Fact]
    public async Task With_egress_denied_by_default_no_IMDS_policy_is_needed_and_leaving_Enforce_removes_what_it_made()
    {
        await _bed.CreatePolicyAsync(EnforcePolicy.Replace("requireDefaultDeny: [Ingress]", "requireDefaultDeny: [Ingress, Egress]", StringComparison.Ordinal));
        await _bed.StartOperatorAsync();
        await Eventually.True(() => Managed("shop").Count == 2, "two default-deny policies");
        Assert.DoesNotContain(Managed("shop"), p => p.Metadata.Name == RemediationPlanner.ImdsPolicyName);

        await _bed.Client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch("{\"spec\":{\"mode\":\"Audit\"}}", V1Patch.PatchType.MergePatch),
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "enforce");
        await Eventually.True(() => Managed("shop").Count == 0, "Audit mode keeps nothing it made");
    }

    [Fact]
    public async Task DryRun_records_the_plan_in_status_and_changes_nothing()
    {
        await _bed.CreatePolicyAsync(EnforcePolicy.Replace("mode: Enforce", "mode: Enforce\n  dryRun: true", StringComparison.Ordinal));
        await _bed.StartOperatorAsync();
        await Eventually.True(() => _bed.Policy("enforce")?.Status?.Remediations?.Any(r => r.State == RemediationState.Planned) == true, "planned remediations in status");
        var planned = _bed.Policy("enforce")!.Status.Remediations!.Where(r => r.State == RemediationState.Planned).ToList();
        Assert.Contains(planned, r => r is { Kind: "NetworkPolicy", Namespace: "shop", Name: "eks-hardening-default-deny-ingress", Action: RemediationAction.Create });
        Assert.Contains(planned, r => r is { Kind: "Namespace", Name: "shop", Action: RemediationAction.Label });
        Assert.Empty(Managed("shop"));
        Assert.False(_bed.Emulator.Get<V1Namespace>("shop")!.Metadata.Labels.ContainsKey("pod-security.kubernetes.io/enforce"));
    }
}
