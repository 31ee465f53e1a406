using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Least privilege of each workload's IAM role, read from IAM (<c>irsa.trust-policy-scoped</c>,
/// <c>irsa.no-wildcard-actions</c>, <c>irsa.no-admin-policies</c>): the role an IRSA annotation or an EKS Pod
/// Identity association gives the service account trusts only that account, and grants no wildcard or admin
/// permissions. Documents come from <see cref="AwsFacts"/>; a role that could not be read is an error.
/// </summary>
public sealed class IamRoleRules : IRuleFamily
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
        "irsa.no-admin-policies", "The workload's IAM role has none of the denied managed policies and no admin-equivalent policy",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Workload, "irsa.deniedManagedPolicies",
        "Detach the policy and grant the specific permissions the workload uses.",
        RequiresAws: true);

    public IReadOnlyList<RuleDefinition> Rules { get; } = [TrustPolicyScoped, NoWildcardActions, NoAdminPolicies];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Irsa is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
        if (duty.RequireScopedTrustPolicy == true) enabled.Add(TrustPolicyScoped);
        if (duty.DisallowWildcardActions == true) enabled.Add(NoWildcardActions);
        if (duty.DeniedManagedPolicies is { Count: > 0 }) enabled.Add(NoAdminPolicies);
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

        var documents = facts.InlinePolicies.Select(p => (Name: $"inline policy {p.PolicyName}", Document: (string?)p.PolicyDocument))
            .Concat(facts.AttachedPolicies.Select(a => (Name: $"managed policy {a.Policy.PolicyName}", a.Document)))
            .ToList();

        if (duty.DisallowWildcardActions == true)
        {
            foreach (var (name, document) in documents)
            {
                if (IamPolicyDocument.TryParse(document, out var problem) is not { } parsed)
                {
                    findings.Error(NoWildcardActions, $"{who}: {name} cannot be read: {problem}", path);
                    continue;
                }

                foreach (var grant in IamPolicyAnalysis.FindWildcardActions(parsed))
                {
                    findings.Fail(NoWildcardActions, $"{who}: {name} {grant.Description}", path);
                }
            }
        }

        if (duty.DeniedManagedPolicies is { Count: > 0 } denied)
        {
            foreach (var (attached, _) in facts.AttachedPolicies.Where(a => IamPolicyAnalysis.IsDeniedManagedPolicy(a.Policy.PolicyArn, denied)))
            {
                findings.Fail(NoAdminPolicies, $"{who} has the denied managed policy {attached.PolicyName} ({attached.PolicyArn})", path);
            }

            foreach (var (name, document) in documents)
            {
                if (IamPolicyDocument.TryParse(document, out _) is { } parsed && IamPolicyAnalysis.IsEffectivelyAdmin(parsed)
                    && !facts.AttachedPolicies.Any(a => IamPolicyAnalysis.IsDeniedManagedPolicy(a.Policy.PolicyArn, denied) && name.EndsWith(a.Policy.PolicyName, StringComparison.Ordinal)))
                {
                    findings.Fail(NoAdminPolicies, $"{who}: {name} allows every action on every resource (administrator access)", path);
                }
            }
        }
    }

    private static string? IamRoleArnAccount(string arn) => Aws.IamRoleArn.TryParse(arn, out var parsed) ? parsed.AccountId : null;
}
