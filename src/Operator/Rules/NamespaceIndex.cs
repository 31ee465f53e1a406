namespace EksHardening.Operator.Rules;

/// <summary>
/// Namespaces, NetworkPolicies by namespace and ServiceAccounts, indexed for the rules, with what is derived from them
/// on first use (namespace labels, the namespaces sharing an IAM role). Immutable once built: the operator hands one
/// to every snapshot until one of those objects changes, so an evaluation does not rebuild it for a workload's change.
/// </summary>
public sealed class NamespaceIndex
{
    private static readonly IReadOnlyList<V1NetworkPolicy> NoPolicies = [];

    private readonly Dictionary<string, V1Namespace> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceLocation> _namespaceSources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<V1NetworkPolicy>> _networkPoliciesByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), V1ServiceAccount> _serviceAccounts = [];
    private readonly Dictionary<string, SortedSet<string>> _roleNamespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IDictionary<string, string>> _namespaceLabels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _roleNamespaceTexts = new(StringComparer.Ordinal);

    public NamespaceIndex(
        IEnumerable<V1Namespace>? namespaces,
        IEnumerable<V1NetworkPolicy>? networkPolicies,
        IEnumerable<V1ServiceAccount>? serviceAccounts,
        Func<object, SourceLocation?>? sourceOf = null)
    {
        foreach (var ns in namespaces ?? [])
        {
            if (ns.Metadata?.Name is not { Length: > 0 } name) continue;
            _namespaces[name] = ns;
            if (sourceOf?.Invoke(ns) is { } source) _namespaceSources[name] = source;
        }

        foreach (var policy in networkPolicies ?? [])
        {
            var ns = ClusterSnapshot.NamespaceOf(policy.Metadata);
            if (!_networkPoliciesByNamespace.TryGetValue(ns, out var list)) _networkPoliciesByNamespace[ns] = list = [];
            list.Add(policy);
        }

        foreach (var account in serviceAccounts ?? [])
        {
            var ns = ClusterSnapshot.NamespaceOf(account.Metadata);
            _serviceAccounts[(ns, account.Metadata?.Name ?? "")] = account;
            if (ClusterSnapshot.RoleArnOf(account) is { } role)
            {
                if (!_roleNamespaces.TryGetValue(role, out var set)) _roleNamespaces[role] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(ns);
            }
        }
    }

    public IEnumerable<V1Namespace> Namespaces => _namespaces.Values;

    public SourceLocation? SourceOfNamespace(string name) => _namespaceSources.GetValueOrDefault(name);

    public V1Namespace? FindNamespace(string name) => _namespaces.GetValueOrDefault(name);

    public IReadOnlyList<V1NetworkPolicy> NetworkPoliciesIn(string ns) =>
        _networkPoliciesByNamespace.TryGetValue(ns, out var list) ? list : NoPolicies;

    public V1ServiceAccount? FindServiceAccount(string ns, string name) => _serviceAccounts.GetValueOrDefault((ns, name));

    /// <summary>Namespaces whose ServiceAccounts carry <paramref name="roleArn"/>, sorted.</summary>
    public IReadOnlySet<string> NamespacesUsingRole(string roleArn) =>
        _roleNamespaces.TryGetValue(roleArn, out var set) ? set : new SortedSet<string>();

    /// <summary><see cref="NamespacesUsingRole"/> as one comma-separated string, made once per role.</summary>
    internal string NamespacesUsingRoleText(string roleArn) =>
        _roleNamespaceTexts.GetOrAdd(roleArn, static (role, index) => string.Join(',', index.NamespacesUsingRole(role)), this);

    /// <summary>Labels of a namespace, including the <c>kubernetes.io/metadata.name</c> label the API server sets.</summary>
    public IDictionary<string, string> NamespaceLabels(string ns) =>
        _namespaceLabels.TryGetValue(ns, out var labels) ? labels : _namespaceLabels.GetOrAdd(ns, static (name, index) => index.BuildNamespaceLabels(name), this);

    private Dictionary<string, string> BuildNamespaceLabels(string ns)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (FindNamespace(ns)?.Metadata?.Labels is { } own)
        {
            foreach (var (k, v) in own) labels[k] = v;
        }

        labels[ClusterSnapshot.NamespaceNameLabel] = ns;
        return labels;
    }
}
