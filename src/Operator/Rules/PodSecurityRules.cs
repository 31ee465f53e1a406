using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>The Pod Security Standards (baseline and restricted, latest version) as <c>pss.*</c> rules.</summary>
public sealed class PodSecurityRules : IRuleFamily
{
    public IReadOnlyList<RuleDefinition> Rules { get; } = [];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) => [];
}
