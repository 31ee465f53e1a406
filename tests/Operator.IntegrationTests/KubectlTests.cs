namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The real <c>kubectl get rpol</c> against the emulator after the operator has reconciled: the columns users read
/// come from the CRD's printer columns over the status the operator wrote. kubectl comes from
/// <c>EKS_HARDENING_KUBECTL</c>, <c>.tools/helm</c> or PATH (.ci/run installs it with helm and sets <c>REQUIRE_KUBECTL=1</c>).
/// </summary>
[Trait("Category", "Slow")]
public sealed class KubectlTests(ITestOutputHelper output) : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync() => _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [SkippableFact]
    public async Task Kubectl_get_rpol_shows_the_reconciled_status_in_the_crd_columns()
    {
        var kubectl = Kubectl.Find();
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var status = _bed.Policy("production")!.Status;

        var lines = await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol");
        Assert.Equal(["NAME", "MODE", "RESOURCES", "VIOLATING", "COMPLIANT", "LAST", "EVALUATED", "AGE"], Words(lines[0]));
        var row = Words(Assert.Single(lines, l => l.StartsWith("production ", StringComparison.Ordinal)));
        Assert.Equal(["production", "Audit", status.Summary!.Resources.ToString(System.Globalization.CultureInfo.InvariantCulture),
            status.Summary.Violating.ToString(System.Globalization.CultureInfo.InvariantCulture), "False"], row[..5]);
        Assert.Matches("^[0-9]+s$", row[5]);

        var wide = await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol", "-o", "wide");
        Assert.Equal(["NAME", "MODE", "RESOURCES", "VIOLATING", "COMPLIANT", "READY", "REASON", "LAST", "EVALUATED", "AGE"], Words(wide[0]));
        var ready = status.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal([ready.Status, ready.Reason], Words(Assert.Single(wide, l => l.StartsWith("production ", StringComparison.Ordinal)))[5..7]);
    }

    [SkippableFact]
    public async Task The_readme_sample_has_the_columns_kubectl_prints()
    {
        var kubectl = Kubectl.Find();
        await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        var printed = await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol", "-o", "wide");
        foreach (var line in printed) output.WriteLine(line);
        var header = (await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol"))[0];

        var readme = await File.ReadAllLinesAsync(RepositoryPaths.Of("README.md"));
        Assert.Contains(readme, line => Words(line).SequenceEqual(Words(header)));
    }

    [SkippableFact]
    public async Task Kubectl_describes_an_invalid_policy_by_its_ready_reason()
    {
        var kubectl = Kubectl.Find();
        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: broken}
            spec:
              podSecurity: {level: baseline}
            """);
        await _bed.Client.CustomObjects.PatchClusterCustomObjectAsync(
            new V1Patch("{\"spec\":{\"match\":{\"namespaceSelector\":{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"In\"}]}}}}", V1Patch.PatchType.MergePatch),
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "broken");
        await _bed.StartOperatorAsync();
        await Eventually.True(() => _bed.Policy("broken")?.Status?.Conditions?.Any(c => c.Reason == "InvalidSpec") == true, "broken policy marked InvalidSpec");

        var wide = await Kubectl.RunAsync(kubectl, _bed.KubeconfigPath, "get", "rpol", "broken", "-o", "wide");
        var row = Words(wide[1]);
        var reason = Array.IndexOf(row, "InvalidSpec");
        Assert.True(reason > 0, $"no InvalidSpec reason in: {wide[1]}");
        Assert.Equal("False", row[reason - 1]);
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
