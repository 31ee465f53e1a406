using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>Image provenance: allowed registries, no latest tag, digest pinning (<c>image.*</c>).</summary>
public sealed class ImageRules : IRuleFamily
{
    public IReadOnlyList<RuleDefinition> Rules { get; } = [];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) => [];
}
