namespace EksHardening.Operator.Rules.Rbac;

/// <summary>The role a binding grants, resolved: its effective rules, or why they are unknown.</summary>
/// <param name="Rules">Null when the role is unknown (<paramref name="Problem"/> says why): never read as "grants nothing".</param>
public sealed record ResolvedRole(string Kind, string Name, IReadOnlyList<V1PolicyRule>? Rules, string? Problem)
{
    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>What one binding grants one identity: the role's rules, in the binding's namespace or everywhere.</summary>
public sealed record RbacGrant(RbacBinding Binding, Rbacv1Subject Subject, ResolvedRole Role)
{
    /// <summary>The namespace the rules apply in; null: every namespace (a ClusterRoleBinding).</summary>
    public string? Namespace => Binding.Namespace;
}

/// <summary>
/// A cluster's RBAC objects and the kube-system/aws-auth ConfigMap, indexed to answer what a binding grants and what an
/// identity may do. Immutable once built. Semantics follow the API server's RBAC authorizer
/// (plugin/pkg/auth/authorizer/rbac): a ClusterRoleBinding grants a ClusterRole everywhere; a RoleBinding grants a Role of
/// its namespace, or a ClusterRole's rules in its namespace only. An aggregated ClusterRole (aggregationRule) holds
/// the rules of every ClusterRole its selectors select, transitively: the clusterrole-aggregation controller writes that
/// union into its rules, which a manifest may not yet show, so both are read together (a superset, never less).
/// </summary>
public sealed class ClusterRbac
{
    public const string AwsAuthNamespace = "kube-system";
    public const string AwsAuthName = "aws-auth";

    private readonly Dictionary<string, V1ClusterRole> _clusterRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), V1Role> _roles = [];
    private readonly Dictionary<string, List<(RbacBinding Binding, Rbacv1Subject Subject)>> _bindingsBySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<V1PolicyRule>> _effectiveClusterRoleRules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1ClusterRole[]> _clusterRoleSources = new(StringComparer.Ordinal);
    private readonly Lock _resolving = new();
    /// <summary>Grant inputs by service account: the index never changes, and every workload of an account asks for the same.</summary>
    private readonly ConcurrentDictionary<(string Namespace, string Name), object?[]> _grantInputs = new();
    private readonly Func<object, SourceLocation?>? _sourceOf;

    /// <param name="awsAuth">The kube-system/aws-auth ConfigMap, when it exists.</param>
    /// <param name="awsAuthCollected">
    /// Whether the absence of <paramref name="awsAuth"/> is known (the operator watched for it) rather than possible
    /// (a scan whose inputs may just not include it).
    /// </param>
    public ClusterRbac(
        IEnumerable<V1ClusterRole> clusterRoles,
        IEnumerable<V1ClusterRoleBinding> clusterRoleBindings,
        IEnumerable<V1Role> roles,
        IEnumerable<V1RoleBinding> roleBindings,
        V1ConfigMap? awsAuth,
        bool awsAuthCollected,
        Func<object, SourceLocation?>? sourceOf = null)
    {
        foreach (var role in clusterRoles)
        {
            if (role.Metadata?.Name is { Length: > 0 } name) _clusterRoles[name] = role;
        }

        foreach (var role in roles)
        {
            if (role.Metadata?.Name is { Length: > 0 } name) _roles[(ClusterSnapshot.NamespaceOf(role.Metadata), name)] = role;
        }

        var bindings = new List<RbacBinding>();
        bindings.AddRange(clusterRoleBindings.Select(RbacBinding.Of));
        bindings.AddRange(roleBindings.Select(RbacBinding.Of));
        Bindings = bindings;
        foreach (var binding in bindings)
        {
            foreach (var subject in binding.Subjects)
            {
                if (SubjectKey(subject, binding.Namespace) is not { } key) continue;
                (CollectionsMarshal.GetValueRefOrAddDefault(_bindingsBySubject, key, out _) ??= []).Add((binding, subject));
            }
        }

        AwsAuth = awsAuth;
        AwsAuthCollected = awsAuthCollected;
        _sourceOf = sourceOf;
    }

    /// <summary>Every ClusterRoleBinding, then every RoleBinding, in input order.</summary>
    public IReadOnlyList<RbacBinding> Bindings { get; }

    public V1ConfigMap? AwsAuth { get; }

    /// <summary>
    /// Whether the bindings are the cluster's (the operator's informers, or a scan whose inputs hold RBAC objects); false
    /// when only aws-auth was given, so that no binding means "unknown", not "none".
    /// </summary>
    public bool BindingsCollected { get; init; } = true;

    public bool AwsAuthCollected { get; }

    public SourceLocation? SourceOf(object obj) => _sourceOf?.Invoke(obj);

    public V1ClusterRole? FindClusterRole(string name) => _clusterRoles.GetValueOrDefault(name);

    /// <summary>Every ClusterRole: admission resolves an admitted binding against them (aggregation included).</summary>
    public IEnumerable<V1ClusterRole> ClusterRoles => _clusterRoles.Values;

    public V1Role? FindRole(string ns, string name) => _roles.GetValueOrDefault((ns, name));

    /// <summary>The role a binding grants, with its effective rules, or the reason they are unknown.</summary>
    public ResolvedRole Resolve(RbacBinding binding)
    {
        var kind = binding.RoleRef?.Kind ?? "";
        var name = binding.RoleRef?.Name ?? "";
        if (name.Length == 0) return new ResolvedRole(kind, name, null, $"{binding} has no roleRef.name");
        switch (kind)
        {
            case "ClusterRole":
                return _clusterRoles.ContainsKey(name)
                    ? new ResolvedRole(kind, name, EffectiveRules(name), null)
                    : new ResolvedRole(kind, name, null, $"ClusterRole {name}, which {binding} grants, is not known (not among the inputs)");
            case "Role" when binding.Namespace is { } ns:
                return _roles.TryGetValue((ns, name), out var role)
                    ? new ResolvedRole(kind, name, [.. role.Rules ?? []], null)
                    : new ResolvedRole(kind, name, null, $"Role {ns}/{name}, which {binding} grants, is not known (not among the inputs)");
            default:
                // The API server rejects these; an object that still says so grants nothing we can name.
                return new ResolvedRole(kind, name, null, $"{binding} refers to a {(kind.Length == 0 ? "role without a kind" : kind)} {name}, which a {binding.Kind} cannot grant");
        }
    }

    /// <summary>
    /// The rules of a ClusterRole with those it aggregates: the rules of every ClusterRole whose labels one of its
    /// aggregationRule.clusterRoleSelectors selects, transitively, cycles cut.
    /// </summary>
    public IReadOnlyList<V1PolicyRule> EffectiveRules(string clusterRoleName)
    {
        lock (_resolving)
        {
            if (_effectiveClusterRoleRules.TryGetValue(clusterRoleName, out var cached)) return cached;
            var rules = new List<V1PolicyRule>();
            var visited = new HashSet<string>(StringComparer.Ordinal);
            Collect(clusterRoleName, rules, visited);
            _effectiveClusterRoleRules[clusterRoleName] = rules;
            _clusterRoleSources[clusterRoleName] = [.. visited.Select(_clusterRoles.GetValueOrDefault).OfType<V1ClusterRole>()];
            return rules;
        }
    }

    /// <summary>
    /// The objects a service account's grants are made of: each binding that names it (itself, or a group it is in), and
    /// the role object(s) that binding resolves to, aggregated ClusterRoles included (null for one that is absent).
    /// Informers replace an object on every change, so the same objects in the same order mean the same grants.
    /// One array per service account of this index.
    /// </summary>
    public object?[] GrantInputsOf(string ns, string serviceAccount) =>
        _grantInputs.TryGetValue((ns, serviceAccount), out var known) ? known : _grantInputs.GetOrAdd((ns, serviceAccount), CollectGrantInputs);

    private object?[] CollectGrantInputs((string Namespace, string Name) account)
    {
        var (ns, serviceAccount) = account;
        var inputs = new List<object?>();
        foreach (var (binding, _) in BindingsNaming(RbacIdentity.ServiceAccount(ns, serviceAccount)))
        {
            inputs.Add(binding.Object);
            var name = binding.RoleRef?.Name ?? "";
            switch (binding.RoleRef?.Kind)
            {
                case "ClusterRole" when _clusterRoles.ContainsKey(name):
                    EffectiveRules(name);
                    lock (_resolving) inputs.AddRange(_clusterRoleSources[name]);
                    break;
                case "Role" when binding.Namespace is { } roleNamespace:
                    inputs.Add(_roles.GetValueOrDefault((roleNamespace, name)));
                    break;
                default:
                    inputs.Add(null);
                    break;
            }
        }

        return [.. inputs];
    }

    private void Collect(string name, List<V1PolicyRule> rules, HashSet<string> visited)
    {
        if (!visited.Add(name) || !_clusterRoles.TryGetValue(name, out var role)) return;
        rules.AddRange(role.Rules ?? []);
        if (role.AggregationRule?.ClusterRoleSelectors is not { Count: > 0 } selectors) return;
        foreach (var (otherName, other) in _clusterRoles.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            // An empty selector selects every ClusterRole, as metav1.LabelSelectorAsSelector makes it in the aggregation controller.
            if (selectors.Any(s => s is not null && LabelSelectors.Matches(s, other.Metadata?.Labels)))
            {
                Collect(otherName, rules, visited);
            }
        }
    }

    /// <summary>Every grant whose binding names the identity: by user name, by any of its groups, or as its service account.</summary>
    public IEnumerable<RbacGrant> GrantsTo(RbacIdentity identity) =>
        BindingsNaming(identity).Select(b => new RbacGrant(b.Binding, b.Subject, Resolve(b.Binding)));

    /// <summary>Every binding that names the identity, with the subject that does: by user name, by any of its groups, or as its service account.</summary>
    private IEnumerable<(RbacBinding Binding, Rbacv1Subject Subject)> BindingsNaming(RbacIdentity identity)
    {
        foreach (var key in identity.Groups.Select(g => "Group:" + g).Prepend("User:" + identity.UserName))
        {
            if (!_bindingsBySubject.TryGetValue(key, out var named)) continue;
            foreach (var pair in named) yield return pair;
        }
    }

    /// <summary>The index key of a subject: a service account is keyed as the user it authenticates as.</summary>
    private static string? SubjectKey(Rbacv1Subject subject, string? bindingNamespace) => subject.Kind switch
    {
        "User" => "User:" + subject.Name,
        "Group" => "Group:" + subject.Name,
        "ServiceAccount" => (string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace : subject.NamespaceProperty) is { Length: > 0 } ns
            ? $"User:system:serviceaccount:{ns}:{subject.Name}"
            : null,
        _ => null,
    };
}
