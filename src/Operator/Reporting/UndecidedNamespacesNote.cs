using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The note every scan output format carries when a policy's namespace selector met namespaces whose labels were
/// unknown: which namespaces, how many resources were evaluated as selected for that reason, and how to decide it.
/// </summary>
internal static class UndecidedNamespacesNote
{
    /// <summary>SARIF notification id of the note.</summary>
    public const string Id = "namespace-labels-unknown";

    /// <summary>The note for one policy, or null when every namespace match was decided.</summary>
    public static string? For(PolicyEvaluation policy)
    {
        if (policy.UndecidedNamespaces.Count == 0) return null;
        var namespaces = policy.UndecidedNamespaces;
        var count = policy.UndecidedResources;
        var example = namespaces[0];
        return $"{count} {(count == 1 ? "resource" : "resources")} in {(namespaces.Count == 1 ? "namespace" : "namespaces")} {string.Join(", ", namespaces)} "
            + $"{(count == 1 ? "was" : "were")} evaluated as selected by policy {policy.PolicyName}: spec.match.namespaceSelector needs namespace labels, "
            + $"and the inputs hold no Namespace object for {(namespaces.Count == 1 ? "it" : "them")}. "
            + $"Decide it with the namespaces' real labels, --namespace-labels {example}=KEY=VALUE[,KEY=VALUE...] ({example}= for none), "
            + "or by adding the Namespace manifests to the -f inputs.";
    }
}
