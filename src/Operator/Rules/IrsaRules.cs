using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>Workload identity: dedicated service accounts, token automount, shared IAM roles (<c>irsa.*</c>).</summary>
public sealed class IrsaRules : IRuleFamily
{
    public IReadOnlyList<RuleDefinition> Rules { get; } = [];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) => [];
}
