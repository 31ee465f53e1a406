using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Gathers the findings of one resource. Families report failures and errors; every enabled rule
/// that reported nothing and was not declared not-applicable becomes a pass.
/// </summary>
public sealed class FindingCollector
{
    /// <summary>Pass findings carry nothing resource-specific, so one instance per rule serves every resource.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RuleDefinition, Finding> Passes = [];

    private readonly List<Finding> _findings = [];
    private HashSet<RuleDefinition>? _notApplicable;

    public IReadOnlyList<Finding> Findings => _findings;

    public void Fail(RuleDefinition rule, string message, string? path = null, string? image = null) =>
        _findings.Add(new Finding(rule, FindingResult.Fail, message, path, image));

    /// <summary>A fail that only running pods can confirm or clear: it rests on a label whose value is set at run time.</summary>
    public void FailUntilRunTime(RuleDefinition rule, string message, string? path = null) =>
        _findings.Add(new Finding(rule, FindingResult.Fail, message, path) { RestsOnRunTimeLabels = true });

    /// <summary>The fact the rule needs could not be learned: never a pass.</summary>
    public void Error(RuleDefinition rule, string message, string? path = null, string? image = null) =>
        _findings.Add(new Finding(rule, FindingResult.Error, message, path, image));

    /// <summary>An error that only running pods can confirm or clear (see <see cref="FailUntilRunTime"/>).</summary>
    public void ErrorUntilRunTime(RuleDefinition rule, string message, string? path = null) =>
        _findings.Add(new Finding(rule, FindingResult.Error, message, path) { RestsOnRunTimeLabels = true });

    /// <summary>The rule does not concern this resource (e.g. no IAM role to share): no pass, no fail.</summary>
    public void NotApplicable(RuleDefinition rule) => (_notApplicable ??= []).Add(rule);

    /// <summary>Adds a pass for each rule that produced nothing; returns the findings in rule order.</summary>
    internal List<Finding> Complete(IReadOnlyList<RuleDefinition> enabledRules)
    {
        var result = new List<Finding>(Math.Max(enabledRules.Count, _findings.Count));
        foreach (var rule in enabledRules)
        {
            var any = false;
            foreach (var finding in _findings)
            {
                if (ReferenceEquals(finding.Rule, rule))
                {
                    result.Add(finding);
                    any = true;
                }
            }

            if (!any && _notApplicable?.Contains(rule) != true)
            {
                result.Add(Passes.GetValue(rule, static r => new Finding(r, FindingResult.Pass, "ok")));
            }
        }

        return result;
    }
}
