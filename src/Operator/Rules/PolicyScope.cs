namespace EksHardening.Operator.Rules;

/// <summary>A policy's <c>match</c>: which namespaces and kinds it covers.</summary>
/// <remarks>
/// A namespace selector is decided on the namespace's labels. When the inputs may lack Namespace objects (the scan:
/// <see cref="ClusterSnapshot.NamespacesMayBeMissing"/>) and one is missing, only its <c>kubernetes.io/metadata.name</c>
/// label is known: the selector is then decided on that label where it can be (a requirement on it that fails
/// excludes the namespace whatever the other labels), and otherwise the namespace is undecided and counts as
/// selected, so that a scan never passes by not looking. The operator's informer knows every namespace, so there a
/// namespace without an object does not exist and is decided on its name label alone, as before.
/// </remarks>
public sealed class PolicyScope
{
    private readonly PolicyMatch? _match;
    private readonly HashSet<string>? _kinds;
    private readonly HashSet<string> _excluded;
    /// <summary>Selector decisions per namespace; a scope lives for one evaluation of one snapshot.</summary>
    private readonly Dictionary<string, bool> _namespaceDecisions = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _undecided = new(StringComparer.Ordinal);

    public PolicyScope(PolicyMatch? match)
    {
        _match = match;
        _kinds = match?.Kinds is { Count: > 0 } kinds ? new HashSet<string>(kinds, StringComparer.OrdinalIgnoreCase) : null;
        _excluded = new HashSet<string>(match?.ExcludeNamespaces ?? [], StringComparer.Ordinal);
    }

    /// <summary>Namespaces counted as selected because their labels were unknown, sorted.</summary>
    public IReadOnlyCollection<string> UndecidedNamespaces => _undecided;

    /// <summary>Kinds default to every supported workload kind.</summary>
    public bool IncludesKind(string kind) => _kinds is null ? WorkloadView.SupportedKinds.Contains(kind) : _kinds.Contains(kind);

    public bool IncludesNamespace(string ns, ClusterSnapshot snapshot)
    {
        if (_excluded.Contains(ns)) return false;
        if (_match?.NamespaceSelector is not { } selector) return true;
        if (!_namespaceDecisions.TryGetValue(ns, out var included))
        {
            _namespaceDecisions[ns] = included = Decide(ns, selector, snapshot);
        }

        return included;
    }

    private bool Decide(string ns, V1LabelSelector selector, ClusterSnapshot snapshot)
    {
        var labels = snapshot.NamespaceLabels(ns);
        if (!snapshot.NamespacesMayBeMissing || snapshot.FindNamespace(ns) is not null) return LabelSelectors.Matches(selector, labels);

        // Only the name label is known: requirements on it decide "not selected"; any other requirement leaves it open.
        var onName = new V1LabelSelector
        {
            MatchLabels = selector.MatchLabels?.Where(l => l.Key == NameLabel).ToDictionary(l => l.Key, l => l.Value),
            MatchExpressions = selector.MatchExpressions?.Where(r => r.Key == NameLabel).ToList(),
        };
        if (!LabelSelectors.Matches(onName, labels)) return false;
        var onOtherLabels = selector.MatchLabels?.Any(l => l.Key != NameLabel) == true
                            || selector.MatchExpressions?.Any(r => r.Key != NameLabel) == true;
        if (onOtherLabels) _undecided.Add(ns);
        return true;
    }

    private const string NameLabel = ClusterSnapshot.NamespaceNameLabel;
}
