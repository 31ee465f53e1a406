namespace EksHardening.Operator.Rules;

/// <summary>
/// Pure analysis of IAM policy documents behind <c>irsa.trust-policy-scoped</c>, <c>irsa.no-wildcard-actions</c>
/// and the denied-managed-policy part of <c>irsa.no-admin-policies</c>, statement by statement. What a role's policies
/// allow together is <see cref="IamEffectivePermissions"/>'s question.
/// </summary>
/// <remarks>
/// What counts, so that a reader can predict every verdict:
/// <list type="bullet">
/// <item>Only <c>Allow</c> statements are judged. A <c>Deny</c> is never credited with narrowing an Allow: each
/// Allow must be scoped on its own.</item>
/// <item>Conditions are ANDed across operators and keys and ORed across the values of one key, as IAM does;
/// only plain positive operators scope (<c>StringEquals</c> for claims and accounts; also <c>StringLike</c>,
/// <c>ArnEquals</c>, <c>ArnLike</c> for source ARNs). A <c>ForAnyValue:</c>/<c>ForAllValues:</c> prefix or an
/// <c>IfExists</c> suffix loosens a test (a missing key passes), so such a condition scopes nothing; negated
/// operators only narrow and are ignored. Condition keys compare case-insensitively, values case-sensitively.</item>
/// <item>Wildcard principals (<c>"*"</c>, <c>{"AWS": "*"}</c>) fail even with conditions: a trust policy names
/// who it trusts. <c>NotPrincipal</c> with Allow fails.</item>
/// </list>
/// </remarks>
public static partial class IamPolicyAnalysis
{
    public const string WebIdentityAction = "sts:AssumeRoleWithWebIdentity";
    public const string AssumeRoleAction = "sts:AssumeRole";
    public const string SamlAction = "sts:AssumeRoleWithSAML";
    public const string TagSessionAction = "sts:TagSession";
    public const string StsAudience = "sts.amazonaws.com";
    public const string PodIdentityService = "pods.eks.amazonaws.com";

    private static readonly string[] SourceArnOperators = ["StringEquals", "StringLike", "ArnEquals", "ArnLike"];

    // ---------------------------------------------------------------- IRSA

    /// <summary>
    /// Whether a role's trust policy lets exactly one service account, <paramref name="ns"/>/<paramref name="serviceAccount"/>,
    /// assume it through the cluster's OIDC provider (IRSA).
    /// </summary>
    /// <param name="oidcIssuer">The cluster's issuer URL (<c>https://oidc.eks.REGION.amazonaws.com/id/ID</c>); null when the
    /// cluster is unknown: any EKS OIDC provider is then accepted, and a note says so.</param>
    /// <remarks>
    /// Every Allow statement that lets a web identity assume the role (its Action matches
    /// <c>sts:AssumeRoleWithWebIdentity</c>, wildcards included, or its NotAction does not exclude it) must trust only the
    /// cluster's OIDC provider and require, with <c>StringEquals</c>, <c>&lt;provider&gt;:sub</c> =
    /// <c>system:serviceaccount:NS:SA</c> and <c>&lt;provider&gt;:aud</c> = <c>sts.amazonaws.com</c>. A list of several
    /// subjects fails even when this service account is among them (the role is shared), and so does a statement for
    /// another service account only: the role is then not this workload's alone. Statements letting AWS principals
    /// assume the role fail when they trust a whole account other than the role's own (the account of the trusted EKS
    /// OIDC provider) or an AWS service; EKS Pod Identity is accepted when scoped (see <see cref="CheckPodIdentityTrust(IamPolicyDocument, string?, string)"/>).
    /// When no statement admits this service account at all, the role is not usable by IRSA for it: that fails too.
    /// </remarks>
    public static TrustPolicyVerdict CheckIrsaTrust(string trustPolicyJson, string? oidcIssuer, string ns, string serviceAccount)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        var policy = IamPolicyDocument.TryParse(trustPolicyJson, out var problem);
        return policy is null ? TrustPolicyVerdict.Unreadable(problem!) : CheckIrsaTrust(policy, oidcIssuer, ns, serviceAccount);
    }

    /// <inheritdoc cref="CheckIrsaTrust(string, string?, string, string)"/>
    public static TrustPolicyVerdict CheckIrsaTrust(IamPolicyDocument policy, string? oidcIssuer, string ns, string serviceAccount)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        var issuer = oidcIssuer is null ? null : IssuerHostPath(oidcIssuer);
        var subject = $"system:serviceaccount:{ns}:{serviceAccount}";
        var problems = new List<string>();
        var notes = new List<string>();

        // The OIDC provider lives in the role's own account, so its ARN tells which account is "own".
        var ownAccounts = policy.Statements
            .SelectMany(s => s.Principal?.Federated ?? [])
            .Select(OidcProvider.Parse)
            .Where(p => p.IsEks && p.Account is not null && (issuer is null || p.HostPath.Equals(issuer, StringComparison.OrdinalIgnoreCase)))
            .Select(p => p.Account!)
            .ToHashSet(StringComparer.Ordinal);
        var ownAccount = ownAccounts.Count == 1 ? ownAccounts.First() : null;

        var usable = false;
        foreach (var statement in policy.Statements.Where(s => s.IsAllow))
        {
            if (ReportBroadPrincipal(statement, problems) || statement.Principal is not { } principal) continue;

            if (statement.Covers(WebIdentityAction))
            {
                foreach (var federated in principal.Federated)
                {
                    usable |= CheckIrsaProvider(statement, OidcProvider.Parse(federated), issuer, subject, problems, notes);
                }
            }
            if (statement.Covers(AssumeRoleAction))
            {
                foreach (var aws in principal.Aws) CheckAwsPrincipal(statement, aws, ownAccounts, problems, notes);
                foreach (var service in principal.Service)
                {
                    if (IsPodIdentityService(service))
                    {
                        CheckPodIdentityStatement(statement, clusterArn: null, ownAccount, problems, notes);
                        notes.Add($"{statement.Label} also lets EKS Pod Identity assume the role");
                    }
                    else
                    {
                        problems.Add($"{statement.Label} lets the AWS service {service} assume the role, so the role is not scoped to one service account");
                    }
                }
            }
        }

        if (!usable)
        {
            var through = issuer is null ? "an EKS OIDC provider" : $"the cluster's OIDC provider {issuer}";
            problems.Add($"no statement lets {subject} assume the role through {through} ({WebIdentityAction}), so IRSA cannot use this role for that service account");
        }
        return TrustPolicyVerdict.From(problems, notes);
    }

    /// <returns>Whether the statement admits <paramref name="subject"/> through a provider accepted for this cluster.</returns>
    private static bool CheckIrsaProvider(IamStatement statement, OidcProvider provider, string? issuer, string subject, List<string> problems, List<string> notes)
    {
        var label = statement.Label;
        if (!provider.IsEks)
        {
            problems.Add($"{label} lets web identities from {provider.Written} assume the role; that is not an EKS cluster's OIDC provider");
            return false;
        }
        if (issuer is null)
        {
            notes.Add($"{label} trusts the EKS OIDC provider {provider.HostPath}; the cluster's issuer is unknown, so it was not checked to be this cluster's");
        }
        else if (!provider.HostPath.Equals(issuer, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{label} trusts the OIDC provider {provider.HostPath}, not this cluster's ({issuer}), so service accounts of another cluster can assume the role");
            return false;
        }

        var admits = CheckExactClaim(statement, provider.HostPath, "sub", subject,
            missing: "every service account in the cluster can assume the role",
            shared: "the role is shared with other service accounts",
            problems);
        CheckExactClaim(statement, provider.HostPath, "aud", StsAudience,
            missing: "tokens issued for any audience are accepted",
            shared: "tokens for other audiences are accepted too",
            problems);
        return admits;
    }

    /// <summary>
    /// Requires a plain <c>StringEquals</c> on <c>&lt;provider&gt;:&lt;claim&gt;</c> whose allowed values (intersected
    /// across conditions, as IAM ANDs them) are exactly <paramref name="expected"/>.
    /// </summary>
    /// <returns>Whether a token carrying <paramref name="expected"/> passes the claim's conditions.</returns>
    private static bool CheckExactClaim(IamStatement statement, string provider, string claim, string expected, string missing, string shared, List<string> problems)
    {
        var key = provider + ":" + claim;
        var label = statement.Label;
        var conditions = statement.ConditionsOn(key).ToList();
        var exact = conditions.Where(c => c.IsPlain("StringEquals")).ToList();

        if (exact.Count == 0)
        {
            var loose = conditions.FirstOrDefault(c => !IsNegated(c.BaseOperator));
            if (loose is null)
            {
                var misnamed = statement.Conditions.FirstOrDefault(c => c.Key.EndsWith(":" + claim, StringComparison.OrdinalIgnoreCase));
                var hint = misnamed is null ? "" : $" (the condition on \"{misnamed.Key}\" does not apply: the key must be \"{key}\")";
                problems.Add($"{label} has no StringEquals condition on \"{key}\", so {missing}{hint}");
                return true;
            }
            problems.Add($"{label} tests \"{key}\" with {loose.Operator} {Quote(loose.Values)} instead of StringEquals \"{expected}\"; {Loosening(loose)}");
            var like = loose.BaseOperator.EndsWith("Like", StringComparison.OrdinalIgnoreCase);
            return loose.Values.Any(v => like ? IamPatterns.Matches(v, expected, ignoreCase: false) : v.Equals(expected, StringComparison.OrdinalIgnoreCase));
        }

        var allowed = new HashSet<string>(exact[0].Values, StringComparer.Ordinal);
        foreach (var condition in exact.Skip(1)) allowed.IntersectWith(condition.Values);

        if (allowed.Count == 1 && allowed.Contains(expected)) return true;
        if (allowed.Contains(expected))
        {
            problems.Add($"{label} allows \"{key}\" values {Quote(allowed.Where(v => v != expected))} besides \"{expected}\": {shared}");
            return true;
        }
        var literal = allowed.Any(IamPatterns.HasWildcard) ? " (StringEquals compares literally: '*' is not a wildcard there)" : "";
        problems.Add(allowed.Count == 0
            ? $"{label} requires contradictory \"{key}\" values, so no token matches"
            : $"{label} restricts \"{key}\" to {Quote(allowed)}, not \"{expected}\"{literal}");
        return false;
    }

    private static string Loosening(IamCondition condition)
    {
        if (condition.Qualifier != ConditionSetQualifier.None) return $"the {condition.Qualifier}: prefix makes a set test that a missing or multi-valued claim can pass";
        if (condition.IfExists) return "IfExists lets a token without the claim pass";
        if (condition.Values.Any(IamPatterns.HasWildcard)) return "its wildcards match other values";
        return "only an exact StringEquals scopes the claim";
    }

    // ---------------------------------------------------------------- EKS Pod Identity

    /// <summary>
    /// Whether a role's trust policy lets EKS Pod Identity (<c>pods.eks.amazonaws.com</c>) assume it only on behalf of
    /// this account's (or this cluster's) Pod Identity associations, and nobody else broadly.
    /// </summary>
    /// <param name="clusterArn">The cluster's ARN; null when unknown: any EKS cluster ARN of <paramref name="accountId"/> is accepted, with a note.</param>
    /// <remarks>
    /// Required of every Allow statement that lets <c>pods.eks.amazonaws.com</c> call <c>sts:AssumeRole</c>, following the
    /// EKS user guide's cross-service confused deputy advice: at least one condition that bounds the caller to
    /// <paramref name="accountId"/>, i.e. <c>StringEquals aws:SourceAccount</c> = the account, or <c>aws:SourceArn</c>
    /// (<c>StringEquals</c>/<c>ArnEquals</c>, or <c>StringLike</c>/<c>ArnLike</c> whose account field is literal) naming
    /// EKS resources of the account. The Pod Identity session tag <c>aws:RequestTag/eks-cluster-arn</c>, which the EKS
    /// guide shows for restricting clusters, counts like <c>aws:SourceArn</c>. Naming exactly the cluster ARN is the
    /// strongest form; account-only scoping passes with a note. Namespace/service-account tag conditions are welcome
    /// but not required (this function does not know the workload). Missing <c>sts:TagSession</c> is a note, since
    /// associations can disable session tags. Other principals: as in <see cref="CheckIrsaTrust(IamPolicyDocument, string?, string, string)"/>,
    /// wildcards, NotPrincipal, other accounts' roots and other AWS services fail; an OIDC provider must be limited by a
    /// StringEquals on its <c>:sub</c>. No statement admitting Pod Identity for this cluster fails as unusable.
    /// </remarks>
    public static TrustPolicyVerdict CheckPodIdentityTrust(string trustPolicyJson, string? clusterArn, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var policy = IamPolicyDocument.TryParse(trustPolicyJson, out var problem);
        return policy is null ? TrustPolicyVerdict.Unreadable(problem!) : CheckPodIdentityTrust(policy, clusterArn, accountId);
    }

    /// <inheritdoc cref="CheckPodIdentityTrust(string, string?, string)"/>
    public static TrustPolicyVerdict CheckPodIdentityTrust(IamPolicyDocument policy, string? clusterArn, string accountId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var problems = new List<string>();
        var notes = new List<string>();
        var ownAccounts = new HashSet<string>(StringComparer.Ordinal) { accountId };
        var usable = false;
        var tagSession = false;

        foreach (var statement in policy.Statements.Where(s => s.IsAllow))
        {
            if (ReportBroadPrincipal(statement, problems) || statement.Principal is not { } principal) continue;

            if (statement.Covers(AssumeRoleAction))
            {
                foreach (var service in principal.Service)
                {
                    if (IsPodIdentityService(service))
                    {
                        if (CheckPodIdentityStatement(statement, clusterArn, accountId, problems, notes))
                        {
                            usable = true;
                            tagSession |= statement.Covers(TagSessionAction);
                        }
                    }
                    else
                    {
                        problems.Add($"{statement.Label} lets the AWS service {service} assume the role as well, so the role is not reserved for EKS Pod Identity");
                    }
                }
                foreach (var aws in principal.Aws) CheckAwsPrincipal(statement, aws, ownAccounts, problems, notes);
            }
            if (statement.Covers(WebIdentityAction))
            {
                foreach (var federated in principal.Federated) CheckFederatedSubject(statement, OidcProvider.Parse(federated), problems, notes);
            }
        }

        if (!usable)
        {
            var on = clusterArn is null ? $"in account {accountId}" : $"on cluster {clusterArn}";
            problems.Add($"no statement lets EKS Pod Identity ({PodIdentityService}) {on} assume the role ({AssumeRoleAction}), so a Pod Identity association cannot use it");
        }
        else if (!tagSession)
        {
            notes.Add($"no statement allows {TagSessionAction} for {PodIdentityService}; Pod Identity needs it unless the association disables session tags");
        }
        return TrustPolicyVerdict.From(problems, notes);
    }

    private enum Reach
    {
        Foreign,   // admits callers outside the account
        Account,   // bounded to the account
        Cluster,   // exactly the cluster
    }

    /// <returns>Whether the statement admits Pod Identity for this cluster (any cluster of the account when the cluster is unknown).</returns>
    private static bool CheckPodIdentityStatement(IamStatement statement, string? clusterArn, string? accountId, List<string> problems, List<string> notes)
    {
        var label = statement.Label;
        var scoping = new List<(IamCondition Condition, Reach Reach, bool AdmitsThis)>();
        foreach (var condition in statement.ConditionsOn("aws:SourceAccount").Where(c => c.IsPlain("StringEquals")))
        {
            var reach = condition.Values.All(v => accountId is null ? AccountId().IsMatch(v) : v == accountId) ? Reach.Account : Reach.Foreign;
            scoping.Add((condition, reach, accountId is null || condition.Values.Contains(accountId)));
        }
        foreach (var condition in statement.ConditionsOn("aws:SourceArn").Concat(statement.ConditionsOn("aws:RequestTag/eks-cluster-arn"))
                     .Where(c => SourceArnOperators.Any(c.IsPlain)))
        {
            var pattern = condition.BaseOperator.EndsWith("Like", StringComparison.OrdinalIgnoreCase);
            var reaches = condition.Values.Select(v => ArnReach(v, pattern, clusterArn, accountId)).ToList();
            var admits = condition.Values.Any(v => clusterArn is null
                ? IsClusterArnOf(v, accountId) || (pattern && IamPatterns.HasWildcard(v))
                : pattern ? IamPatterns.Matches(v, clusterArn, ignoreCase: false) : v == clusterArn);
            scoping.Add((condition, reaches.Min(), admits));
        }

        var best = scoping.Count == 0 ? Reach.Foreign : scoping.Max(s => s.Reach);
        var admitsThis = scoping.All(s => s.AdmitsThis);
        if (best == Reach.Foreign)
        {
            problems.Add(scoping.Count == 0
                ? $"{label} lets EKS Pod Identity assume the role without an aws:SourceAccount or aws:SourceArn condition, so Pod Identity associations of any cluster can use it"
                : $"{label} lets EKS Pod Identity assume the role with conditions that reach beyond account {accountId ?? "(unknown)"}: " +
                  $"{string.Join(", ", scoping.Select(s => $"{s.Condition.Key} {Quote(s.Condition.Values)}"))}, so clusters of other accounts can use it");
        }
        else if (best == Reach.Account && admitsThis)
        {
            notes.Add($"{label} bounds EKS Pod Identity to account {accountId ?? "(unknown)"} but not to one cluster");
        }
        else if (best == Reach.Cluster && clusterArn is null)
        {
            var arns = scoping.Where(s => s.Reach == Reach.Cluster).SelectMany(s => s.Condition.Values).Distinct();
            notes.Add($"{label} bounds EKS Pod Identity to cluster {Quote(arns)}; the cluster is unknown, so it was not checked to be this one");
        }
        return admitsThis;
    }

    private static Reach ArnReach(string value, bool pattern, string? clusterArn, string? accountId)
    {
        if (clusterArn is not null && value == clusterArn) return Reach.Cluster;
        if (clusterArn is null && IsClusterArnOf(value, accountId) && !IamPatterns.HasWildcard(value)) return Reach.Cluster;
        // arn:partition:service:region:account:resource — bounded when the account field is this account, literally.
        var parts = value.Split(':');
        var account = parts.Length >= 6 ? parts[4] : null;
        var bounded = account is not null && !(pattern && IamPatterns.HasWildcard(account)) && (accountId is null ? AccountId().IsMatch(account) : account == accountId);
        return bounded ? Reach.Account : Reach.Foreign;
    }

    private static bool IsClusterArnOf(string value, string? accountId)
    {
        var match = ClusterArn().Match(value);
        return match.Success && (accountId is null || match.Groups["account"].Value == accountId);
    }

    private static void CheckFederatedSubject(IamStatement statement, OidcProvider provider, List<string> problems, List<string> notes)
    {
        var key = provider.HostPath + ":sub";
        var subjects = statement.ConditionsOn(key).Where(c => c.IsPlain("StringEquals")).SelectMany(c => c.Values).Distinct().ToList();
        if (subjects.Count == 0)
        {
            problems.Add($"{statement.Label} lets every identity of web identity provider {provider.Written} assume the role (no StringEquals condition on \"{key}\")");
        }
        else
        {
            notes.Add($"{statement.Label} also lets {Quote(subjects)} of {provider.HostPath} assume the role with a web identity");
        }
    }

    // ---------------------------------------------------------------- Principals shared by both trust checks

    /// <returns>True when the statement trusts everyone (reported); nothing more is to be learned from it.</returns>
    private static bool ReportBroadPrincipal(IamStatement statement, List<string> problems)
    {
        if (statement.NotPrincipal is not null)
        {
            problems.Add($"{statement.Label} uses NotPrincipal with Allow, which trusts every principal except the ones listed");
            return true;
        }
        var assumes = statement.Covers(AssumeRoleAction) || statement.Covers(WebIdentityAction) || statement.Covers(SamlAction);
        if (assumes && statement.Principal is { IsWildcard: true } principal)
        {
            var how = principal.IsEveryone ? "\"*\"" : "a \"*\" principal";
            var conditions = statement.Conditions.Count > 0 ? " (conditions on a wildcard principal are not counted as scoping)" : "";
            problems.Add($"{statement.Label} lets any principal ({how}) assume the role{conditions}");
            return true;
        }
        return false;
    }

    private static void CheckAwsPrincipal(IamStatement statement, string value, HashSet<string> ownAccounts, List<string> problems, List<string> notes)
    {
        var root = AccountRoot().Match(value);
        if (!root.Success)
        {
            notes.Add($"{statement.Label} also lets {value} assume the role");
            return;
        }
        var account = root.Groups["account"].Value;
        if (ownAccounts.Contains(account))
        {
            notes.Add($"{statement.Label} also trusts the role's own account {account}: its principals whose policies allow {AssumeRoleAction} on the role can assume it");
        }
        else
        {
            var written = value == account ? "" : $" ({value})";
            problems.Add($"{statement.Label} lets every principal of account {account}{written} assume the role");
        }
    }

    private static bool IsPodIdentityService(string service) => service.Equals(PodIdentityService, StringComparison.OrdinalIgnoreCase);

    private static bool IsNegated(string baseOperator) => baseOperator.Contains("Not", StringComparison.OrdinalIgnoreCase) || baseOperator.Equals("Null", StringComparison.OrdinalIgnoreCase);

    /// <summary>The issuer as IAM keys name it: without scheme and trailing slash.</summary>
    internal static string IssuerHostPath(string issuer)
    {
        var text = issuer.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) text = text[(scheme + 3)..];
        return text.TrimEnd('/');
    }

    /// <summary>A <c>Federated</c> principal: an OIDC provider ARN, or a provider named directly (<c>cognito-identity.amazonaws.com</c>).</summary>
    private sealed record OidcProvider(string Written, string HostPath, string? Account, bool IsEks)
    {
        public static OidcProvider Parse(string federated)
        {
            var arn = OidcProviderArn().Match(federated);
            if (!arn.Success) return new OidcProvider(federated, federated, null, false);
            var hostPath = arn.Groups["hostpath"].Value;
            return new OidcProvider(federated, hostPath, arn.Groups["account"].Value, EksIssuer().IsMatch(hostPath));
        }
    }

    // ---------------------------------------------------------------- Wildcard actions and admin policies

    /// <summary>
    /// Allow statements granting whole services: an Action of <c>"*"</c>, <c>"*:*"</c> or <c>"svc:*"</c> (the part after
    /// the colon only stars; case-insensitive), and every Allow with <c>NotAction</c> (it grants everything not listed).
    /// Partial wildcards such as <c>s3:Get*</c> or <c>iam:Pass*</c> are not reported: the design names <c>"*"</c> and
    /// <c>"svc:*"</c>, and a verb prefix is how least-privilege policies are commonly written. Deny statements are ignored.
    /// </summary>
    /// <exception cref="FormatException">The document is not a readable policy (use <see cref="IamPolicyDocument.TryParse"/> to get the reason without an exception).</exception>
    public static IReadOnlyList<WildcardGrant> FindWildcardActions(string policyJson) => FindWildcardActions(ParseOrThrow(policyJson));

    /// <inheritdoc cref="FindWildcardActions(string)"/>
    public static IReadOnlyList<WildcardGrant> FindWildcardActions(IamPolicyDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var grants = new List<WildcardGrant>();
        foreach (var statement in policy.Statements.Where(s => s.IsAllow))
        {
            // NotResource grants every resource except the listed ones: as broad as "*" for this purpose.
            var allResources = statement.NotResources is not null || (statement.Resources?.Any(r => r.Length > 0 && r.All(c => c == '*')) ?? false);
            if (statement.NotActions is not null)
            {
                grants.Add(new WildcardGrant(statement.Index, statement.Sid, string.Join(", ", statement.NotActions), WildcardKind.NotAction, allResources));
                continue;
            }
            foreach (var action in statement.Actions!)
            {
                if (ClassifyAction(action) is { } kind) grants.Add(new WildcardGrant(statement.Index, statement.Sid, action, kind, allResources));
            }
        }
        return grants;
    }

    private static WildcardKind? ClassifyAction(string action)
    {
        var text = action.Trim();
        static bool Stars(string s) => s.Length > 0 && s.All(c => c == '*');
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return Stars(text) ? WildcardKind.AllActions : null;
        var service = text[..colon];
        var name = text[(colon + 1)..];
        if (!Stars(name)) return null;
        return Stars(service) ? WildcardKind.AllActions : WildcardKind.ServiceWide;
    }

    /// <summary>
    /// Whether a managed policy is on the denied list. Names compare case-sensitively, as IAM's do. A denied entry may be
    /// a name (<c>AdministratorAccess</c>), a path and name (<c>job-function/ViewOnlyAccess</c>) or an ARN; ARNs match
    /// in any partition (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>). Names and paths stand for AWS managed policies
    /// (<c>arn:PARTITION:iam::aws:policy/...</c>): a customer managed policy that merely shares the name matches only an
    /// entry giving its own ARN (its content is judged by <see cref="IamEffectivePermissions.FindAdministratorAccess"/>). A bare name
    /// passed as <paramref name="policyArnOrName"/> is taken to be an AWS managed policy's: pass the ARN when known.
    /// </summary>
    public static bool IsDeniedManagedPolicy(string policyArnOrName, IEnumerable<string> denied)
    {
        ArgumentNullException.ThrowIfNull(denied);
        if (ManagedPolicyRef.Parse(policyArnOrName) is not { } policy) return false;
        foreach (var entry in denied)
        {
            if (ManagedPolicyRef.Parse(entry) is not { } deny) continue;
            if (deny.IsArn)
            {
                // An ARN entry matches that exact policy; a bare input is an AWS managed policy's name.
                var sameOwner = policy.IsArn ? policy.Account == deny.Account : deny.IsAwsManaged;
                var samePolicy = policy.IsArn ? policy.PathAndName == deny.PathAndName : policy.Name == deny.Name;
                if (sameOwner && samePolicy) return true;
            }
            else if (policy.IsAwsManaged)
            {
                if (deny.PathAndName.Contains('/') ? policy.PathAndName == deny.PathAndName : policy.Name == deny.Name) return true;
            }
        }
        return false;
    }

    /// <summary>A managed policy named by ARN (<c>arn:aws:iam::aws:policy/job-function/ViewOnlyAccess</c>) or by [path/]name.</summary>
    private sealed record ManagedPolicyRef(bool IsArn, string? Account, string PathAndName, string Name)
    {
        public bool IsAwsManaged => !IsArn || Account == "aws";

        public static ManagedPolicyRef? Parse(string? text)
        {
            var value = text?.Trim();
            if (string.IsNullOrEmpty(value)) return null;
            if (value.StartsWith("arn:", StringComparison.Ordinal))
            {
                var match = PolicyArn().Match(value);
                if (!match.Success) return null;
                var pathAndName = match.Groups["path"].Value;
                return new ManagedPolicyRef(true, match.Groups["account"].Value, pathAndName, NameOf(pathAndName));
            }
            var trimmed = value.Trim('/');
            return trimmed.Length == 0 ? null : new ManagedPolicyRef(false, null, trimmed, NameOf(trimmed));
        }

        private static string NameOf(string pathAndName) => pathAndName[(pathAndName.LastIndexOf('/') + 1)..];
    }

    private static IamPolicyDocument ParseOrThrow(string policyJson) =>
        IamPolicyDocument.TryParse(policyJson, out var problem) ?? throw new FormatException(problem);

    private static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));

    [GeneratedRegex(@"^arn:[a-z0-9-]+:iam::(?<account>\d{12}):oidc-provider/(?<hostpath>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex OidcProviderArn();

    [GeneratedRegex(@"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[A-Za-z0-9]+$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EksIssuer();

    [GeneratedRegex(@"^(?<account>\d{12})$|^arn:[a-z0-9-]+:iam::(?<account>\d{12}):root$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountRoot();

    [GeneratedRegex(@"^\d{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^arn:[a-z0-9-]+:eks:[a-z0-9-]+:(?<account>\d{12}):cluster/[^/*?]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterArn();

    [GeneratedRegex(@"^arn:[a-z0-9-]+:iam::(?<account>aws|\d{12}):policy/(?<path>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex PolicyArn();
}

/// <summary>How a trust policy check came out: maps to a finding of pass, fail or error.</summary>
public enum TrustPolicyOutcome
{
    /// <summary>Scoped as required (pass).</summary>
    Scoped,
    /// <summary>Not scoped, or not usable by the workload (fail).</summary>
    NotScoped,
    /// <summary>The document could not be read (error, never pass).</summary>
    Unreadable,
}

/// <summary>The verdict on a role's trust policy: problems make it fail; notes qualify a pass (or accompany a fail).</summary>
public sealed record TrustPolicyVerdict(TrustPolicyOutcome Outcome, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    public bool IsScoped => Outcome == TrustPolicyOutcome.Scoped;

    /// <summary>One line for a finding: the problems when not scoped, otherwise the notes (if any).</summary>
    public string Message => Outcome switch
    {
        TrustPolicyOutcome.Scoped => Notes.Count == 0 ? "the trust policy is scoped" : "the trust policy is scoped; " + string.Join("; ", Notes),
        TrustPolicyOutcome.Unreadable => "the trust policy could not be read: " + string.Join("; ", Problems),
        _ => string.Join("; ", Problems),
    };

    internal static TrustPolicyVerdict Unreadable(string problem) => new(TrustPolicyOutcome.Unreadable, [problem], []);

    internal static TrustPolicyVerdict From(List<string> problems, List<string> notes) =>
        new(problems.Count == 0 ? TrustPolicyOutcome.Scoped : TrustPolicyOutcome.NotScoped, problems.Distinct().ToList(), notes.Distinct().ToList());
}

/// <summary>What an Allow statement grants wholesale.</summary>
public enum WildcardKind
{
    /// <summary><c>"*"</c> or <c>"*:*"</c>: every action of every service.</summary>
    AllActions,
    /// <summary><c>"svc:*"</c>: every action of one service (or of the services a starred prefix matches).</summary>
    ServiceWide,
    /// <summary><c>NotAction</c> with Allow: every action except the listed ones.</summary>
    NotAction,
}

/// <summary>One wildcard grant found in a policy.</summary>
/// <param name="StatementIndex">Zero-based index in <c>Statement</c>.</param>
/// <param name="Action">The action as written; for <see cref="WildcardKind.NotAction"/> the excluded actions, comma-separated.</param>
/// <param name="AllResources"><c>Resource</c> is <c>"*"</c>, or the statement uses <c>NotResource</c>.</param>
public sealed record WildcardGrant(int StatementIndex, string? Sid, string Action, WildcardKind Kind, bool AllResources)
{
    /// <summary>For messages: <c>Statement[0] (Sid "Admin") allows "*" on all resources</c>.</summary>
    public string Description
    {
        get
        {
            var statement = Sid is { Length: > 0 } ? $"Statement[{StatementIndex}] (Sid \"{Sid}\")" : $"Statement[{StatementIndex}]";
            var what = Kind == WildcardKind.NotAction ? $"every action except {Action} (NotAction)" : $"\"{Action}\"";
            return $"{statement} allows {what}{(AllResources ? " on all resources" : "")}";
        }
    }
}
