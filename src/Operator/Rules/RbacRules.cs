using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Access inside the cluster (<c>rbac.*</c>), from the Kubernetes API alone: cluster-admin, wildcard roles and anonymous
/// access granted by bindings (findings on the binding), privileges of a workload's service account (on the workload),
/// and IAM principals that kube-system/aws-auth maps to system:masters (on the ConfigMap). Semantics in
/// <see cref="Rbac"/>; built-in bindings count only for subjects someone added (<see cref="BuiltInBindings"/>).
/// </summary>
public sealed class RbacRules : IRuleFamily
{
    public const string ClusterAdmin = "cluster-admin";
    public const string SystemMasters = "system:masters";

    /// <summary>The built-in roles anonymous requests may hold: API discovery, version and health.</summary>
    private static readonly HashSet<string> DiscoveryRoles = new(StringComparer.Ordinal) { "system:discovery", "system:public-info-viewer" };

    public static readonly RuleDefinition ClusterAdminBound = new(
        "rbac.cluster-admin-bound", "cluster-admin is bound only to allowed subjects",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Object, "rbac.disallowClusterAdminBindings",
        "Bind a narrower role, or list the subject (e.g. a break-glass group) in spec.rbac.allowedSubjects: kubectl delete clusterrolebinding <name>");

    public static readonly RuleDefinition WildcardRole = new(
        "rbac.wildcard-role", "No role granting * verbs on * resources is bound to a subject not allowed",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Object, "rbac.disallowWildcardRoles",
        "Replace the role's \"*\" verbs and resources with the verbs and resources the subject needs, or bind it only to allowed subjects.");

    public static readonly RuleDefinition AnonymousAccess = new(
        "rbac.anonymous-access", "Nothing beyond discovery is granted to system:anonymous or system:unauthenticated",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Object, "rbac.disallowAnonymousAccess",
        "Remove system:anonymous and system:unauthenticated from the binding's subjects.");

    public static readonly RuleDefinition WorkloadPrivilegesRule = new(
        "rbac.workload-privileges", "A workload's service account cannot read Secrets or change workloads elsewhere, escalate, impersonate, exec or proxy to nodes",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Workload, "rbac.restrictWorkloadPrivileges",
        "Give the workload a service account of its own, bound only to the verbs and resources it needs in its own namespace.");

    public static readonly RuleDefinition SystemMastersMapping = new(
        "rbac.system-masters-mapping", "aws-auth maps no IAM role or user to system:masters",
        ResponsibilityRow.IdentityManagement, Severity.Critical, RuleScope.Object, "rbac.disallowSystemMastersMapping",
        "Remove system:masters from the entry's groups in kube-system/aws-auth (map it to a group bound to a narrower role), or list the role ARN in spec.rbac.allowedSubjects.");

    private static readonly string RbacUnlisted = Unlisted.Message("ClusterRoles, ClusterRoleBindings, Roles and RoleBindings", "spec.rbac");
    private static readonly RuleDefinition[] BindingRules = [ClusterAdminBound, WildcardRole, AnonymousAccess];
    private static readonly RuleDefinition[] AwsAuthRules = [SystemMastersMapping];

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ClusterAdminBound, WildcardRole, AnonymousAccess, WorkloadPrivilegesRule, SystemMastersMapping];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Rbac is not { } duty) return [];
        var enabled = new List<RuleDefinition>(5);
        if (duty.DisallowClusterAdminBindings == true) enabled.Add(ClusterAdminBound);
        if (duty.DisallowWildcardRoles == true) enabled.Add(WildcardRole);
        if (duty.DisallowAnonymousAccess == true) enabled.Add(AnonymousAccess);
        if (duty.RestrictWorkloadPrivileges == true) enabled.Add(WorkloadPrivilegesRule);
        if (duty.DisallowSystemMastersMapping == true) enabled.Add(SystemMastersMapping);
        return enabled;
    }

    public void EvaluateObjects(ObjectContext context, ObjectFindings findings)
    {
        var duty = context.Policy.Rbac!;
        if (context.Snapshot.Unlisted.HasFlag(UnlistedObjects.Rbac))
        {
            findings.Unlisted(Unlisted.AllOf<V1ClusterRoleBinding>(), BindingRules, RbacUnlisted);
            findings.Unlisted(AbsentAwsAuth(), AwsAuthRules, Unlisted.Message($"ConfigMap {ClusterRbac.AwsAuthNamespace}/{ClusterRbac.AwsAuthName} and the roles it maps", "spec.rbac"));
            return;
        }

        var allowed = new AllowedSubjects(duty.AllowedSubjects);
        if (context.Snapshot.Rbac is { } rbac)
        {
            // ClusterRoleBindings are cluster duties; RoleBindings follow match's namespaces.
            foreach (var binding in rbac.Bindings.Where(b => context.InScope(b.Namespace)))
            {
                EvaluateBinding(context, duty, allowed, binding, findings.On(binding.Object, BindingRules, rbac.SourceOf(binding.Object)));
            }
        }

        // aws-auth is a cluster duty, judged whatever match says.
        if (duty.DisallowSystemMastersMapping != true) return;
        if (context.Snapshot.Rbac?.AwsAuth is { } awsAuth)
        {
            EvaluateAwsAuth(allowed, awsAuth, findings.On(awsAuth, AwsAuthRules, context.Snapshot.Rbac.SourceOf(awsAuth)));
        }
        else if (context.Snapshot.Rbac?.AwsAuthCollected != true)
        {
            // Absent from a scan's inputs (or nothing about access collected): an error on aws-auth, never a silent pass.
            findings.On(AbsentAwsAuth(), AwsAuthRules, source: null).Error(SystemMastersMapping,
                $"ConfigMap {ClusterRbac.AwsAuthNamespace}/{ClusterRbac.AwsAuthName} is not among the inputs, so which IAM roles and users it maps to {SystemMasters} is unknown (add it: kubectl get configmap -n kube-system aws-auth -o yaml)");
        }
    }

    /// <summary>Stands for kube-system/aws-auth when it is not among the inputs, so that the error sits where the fault would.</summary>
    private static V1ConfigMap AbsentAwsAuth() =>
        new() { Metadata = new V1ObjectMeta { Name = ClusterRbac.AwsAuthName, NamespaceProperty = ClusterRbac.AwsAuthNamespace } };

    private static void EvaluateBinding(ObjectContext context, RbacDuty duty, AllowedSubjects allowed, RbacBinding binding, FindingCollector findings)
    {
        var judged = BuiltInBindings.AddedSubjects(binding).Where(s => !allowed.Contains(s, binding.Namespace)).ToList();
        var role = context.Snapshot.Rbac!.Resolve(binding);
        var isClusterAdmin = binding.RoleRef is { Kind: "ClusterRole", Name: ClusterAdmin };

        if (duty.DisallowClusterAdminBindings == true && isClusterAdmin)
        {
            foreach (var subject in judged)
            {
                findings.Fail(ClusterAdminBound, $"{binding} grants ClusterRole {ClusterAdmin} (every verb on every resource) {binding.ScopeText} to {binding.SubjectText(subject)}", SubjectPath(binding, subject));
            }
        }

        if (duty.DisallowWildcardRoles == true && judged.Count > 0)
        {
            if (role.Rules is not { } rules)
            {
                findings.Error(WildcardRole, $"whether {binding} grants \"*\" verbs on \"*\" resources is unknown: {role.Problem}", "roleRef");
            }
            else if (rules.FirstOrDefault(PolicyRuleMatching.IsWildcard) is { } wildcard)
            {
                var groups = string.Join(", ", (wildcard.ApiGroups ?? []).Select(g => g.Length == 0 ? "\"\" (core)" : g));
                foreach (var subject in judged)
                {
                    findings.Fail(WildcardRole, $"{binding} grants {role} with \"*\" verbs on \"*\" resources (API groups {groups}) {binding.ScopeText} to {binding.SubjectText(subject)}", SubjectPath(binding, subject));
                }
            }
        }

        if (duty.DisallowAnonymousAccess == true)
        {
            var anonymous = judged.Where(IsAnonymous).ToList();
            if (anonymous.Count == 0) return;
            var isDiscovery = binding.RoleRef?.Kind == "ClusterRole" && DiscoveryRoles.Contains(binding.RoleRef.Name ?? "");
            if (isDiscovery && role.Rules is null)
            {
                findings.Error(AnonymousAccess, $"whether {binding} grants more than discovery to {string.Join(", ", anonymous.Select(binding.SubjectText))} is unknown: {role.Problem}", "roleRef");
                return;
            }

            // A discovery role changed to grant resources is no longer the built-in discovery role.
            if (isDiscovery && role.Rules!.All(r => r.Resources is not { Count: > 0 })) return;
            foreach (var subject in anonymous)
            {
                var what = isDiscovery ? $"{role}, which grants resources beyond discovery," : role.ToString();
                findings.Fail(AnonymousAccess, $"{binding} grants {what} {binding.ScopeText} to {binding.SubjectText(subject)}: anyone who can reach the API server holds it", SubjectPath(binding, subject));
            }
        }
    }

    private static bool IsAnonymous(Rbacv1Subject subject) =>
        subject is { Kind: "User", Name: RbacIdentity.Anonymous } or { Kind: "Group", Name: RbacIdentity.Unauthenticated };

    private static string SubjectPath(RbacBinding binding, Rbacv1Subject subject)
    {
        for (var i = 0; i < binding.Subjects.Count; i++)
        {
            if (ReferenceEquals(binding.Subjects[i], subject)) return $"subjects[{i}]";
        }

        return "subjects";
    }

    private static void EvaluateAwsAuth(AllowedSubjects allowed, V1ConfigMap awsAuth, FindingCollector findings)
    {
        var (entries, problems) = AwsAuthMappings.Read(awsAuth);
        foreach (var problem in problems)
        {
            findings.Error(SystemMastersMapping, $"ConfigMap {ClusterRbac.AwsAuthNamespace}/{ClusterRbac.AwsAuthName}: {problem}, so its mappings to {SystemMasters} are unknown");
        }

        foreach (var entry in entries.Where(e => e.Groups.Contains(SystemMasters, StringComparer.Ordinal)))
        {
            if ((entry.Arn is { } arn && allowed.ContainsUser(arn)) || (entry.UserName is { } user && allowed.ContainsUser(user))) continue;
            var principal = entry.Key == "mapRoles" ? "IAM role" : "IAM user";
            findings.Fail(SystemMastersMapping,
                $"aws-auth maps {principal} {entry.Arn ?? "(no ARN)"} (username {entry.UserName ?? "(none)"}) to group {SystemMasters}: it holds every verb on every resource, beyond RBAC", entry.Path);
        }
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var workload = context.Workload;
        var account = IrsaRules.ServiceAccountNameOf(workload.PodSpec);
        var path = workload.PodSpecPath + ".serviceAccountName";
        var rbac = context.Snapshot.Rbac;
        if (context.Snapshot.Unlisted.HasFlag(UnlistedObjects.Rbac))
        {
            findings.Error(WorkloadPrivilegesRule, $"the privileges of service account {workload.Namespace}/{account} are unknown: " +
                RbacUnlisted, path);
            return;
        }

        if (rbac is null || !rbac.BindingsCollected)
        {
            findings.Error(WorkloadPrivilegesRule,
                $"the privileges of service account {workload.Namespace}/{account} are unknown: no Roles, ClusterRoles or bindings are among the inputs (add them: kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml)", path);
            return;
        }

        var allowed = new AllowedSubjects(context.Policy.Rbac!.AllowedSubjects);
        if (allowed.ContainsServiceAccount(workload.Namespace, account)) return;
        var held = WorkloadPrivileges.Of(rbac, workload.Namespace, account, (binding, subject) => allowed.Contains(subject, binding.Namespace));
        if (held.Count == 0) return;
        var token = TokenNote(workload, context.Snapshot.FindServiceAccount(workload.Namespace, account));
        foreach (var privilege in held)
        {
            var through = $"through {privilege.Grant.Binding} ({privilege.Grant.Role}) to {privilege.Grant.Binding.SubjectText(privilege.Grant.Subject)}";
            if (privilege.What is { } what)
            {
                findings.Fail(WorkloadPrivilegesRule, $"service account {workload.Namespace}/{account} can {what} {through}; {token}", path);
            }
            else
            {
                findings.Error(WorkloadPrivilegesRule, $"what service account {workload.Namespace}/{account} holds {through} is unknown: {privilege.Unknown}", path);
            }
        }
    }

    /// <summary>Whether the pod gets the account's token (pod spec first, then the ServiceAccount; default true).</summary>
    private static string TokenNote(WorkloadView workload, V1ServiceAccount? account)
    {
        var automount = workload.PodSpec.AutomountServiceAccountToken ?? account?.AutomountServiceAccountToken;
        return automount == false
            ? "automountServiceAccountToken is false, but a token for the account can still be mounted or requested"
            : "its token is mounted in the pods (automountServiceAccountToken is not false)";
    }

    /// <summary>spec.rbac.allowedSubjects, shared by every rbac.* rule.</summary>
    private sealed class AllowedSubjects(List<RbacSubjectRef>? subjects)
    {
        private readonly List<RbacSubjectRef> _subjects = subjects ?? [];

        public bool Contains(Rbacv1Subject subject, string? bindingNamespace) => subject.Kind switch
        {
            "User" => ContainsUser(subject.Name),
            "Group" => _subjects.Any(s => s.Kind == RbacSubjectKind.Group && s.Name == subject.Name),
            "ServiceAccount" => ContainsServiceAccount(string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace ?? "" : subject.NamespaceProperty, subject.Name),
            _ => false,
        };

        public bool ContainsUser(string name) => _subjects.Any(s => s.Kind == RbacSubjectKind.User && s.Name == name);

        public bool ContainsServiceAccount(string ns, string name) =>
            _subjects.Any(s => s.Kind == RbacSubjectKind.ServiceAccount && s.Name == name && s.Namespace == ns);
    }
}
