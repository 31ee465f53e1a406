namespace EksHardening.Operator.Rules;

/// <summary>
/// What an IAM role's identity-based policies allow when read together: the role's inline and attached managed
/// policies, Allow minus unconditional Deny, with Action/NotAction expanded against <see cref="IamActionCatalog"/>
/// (plus any action a policy names literally) and Resource/NotResource matched as ARN patterns.
/// </summary>
/// <remarks>
/// An upper bound, on purpose: it answers "may this role be able to …", never "is it certainly denied". So:
/// <list type="bullet">
/// <item>An Allow counts with or without a Condition (the grant exists; whether the condition holds is not known here). The
/// grants report their conditions, so a verdict can say "only under conditions on …".</item>
/// <item>A Deny is subtracted only when it has no Condition, and only for what it certainly covers
/// (<see cref="ArnPatternReading.Narrow"/>); a conditional Deny is listed as ignored.</item>
/// <item>Not considered: service control and resource control policies, permissions boundaries, session policies and
/// resource-based policies. The first three can only take permissions away, so leaving them out can only make the result
/// larger; resource-based policies can add access the role's own policies do not grant (same account), which this
/// evaluator does not see.</item>
/// <item>Resources are the ARNs of the role's partition; "every resource" means every such ARN, so <c>*</c>,
/// <c>arn:*</c>, <c>arn:aws:*</c>, <c>arn:aws:*:*:*:*</c> and the like all count as every resource.</item>
/// </list>
/// </remarks>
public sealed class IamEffectivePermissions
{
    private readonly List<CompiledStatement> _statements = [];
    private readonly IamActionCatalog _catalog;
    private readonly List<string> _extraActions = [];
    private readonly List<string> _problems = [];

    public IamEffectivePermissions(IEnumerable<IamPolicySource> policies, IamRoleContext role, IamActionCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        Role = role ?? throw new ArgumentNullException(nameof(role));
        _catalog = catalog ?? IamActionCatalog.Default;

        var sources = policies.ToList();
        // Actions named literally that the list does not know still count (a new action, a typo that IAM accepted).
        var extras = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var statement in sources.SelectMany(s => s.Document.Statements))
        {
            foreach (var action in statement.Actions ?? statement.NotActions ?? [])
            {
                var trimmed = action.Trim();
                if (!IamPatterns.HasWildcard(trimmed) && trimmed.Contains(':', StringComparison.Ordinal) && _catalog.IndexOf(trimmed) < 0 && extras.Add(trimmed)) _extraActions.Add(trimmed);
            }
        }

        foreach (var source in sources)
        {
            foreach (var statement in source.Document.Statements) Compile(source, statement);
        }
    }

    public IamRoleContext Role { get; }

    /// <summary>Statements IAM would have refused in an identity policy; the evaluation went on without trusting them to deny.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Every ARN of the role's partition (six colon-separated parts, the last of which may hold more colons).</summary>
    public IamResourceScope EveryResource => new($"arn:{Role.Partition}:*:*:*:*", "every resource");

    public IamResourceScope RolesOfAccount => new($"arn:{Role.Partition}:iam::{Role.Account}:role/*", $"roles of account {Role.Account}");

    public IamResourceScope UsersOfAccount => new($"arn:{Role.Partition}:iam::{Role.Account}:user/*", $"users of account {Role.Account}");

    public IamResourceScope GroupsOfAccount => new($"arn:{Role.Partition}:iam::{Role.Account}:group/*", $"groups of account {Role.Account}");

    public IamResourceScope PoliciesOfAccount => new($"arn:{Role.Partition}:iam::{Role.Account}:policy/*", $"customer managed policies of account {Role.Account}");

    /// <summary>Whether the role may call <paramref name="action"/> on the resource <paramref name="resource"/> (an ARN).</summary>
    public IamAccess Check(string action, string resource)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(resource);
        var grants = new List<IamGrant>();
        foreach (var statement in _statements.Where(s => s.CoversAction(action) && s.AppliesTo(resource)))
        {
            if (!statement.IsAllow && statement.Subtracts) return new IamAccess([], IgnoredDenies(action), statement.Grant);
            if (statement.IsAllow) grants.Add(statement.Grant);
        }

        return new IamAccess(grants, IgnoredDenies(action));
    }

    /// <summary>Whether the role may call <paramref name="action"/> on at least one resource of <paramref name="scope"/>, and by which statements.</summary>
    public IamAccess CheckSome(string action, IamResourceScope scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(scope);
        var inScope = ArnClause.One([ArnPattern.Compile(scope.Pattern, ArnPatternReading.Broad)]);
        var outside = ArnClause.None([.. scope.Except.Select(e => ArnPattern.Compile(e, ArnPatternReading.Broad))]);
        var denies = _statements.Where(s => !s.IsAllow && s.Subtracts && s.CoversAction(action)).Select(s => s.Excludes).ToList();
        var grants = new List<IamGrant>();
        foreach (var allow in _statements.Where(s => s.IsAllow && s.CoversAction(action)))
        {
            // Unknown (search budget spent) counts as reachable: the upper bound.
            if (ArnSearch.Exists([inScope, outside, allow.Includes, .. denies]) != false) grants.Add(allow.Grant);
        }

        return new IamAccess(grants, IgnoredDenies(action));
    }

    /// <summary>Whether the role may call <paramref name="action"/> on every resource of <paramref name="scope"/>, and by which statements.</summary>
    /// <param name="subtractDenies">False: whether the Allows alone reach every resource of the scope (a wildcard grant), whatever a Deny carves out of it.</param>
    public IamAccess CheckEvery(string action, IamResourceScope scope, bool subtractDenies = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(scope);
        var statements = _statements.Where(s => s.CoversAction(action) && (s.IsAllow || (s.Subtracts && subtractDenies))).ToList();
        var universe = ArnPattern.Compile(scope.Pattern, ArnPatternReading.Broad);
        var classes = new List<ActionClass> { new(action, statements) };
        if (!Covers(classes, universe, _ => true)) return new IamAccess([], IgnoredDenies(action));
        return new IamAccess(Minimal(classes, universe), IgnoredDenies(action));
    }

    /// <summary>
    /// Whether the role is administrator or admin-equivalent: it may call every action on every resource, or it may
    /// rewrite its own permissions — <c>iam:PutRolePolicy</c> or <c>iam:AttachRolePolicy</c> on its own ARN, or
    /// <c>iam:CreatePolicyVersion</c> (which can set the new version as default) on a customer managed policy attached to
    /// it — and so grant itself every action with one call. Null when neither holds.
    /// </summary>
    public IamAdminVerdict? FindAdministratorAccess()
    {
        var everything = ArnPattern.Compile(EveryResource.Pattern, ArnPatternReading.Broad);
        var everyAction = Enumerable.Range(0, _catalog.Count + _extraActions.Count).ToList();
        var allActions = ClassesOf(everyAction);
        if (Covers(allActions, everything, _ => true))
        {
            return new IamAdminVerdict(IamAdminKind.AllActions, "every action on every resource", Minimal(allActions, everything), IgnoredDenies(everyAction));
        }

        var ownPolicies = Role.AttachedPolicyArns.Where(arn => arn.StartsWith($"arn:{Role.Partition}:iam::{Role.Account}:policy/", StringComparison.Ordinal));
        var selfWrites = SelfWriteActions.Select(action => (Means: $"{action} on the role itself", Access: Check(action, Role.Arn)))
            .Concat(ownPolicies.Select(arn => (Means: $"iam:CreatePolicyVersion on its own attached policy {arn}", Access: Check("iam:CreatePolicyVersion", arn))))
            .Where(w => w.Access.Allowed)
            .OrderBy(w => w.Access.OnlyUnderConditions)
            .ToList();
        if (selfWrites.Count == 0) return null;
        var (means, access) = selfWrites[0];
        return new IamAdminVerdict(IamAdminKind.WritesItsOwnPermissions, means, [.. access.Grants.Where(g => access.OnlyUnderConditions || !g.IsConditional)], access.IgnoredDenies);
    }

    /// <summary>Writes to a role's own policies that grant it anything at once.</summary>
    private static readonly string[] SelfWriteActions = ["iam:PutRolePolicy", "iam:AttachRolePolicy"];

    private string ActionName(int index) => index < _catalog.Count ? _catalog[index] : _extraActions[index - _catalog.Count];

    private void Compile(IamPolicySource source, IamStatement statement)
    {
        var grant = new IamGrant(source.Name, statement);
        var patterns = statement.Resources ?? statement.NotResources;
        if (patterns is null)
        {
            _problems.Add($"{grant.Label} has neither Resource nor NotResource, which IAM does not accept in an identity policy");
            // An Allow is read as broadly as it could be meant; such a Deny is not trusted to deny.
            if (!statement.IsAllow) return;
            patterns = ["*"];
        }

        var notResource = statement.NotResources is not null;
        // The reading that grants more: see ArnPattern.
        var reading = statement.IsAllow != notResource ? ArnPatternReading.Broad : ArnPatternReading.Narrow;
        var resources = patterns.Select(p => ArnPattern.Compile(p.Trim(), reading)).ToList();

        var universe = _catalog.Count + _extraActions.Count;
        var actions = new BitArray(universe);
        var listed = statement.Actions ?? statement.NotActions!;
        foreach (var pattern in listed.Select(p => p.Trim())) _catalog.Mark(pattern, actions);
        for (var i = 0; i < _extraActions.Count; i++)
        {
            if (listed.Any(p => IamPatterns.Matches(p.Trim(), _extraActions[i], ignoreCase: true))) actions[_catalog.Count + i] = true;
        }

        if (statement.NotActions is not null) actions.Not();
        _statements.Add(new CompiledStatement(grant, statement.IsAllow, actions, resources, notResource));
    }

    /// <summary>Actions that no statement tells apart share one class: one resource question answers them all.</summary>
    private List<ActionClass> ClassesOf(IEnumerable<int> actions)
    {
        var classes = new Dictionary<string, ActionClass>(StringComparer.Ordinal);
        var key = new System.Text.StringBuilder();
        foreach (var action in actions)
        {
            key.Clear();
            for (var s = 0; s < _statements.Count; s++)
            {
                if (_statements[s].Actions[action] && (_statements[s].IsAllow || _statements[s].Subtracts)) key.Append(s).Append(',');
            }

            var text = key.ToString();
            if (classes.TryGetValue(text, out var known)) known.Extra++;
            else classes[text] = new ActionClass(ActionName(action), [.. _statements.Where(s => s.Actions[action] && (s.IsAllow || s.Subtracts))]);
        }

        // The class nothing allows settles the question fastest.
        return [.. classes.Values.OrderBy(c => c.Statements.Count(s => s.IsAllow))];
    }

    /// <summary>Every action of every class is allowed on every resource of <paramref name="universe"/> by the enabled Allows, and no Deny takes any away.</summary>
    private static bool Covers(List<ActionClass> classes, ArnPattern universe, Func<CompiledStatement, bool> enabled)
    {
        var inUniverse = ArnClause.One([universe]);
        foreach (var actionClass in classes)
        {
            var allows = actionClass.Statements.Where(s => s.IsAllow && enabled(s)).ToList();
            if (allows.Count == 0) return false;
            // A resource that no Allow reaches? (Unknown counts as none: the upper bound.)
            if (ArnSearch.Exists([inUniverse, .. allows.Select(a => a.Excludes)]) == true) return false;
            foreach (var deny in actionClass.Statements.Where(s => !s.IsAllow))
            {
                if (ArnSearch.Exists([inUniverse, deny.Includes]) == true) return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A smallest set of Allow statements that still covers (no statement of it can be left out): unconditional and
    /// broad statements are kept in preference, so that a condition is reported only when the grant needs it.
    /// </summary>
    private List<IamGrant> Minimal(List<ActionClass> classes, ArnPattern universe)
    {
        var used = classes.SelectMany(c => c.Statements.Where(s => s.IsAllow)).Distinct().ToList();
        var breadth = used.ToDictionary(s => s, s => classes.Where(c => c.Statements.Contains(s)).Sum(c => c.Extra + 1));
        var enabled = used.ToHashSet();
        foreach (var statement in used.OrderByDescending(s => s.Grant.IsConditional).ThenBy(s => breadth[s]))
        {
            enabled.Remove(statement);
            if (!Covers(classes, universe, enabled.Contains)) enabled.Add(statement);
        }

        return [.. _statements.Where(enabled.Contains).Select(s => s.Grant)];
    }

    private List<IamGrant> IgnoredDenies(string action) =>
        [.. _statements.Where(s => !s.IsAllow && !s.Subtracts && s.CoversAction(action)).Select(s => s.Grant)];

    /// <summary>Conditional Deny statements that name any of <paramref name="actions"/>: not subtracted, but worth saying.</summary>
    private List<IamGrant> IgnoredDenies(IEnumerable<int> actions)
    {
        var set = new BitArray(_catalog.Count + _extraActions.Count);
        foreach (var action in actions) set[action] = true;
        return [.. _statements.Where(s => !s.IsAllow && !s.Subtracts && new BitArray(s.Actions).And(set).HasAnySet()).Select(s => s.Grant)];
    }

    /// <summary>A statement ready for evaluation: its actions over the catalog, its resources in the reading that grants more.</summary>
    private sealed class CompiledStatement(IamGrant grant, bool isAllow, BitArray actions, IReadOnlyList<ArnPattern> resources, bool notResource)
    {
        public IamGrant Grant { get; } = grant;
        public bool IsAllow { get; } = isAllow;
        public BitArray Actions { get; } = actions;

        /// <summary>A Deny takes permissions away only when nothing conditions it.</summary>
        public bool Subtracts => !IsAllow && !Grant.IsConditional;

        /// <summary>The resource is one the statement applies to.</summary>
        public ArnClause Includes { get; } = notResource ? ArnClause.None(resources) : ArnClause.One(resources);

        /// <summary>The resource is one the statement does not apply to.</summary>
        public ArnClause Excludes { get; } = notResource ? ArnClause.One(resources) : ArnClause.None(resources);

        public bool CoversAction(string action) => Grant.Statement.Covers(action);

        public bool AppliesTo(string resource) => resources.Any(p => p.Matches(resource)) != notResource;
    }

    /// <summary>Actions the statements treat alike; <see cref="Representative"/> names one of them.</summary>
    private sealed class ActionClass(string representative, IReadOnlyList<CompiledStatement> statements)
    {
        public string Representative { get; } = representative;
        public IReadOnlyList<CompiledStatement> Statements { get; } = statements;
        public int Extra { get; set; }
    }
}

/// <summary>A policy document of the role, and how messages name it (<c>inline policy app</c>, <c>managed policy ReadOnly</c>).</summary>
public sealed record IamPolicySource(string Name, IamPolicyDocument Document);

/// <summary>The role whose policies are evaluated: its partition and account bound "every resource" and "the account's IAM".</summary>
public sealed record IamRoleContext(string Arn, string Partition, string Account)
{
    /// <summary>The managed policies attached to the role: a new version of one of its own is a change to the role's permissions.</summary>
    public IReadOnlyList<string> AttachedPolicyArns { get; init; } = [];
}

/// <summary>A set of resources: an ARN pattern, and how messages name it.</summary>
/// <param name="Except">Resources left out (literal ARNs): the role itself, where reaching it gains nothing.</param>
public sealed record IamResourceScope(string Pattern, string Description, IReadOnlyList<string> Except)
{
    public IamResourceScope(string pattern, string description) : this(pattern, description, []) { }
}

/// <summary>One statement of one of the role's policies.</summary>
public sealed record IamGrant(string Policy, IamStatement Statement)
{
    /// <summary><c>inline policy app Statement[1] (Sid "Admin")</c>.</summary>
    public string Label => $"{Policy} {Statement.Label}";

    public bool IsConditional => Statement.Conditions.Count > 0;

    /// <summary>The condition operators and keys, as written: <c>StringEquals aws:RequestedRegion</c>.</summary>
    public IReadOnlyList<string> ConditionKeys => [.. Statement.Conditions.Select(c => $"{c.Operator} {c.Key}").Distinct()];

    /// <summary>The statement's resources as written: <c>arn:aws:iam::1:role/app-*</c>, or <c>NotResource arn:…</c>.</summary>
    public string Resources => Statement.Resources is { } resources ? string.Join(", ", resources)
        : Statement.NotResources is { } excluded ? "NotResource " + string.Join(", ", excluded) : "*";

    /// <summary>For messages: the label, and the conditions when there are any.</summary>
    public string Description => IsConditional ? $"{Label} (if {string.Join(", ", ConditionKeys)})" : Label;
}

/// <summary>The answer to "may the role …": the Allow statements that grant it (none: no), Deny statements not trusted to deny.</summary>
/// <param name="DeniedBy">The unconditional Deny that refuses a concrete request, when one does.</param>
public sealed record IamAccess(IReadOnlyList<IamGrant> Grants, IReadOnlyList<IamGrant> IgnoredDenies, IamGrant? DeniedBy = null)
{
    public bool Allowed => Grants.Count > 0;

    /// <summary>Allowed, but every granting statement has a Condition.</summary>
    public bool OnlyUnderConditions => Allowed && Grants.All(g => g.IsConditional);
}

/// <summary>How a role reaches administrator access.</summary>
public enum IamAdminKind
{
    /// <summary>Every action on every resource.</summary>
    AllActions,
    /// <summary>It may rewrite its own policies, and so grant itself every action with one call.</summary>
    WritesItsOwnPermissions,
}

/// <summary>A role found to be administrator or admin-equivalent, with the statements that grant it.</summary>
/// <param name="Means">How: <c>every action on every resource</c>, <c>iam:PutRolePolicy on the role itself</c>.</param>
/// <param name="Grants">For all actions, a smallest set of statements that still grants them; otherwise the statements granting the self-write.</param>
public sealed record IamAdminVerdict(IamAdminKind Kind, string Means, IReadOnlyList<IamGrant> Grants, IReadOnlyList<IamGrant> IgnoredDenies)
{
    /// <summary>Some of the statements it needs have conditions: admin only when they hold (still admin, and reported).</summary>
    public bool UnderConditions => Grants.Any(g => g.IsConditional);
}
