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
        var counts = evaluation.AllFindings
            .Where(f => f.Result == FindingResult.Fail)
            .GroupBy(f => f.Rule)
            .Select(g => new RuleViolations(g.Key.Row, g.Key.Id, g.Key.Severity, g.Count()))
            .ToList();
        _byPolicy[policy] = counts;
    }

    /// <summary>The policy is gone or was not evaluated (an invalid spec): it has no violations to report.</summary>
    public void Forget(string policy) => _byPolicy.TryRemove(policy, out _);

    public IEnumerable<(string Policy, RuleViolations Violations)> All() =>
        _byPolicy.SelectMany(p => p.Value.Select(v => (p.Key, v)));

    public IReadOnlyList<RuleViolations> Of(string policy) => _byPolicy.GetValueOrDefault(policy) ?? [];
}
