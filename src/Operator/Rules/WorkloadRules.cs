using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>Workload hygiene: resource limits, read-only root filesystem, namespace PSA label.</summary>
public sealed class WorkloadRules : IRuleFamily
{
    public IReadOnlyList<RuleDefinition> Rules { get; } = [];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) => [];
}
