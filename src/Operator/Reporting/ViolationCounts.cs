using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>Failing findings of one rule under one policy.</summary>
public readonly record struct RuleViolations(ResponsibilityRow Row, string Rule, Severity Severity, int Count);

/// <summary>
/// The violations of each policy's latest evaluation, counted by rule (the <c>eks_hardening_violations</c> gauge).
/// Each evaluation replaces the policy's counts, so a rule no longer violated and a deleted policy leave no series.
/// The counts add up to the status's <c>totalViolations</c>.
/// </summary>
public sealed class ViolationCounts
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<RuleViolations>> _byPolicy = new(StringComparer.Ordinal);

    public void Record(string policy, PolicyEvaluation evaluation)
    {
        // Plain loops: an evaluation of a large cluster holds tens of thousands of findings, nearly all passes.
        var byRule = new Dictionary<RuleDefinition, int>();
        foreach (var resource in evaluation.Resources)
        {
            for (var i = 0; i < resource.Findings.Count; i++) CountFail(resource.Findings[i]);
        }

        foreach (var finding in evaluation.ClusterFindings) CountFail(finding);
        _byPolicy[policy] = [.. byRule.Select(p => new RuleViolations(p.Key.Row, p.Key.Id, p.Key.Severity, p.Value))];

        void CountFail(Finding finding)
        {
            if (finding.Result == FindingResult.Fail) CollectionsMarshal.GetValueRefOrAddDefault(byRule, finding.Rule, out _)++;
        }
    }

    /// <summary>The policy is gone or was not evaluated (an invalid spec): it has no violations to report.</summary>
    public void Forget(string policy) => _byPolicy.TryRemove(policy, out _);

    public IEnumerable<(string Policy, RuleViolations Violations)> All() =>
        _byPolicy.SelectMany(p => p.Value.Select(v => (p.Key, v)));

    public IReadOnlyList<RuleViolations> Of(string policy) => _byPolicy.GetValueOrDefault(policy) ?? [];
}
