namespace EksHardening.Operator.Rules;

/// <summary>
/// Workload identity as the cluster shows it (the <c>irsa.*</c> rules that read ServiceAccounts): dedicated service accounts,
/// token automount, shared IAM roles. What the role itself may do is read from IAM by <see cref="IrsaRoleRules"/>.
/// </summary>
public sealed class IrsaRules : IRuleFamily
{
    public static readonly RuleDefinition DedicatedServiceAccount = new(
        "irsa.dedicated-service-account", "Workloads run under their own service account, not the namespace's default",
        ResponsibilityRow.IdentityManagement, Severity.Medium, RuleScope.Workload, "irsa.disallowDefaultServiceAccount",
        "Create a ServiceAccount for the workload and set spec.serviceAccountName.");

    public static readonly RuleDefinition TokenAutomount = new(
        "irsa.token-automount", "Pods without an IAM role do not mount a service account token",
        ResponsibilityRow.IdentityManagement, Severity.Medium, RuleScope.Workload, "irsa.requireAutomountDisabledWithoutRole",
        "Set automountServiceAccountToken: false on the pod spec or the ServiceAccount.");

    public static readonly RuleDefinition RoleNotShared = new(
        "irsa.role-not-shared", "An IAM role is bound to service accounts of one namespace only",
        ResponsibilityRow.IdentityManagement, Severity.High, RuleScope.Workload, "irsa.disallowSharedRoles",
        "Give each namespace's workload its own IAM role, trusted only for that service account.");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [DedicatedServiceAccount, TokenAutomount, RoleNotShared];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Irsa is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
        if (duty.DisallowDefaultServiceAccount == true) enabled.Add(DedicatedServiceAccount);
        if (duty.RequireAutomountDisabledWithoutRole == true) enabled.Add(TokenAutomount);
        if (duty.DisallowSharedRoles == true) enabled.Add(RoleNotShared);
        return enabled;
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var duty = context.Policy.Irsa!;
        var workload = context.Workload;
        var spec = workload.PodSpec;
        var accountName = ServiceAccountNameOf(spec);
        var account = context.Snapshot.FindServiceAccount(workload.Namespace, accountName);
        // The API server creates "default" in every namespace with no annotations: its facts are known.
        var accountKnown = account is not null || accountName == "default";
        var roleArn = account is null ? null : ClusterSnapshot.RoleArnOf(account);

        if (duty.DisallowDefaultServiceAccount == true && accountName == "default")
        {
            var how = spec.ServiceAccountName is null && spec.ServiceAccount is null ? "sets no serviceAccountName" : "uses serviceAccountName: default";
            findings.Fail(DedicatedServiceAccount, $"{workload.Kind} {workload.Name} {how}, so it runs as the namespace's default service account", AccountPath(workload));
        }

        if (duty.RequireAutomountDisabledWithoutRole == true)
        {
            EvaluateAutomount(workload, spec, account, accountName, accountKnown, roleArn, findings);
        }

        if (duty.DisallowSharedRoles == true)
        {
            if (!accountKnown)
            {
                findings.Error(RoleNotShared, $"ServiceAccount {workload.Namespace}/{accountName} is not among the inputs, so its IAM role is unknown", AccountPath(workload));
            }
            else if (roleArn is null)
            {
                findings.NotApplicable(RoleNotShared);
            }
            else
            {
                if (context.Snapshot.NamespacesUsingRole(roleArn).Count > 1)
                {
                    findings.Fail(RoleNotShared, SharedRoleMessage(context.Snapshot, workload.Namespace, accountName, roleArn), AccountPath(workload));
                }
            }
        }
    }

    private static void EvaluateAutomount(WorkloadView workload, V1PodSpec spec, V1ServiceAccount? account, string accountName, bool accountKnown, string? roleArn, FindingCollector findings)
    {
        // The pod's field, when set, wins over the ServiceAccount's.
        if (spec.AutomountServiceAccountToken == false) return;
        if (!accountKnown)
        {
            findings.Error(TokenAutomount, $"ServiceAccount {workload.Namespace}/{accountName} is not among the inputs, so whether it has an IAM role is unknown", AutomountPath(workload));
            return;
        }

        if (roleArn is not null) return;   // IRSA needs the projected token.
        if (spec.AutomountServiceAccountToken == true)
        {
            findings.Fail(TokenAutomount, $"{workload.Kind} {workload.Name} sets automountServiceAccountToken: true but ServiceAccount {accountName} has no IAM role", AutomountPath(workload));
        }
        else if (account?.AutomountServiceAccountToken != false)
        {
            findings.Fail(TokenAutomount,
                $"{workload.Kind} {workload.Name} mounts the token of ServiceAccount {accountName}, which has no IAM role (neither the pod nor the ServiceAccount sets automountServiceAccountToken: false)",
                AutomountPath(workload));
        }
    }

    /// <summary>
    /// The role-not-shared message of one namespace's account, made once per <see cref="NamespaceIndex"/> rather than for
    /// each of its workloads. The index is immutable (a changed Namespace, NetworkPolicy or ServiceAccount comes with a
    /// new one), and the account's role and the namespaces sharing it are read from it, so a message cannot go stale.
    /// </summary>
    private static readonly ConditionalWeakTable<NamespaceIndex, ConcurrentDictionary<(string Namespace, string Account), string>> SharedRoleMessages = [];

    private static string SharedRoleMessage(ClusterSnapshot snapshot, string ns, string accountName, string roleArn) =>
        SharedRoleMessages.GetValue(snapshot.NamespaceObjects, static _ => new()).GetOrAdd((ns, accountName), static (key, state) =>
            $"ServiceAccount {key.Namespace}/{key.Account} uses IAM role {state.RoleArn}, which is also bound in namespaces {string.Join(", ", state.Snapshot.NamespacesUsingRole(state.RoleArn).Where(n => n != key.Namespace))}",
            (Snapshot: snapshot, RoleArn: roleArn));

    // Paths are built only for failures.
    private static string AccountPath(WorkloadView workload) => SharedText.Concat(workload.PodSpecPath, ".serviceAccountName");

    private static string AutomountPath(WorkloadView workload) => SharedText.Concat(workload.PodSpecPath, ".automountServiceAccountToken");

    /// <summary>The account the pods run as: serviceAccountName, the deprecated serviceAccount, else "default".</summary>
    public static string ServiceAccountNameOf(V1PodSpec spec) =>
        !string.IsNullOrEmpty(spec.ServiceAccountName) ? spec.ServiceAccountName
        : !string.IsNullOrEmpty(spec.ServiceAccount) ? spec.ServiceAccount
        : "default";
}
