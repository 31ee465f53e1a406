using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Least privilege of each workload's IAM role, read from IAM: the <c>irsa.*</c> rules that need AWS facts
/// (<c>irsa.trust-policy-scoped</c>, <c>irsa.no-wildcard-actions</c>, <c>irsa.no-admin-policies</c>,
/// <c>irsa.no-privilege-escalation</c>; <see cref="IrsaRules"/> holds those that read the cluster only). The role an IRSA
/// annotation or an EKS Pod Identity association gives the service account trusts only that account, grants no wildcard
/// or admin permissions, and opens no known escalation path. Documents come from <see cref="AwsFacts"/>; a role or a
/// document that could not be read is an error.
/// </summary>
public sealed class IrsaRoleRules : IRuleFamily
{
    public static readonly RuleDefinition TrustPolicyScoped = new(
        "irsa.trust-policy-scoped", "The workload's IAM role trusts only its own service account (IRSA sub/aud, or Pod Identity source)",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Workload, "irsa.requireScopedTrustPolicy",
        "Trust the cluster's OIDC provider with StringEquals on <issuer>:sub = system:serviceaccount:<ns>:<sa> and <issuer>:aud = sts.amazonaws.com.",
        RequiresAws: true);

    public static readonly RuleDefinition NoWildcardActions = new(
        "irsa.no-wildcard-actions", "The workload's IAM role allows no \"*\" or \"service:*\" actions and no NotAction",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Workload, "irsa.disallowWildcardActions",
        "List the actions the workload needs instead of service-wide wildcards.",
        RequiresAws: true);

    public static readonly RuleDefinition NoAdminPolicies = new(
        "irsa.no-admin-policies", "The workload's IAM role has none of the denied managed policies and its policies together are not admin-equivalent",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Workload, "irsa.deniedManagedPolicies",
        "Detach the policy and grant the specific permissions the workload uses.",
        RequiresAws: true);

    // Critical like admin access: the worst case of every listed path is full administrator access (both sources say so),
    // and which principals a path reaches, and what they may do, is not evaluated here.
    public static readonly RuleDefinition NoPrivilegeEscalation = new(
        "irsa.no-privilege-escalation", "The workload's IAM role opens no known IAM privilege-escalation path (IAM policy writes, PassRole to new compute, code on existing compute, AssumeRole on every role)",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Workload, "irsa.disallowPrivilegeEscalation",
        "Remove the named permissions, or scope them to resources that cannot grant more (never the role itself, its own policies, or roles to pass).",
        RequiresAws: true);

    public IReadOnlyList<RuleDefinition> Rules { get; } = [TrustPolicyScoped, NoWildcardActions, NoAdminPolicies, NoPrivilegeEscalation];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Irsa is not { } duty) return [];
        var enabled = new List<RuleDefinition>(4);
        if (duty.RequireScopedTrustPolicy == true) enabled.Add(TrustPolicyScoped);
        if (duty.DisallowWildcardActions == true) enabled.Add(NoWildcardActions);
        if (duty.DeniedManagedPolicies is { Count: > 0 }) enabled.Add(NoAdminPolicies);
        if (duty.DisallowPrivilegeEscalation == true) enabled.Add(NoPrivilegeEscalation);
        return enabled;
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var duty = context.Policy.Irsa!;
        var aws = context.Snapshot.Aws!;
        var workload = context.Workload;
        var accountName = IrsaRules.ServiceAccountNameOf(workload.PodSpec);
        var account = context.Snapshot.FindServiceAccount(workload.Namespace, accountName);
        var irsaRole = account is null ? null : ClusterSnapshot.RoleArnOf(account);
        var podIdentityRole = aws.PodIdentityRoles.GetValueOrDefault(workload.Namespace + "/" + accountName);
        var roleArn = irsaRole ?? podIdentityRole;
        var path = workload.PodSpecPath + ".serviceAccountName";
        var enabled = EnabledRules(context.Policy);

        if (roleArn is null)
        {
            if (aws.PodIdentityError is { } lookup)
            {
                foreach (var rule in enabled) findings.Error(rule, $"ServiceAccount {workload.Namespace}/{accountName}: its Pod Identity association could not be listed: {lookup}", path);
                return;
            }

            foreach (var rule in enabled) findings.NotApplicable(rule);
            return;
        }

        var facts = aws.RoleFor(roleArn);
        if (facts?.Role is not { } role)
        {
            var why = facts?.Error?.ToString() ?? "its documents were not collected";
            foreach (var rule in enabled) findings.Error(rule, $"IAM role {roleArn} of ServiceAccount {workload.Namespace}/{accountName} could not be read: {why}", path);
            return;
        }

        var who = $"IAM role {role.RoleName} of ServiceAccount {workload.Namespace}/{accountName}";
        if (duty.RequireScopedTrustPolicy == true)
        {
            var verdict = irsaRole is not null
                ? IamPolicyAnalysis.CheckIrsaTrust(role.AssumeRolePolicyDocument, aws.Cluster?.Cluster?.OidcIssuer, workload.Namespace, accountName)
                : IamPolicyAnalysis.CheckPodIdentityTrust(role.AssumeRolePolicyDocument, aws.Cluster?.Cluster?.Arn,
                    IamRoleArnAccount(roleArn) ?? "");
            switch (verdict.Outcome)
            {
                case TrustPolicyOutcome.NotScoped: findings.Fail(TrustPolicyScoped, $"{who}: trust policy is not scoped: {verdict.Message}", path); break;
                case TrustPolicyOutcome.Unreadable: findings.Error(TrustPolicyScoped, $"{who}: trust policy cannot be read: {verdict.Message}", path); break;
            }
        }

        if (duty.DisallowWildcardActions != true && duty.DeniedManagedPolicies is not { Count: > 0 } && duty.DisallowPrivilegeEscalation != true) return;
        var arnText = role.Arn.Length > 0 ? role.Arn : roleArn;
        if (!IamRoleArn.TryParse(arnText, out var arn))
        {
            foreach (var rule in enabled.Where(r => r != TrustPolicyScoped)) findings.Error(rule, $"{who}: {arnText} is not an IAM role ARN, so its permissions cannot be judged", path);
            return;
        }

        var analysis = IamRoleAnalysis.Of(facts, new IamRoleContext(arnText, arn.Partition, arn.AccountId));
        foreach (var problem in analysis.Problems)
        {
            foreach (var rule in enabled.Where(r => r != TrustPolicyScoped)) findings.Error(rule, $"{who}: {problem}", path);
        }

        if (duty.DisallowWildcardActions == true)
        {
            foreach (var source in analysis.Documents)
            {
                foreach (var grant in IamPolicyAnalysis.FindWildcardActions(source.Document))
                {
                    findings.Fail(NoWildcardActions, $"{who}: {source.Name} {grant.Description}", path);
                }
            }
        }

        if (duty.DeniedManagedPolicies is { Count: > 0 } denied)
        {
            var deniedNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (attached, _) in facts.AttachedPolicies.Where(a => IamPolicyAnalysis.IsDeniedManagedPolicy(a.Policy.PolicyArn, denied)))
            {
                findings.Fail(NoAdminPolicies, $"{who} has the denied managed policy {attached.PolicyName} ({attached.PolicyArn})", path);
                deniedNames.Add($"managed policy {attached.PolicyName}");
            }

            // Said once already when the denied policies alone make the role admin.
            if (analysis.Admin is { } admin && !admin.Grants.All(g => deniedNames.Contains(g.Policy)))
            {
                findings.Fail(NoAdminPolicies, $"{who}: {Describe(admin)}", path);
            }
        }

        if (duty.DisallowPrivilegeEscalation == true)
        {
            if (analysis.Admin is { } admin)
            {
                findings.Fail(NoPrivilegeEscalation, $"{who}: {Describe(admin)}, so every escalation path is open", path);
                return;
            }

            foreach (var escalation in analysis.Escalations)
            {
                findings.Fail(NoPrivilegeEscalation, $"{who}: privilege-escalation path {escalation.Description}{IgnoredDenies(escalation.Steps.SelectMany(s => s.Access.IgnoredDenies))}", path);
            }
        }
    }

    /// <summary>The admin verdict in a sentence: what is allowed, by which statements, under which conditions.</summary>
    private static string Describe(IamAdminVerdict admin)
    {
        var what = admin.Kind == IamAdminKind.AllActions
            ? "its policies together allow every action on every resource (administrator access)"
            : $"it may change its own permissions ({admin.Means}) and so grant itself every action (admin-equivalent)";
        var conditions = admin.UnderConditions
            ? "; granted only under conditions, which are not weighed: admin rights limited by a condition are still admin rights"
            : "";
        return $"{what}, granted by {string.Join(", ", admin.Grants.Select(g => g.Description))}{conditions}{IgnoredDenies(admin.IgnoredDenies)}";
    }

    private static string IgnoredDenies(IEnumerable<IamGrant> denies)
    {
        var labels = denies.Select(d => d.Description).Distinct().ToList();
        return labels.Count == 0 ? "" : $"; not subtracted, because a Deny with a condition may not apply: {string.Join(", ", labels)}";
    }

    private static string? IamRoleArnAccount(string arn) => IamRoleArn.TryParse(arn, out var parsed) ? parsed.AccountId : null;
}
