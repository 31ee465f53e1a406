using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>Failing findings of one rule under one policy.</summary>
public readonly record struct RuleViolations(ResponsibilityRow Row, string Rule, Severity Severity, int Count);

/// <summary>Failing findings under one policy of the objects in one namespace (the Namespace object's own included).</summary>
public readonly record struct NamespaceViolations(string Namespace, int Count);

/// <summary>
/// The violations of each policy's latest evaluation, counted by rule (the <c>eks_hardening_violations</c> gauge) and
/// by namespace (<c>eks_hardening_namespace_violations</c>). Each evaluation replaces the policy's counts, so a rule
/// no longer violated and a deleted policy leave no series. The counts by rule add up to the status's
/// <c>totalViolations</c>; those by namespace leave out the findings of cluster-scoped objects and the cluster's own.
/// </summary>
public sealed class ViolationCounts
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<RuleViolations>> _byPolicy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<NamespaceViolations>> _byNamespace = new(StringComparer.Ordinal);

    public void Record(string policy, PolicyEvaluation evaluation)
    {
        // Plain loops: an evaluation of a large cluster holds tens of thousands of findings, nearly all passes.
        var byRule = new Dictionary<RuleDefinition, int>();
        var byNamespace = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var resource in evaluation.Resources)
        {
            var failed = 0;
            for (var i = 0; i < resource.Findings.Count; i++) failed += CountFail(resource.Findings[i]);
            if (failed > 0 && NamespaceOf(resource.Resource) is { } name) CollectionsMarshal.GetValueRefOrAddDefault(byNamespace, name, out _) += failed;
        }

        foreach (var finding in evaluation.ClusterFindings) CountFail(finding);
        _byPolicy[policy] = [.. byRule.Select(p => new RuleViolations(p.Key.Row, p.Key.Id, p.Key.Severity, p.Value))];
        _byNamespace[policy] = [.. byNamespace.Select(p => new NamespaceViolations(p.Key, p.Value))];

        int CountFail(Finding finding)
        {
            if (finding.Result != FindingResult.Fail) return 0;
            CollectionsMarshal.GetValueRefOrAddDefault(byRule, finding.Rule, out _)++;
            return 1;
        }
    }

    /// <summary>The policy is gone or was not evaluated (an invalid spec): it has no violations to report.</summary>
    public void Forget(string policy)
    {
        _byPolicy.TryRemove(policy, out _);
        _byNamespace.TryRemove(policy, out _);
    }

    public IEnumerable<(string Policy, NamespaceViolations Violations)> AllByNamespace() =>
        _byNamespace.SelectMany(p => p.Value.Select(v => (p.Key, v)));

    /// <summary>A namespaced object's namespace; a Namespace object's findings count in the namespace it is.</summary>
    private static string? NamespaceOf(ResourceRef resource) =>
        resource.Namespace ?? (resource is { Kind: "Namespace", ApiVersion: "v1" } ? resource.Name : null);

    public IEnumerable<(string Policy, RuleViolations Violations)> All() =>
        _byPolicy.SelectMany(p => p.Value.Select(v => (p.Key, v)));

    public IReadOnlyList<RuleViolations> Of(string policy) => _byPolicy.GetValueOrDefault(policy) ?? [];
}
