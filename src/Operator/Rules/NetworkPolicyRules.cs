using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>Network isolation: default-deny per namespace, pod coverage and IMDS blocking (<c>network.*</c>).</summary>
public sealed class NetworkPolicyRules : IRuleFamily
{
    public IReadOnlyList<RuleDefinition> Rules { get; } = [];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) => [];
}
