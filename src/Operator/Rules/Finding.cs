namespace EksHardening.Operator.Rules;

/// <summary>The result of one rule on one resource.</summary>
/// <param name="Path">JSON path of the offending field, e.g. <c>spec.template.spec.containers[0].image</c>.</param>
/// <param name="Image">The container image the finding concerns, when it concerns one (exemptions by image use it).</param>
/// <param name="Exemption">Name of the exemption that turned a fail into exempt.</param>
public sealed record Finding(
    RuleDefinition Rule,
    FindingResult Result,
    string Message,
    string? Path = null,
    string? Image = null,
    string? Exemption = null)
{
    /// <summary>
    /// The verdict rests on a label whose value a controller sets when it creates the pod (a template judged before its
    /// pods exist): running pods, whose labels are known, decide it instead.
    /// </summary>
    public bool RestsOnRunTimeLabels { get; init; }
}
