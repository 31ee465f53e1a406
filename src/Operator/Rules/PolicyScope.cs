using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>A policy's <c>match</c>: which namespaces and kinds it covers.</summary>
public sealed class PolicyScope
{
    private readonly PolicyMatch? _match;
    private readonly HashSet<string>? _kinds;
    private readonly HashSet<string> _excluded;
    /// <summary>Selector decisions per namespace; a scope lives for one evaluation of one snapshot.</summary>
    private readonly Dictionary<string, bool> _namespaceDecisions = new(StringComparer.Ordinal);

    public PolicyScope(PolicyMatch? match)
    {
        _match = match;
        _kinds = match?.Kinds is { Count: > 0 } kinds ? new HashSet<string>(kinds, StringComparer.OrdinalIgnoreCase) : null;
        _excluded = new HashSet<string>(match?.ExcludeNamespaces ?? [], StringComparer.Ordinal);
    }

    /// <summary>Kinds default to every supported workload kind.</summary>
    public bool IncludesKind(string kind) => _kinds is null ? WorkloadView.SupportedKinds.Contains(kind) : _kinds.Contains(kind);

    public bool IncludesNamespace(string ns, ClusterSnapshot snapshot)
    {
        if (_excluded.Contains(ns)) return false;
        if (_match?.NamespaceSelector is not { } selector) return true;
        if (!_namespaceDecisions.TryGetValue(ns, out var included))
        {
            _namespaceDecisions[ns] = included = LabelSelectors.Matches(selector, snapshot.NamespaceLabels(ns));
        }

        return included;
    }
}
