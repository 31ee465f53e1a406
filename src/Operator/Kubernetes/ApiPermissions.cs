namespace EksHardening.Operator.Kubernetes;

/// <summary>Where a permission must hold: in every namespace and for cluster-scoped objects, in the operator's namespace only, or in kube-system only.</summary>
public enum PermissionScope
{
    /// <summary>Granted by the ClusterRole.</summary>
    Cluster,
    /// <summary>Granted by the Role in the operator's namespace.</summary>
    OperatorNamespace,
    /// <summary>Granted by the Role in kube-system, the namespace of the aws-auth ConfigMap.</summary>
    AwsAuthNamespace,
}

/// <summary>The part of the operator a permission serves; the chart grants a part's permissions only when that part is on.</summary>
public enum PermissionFeature
{
    /// <summary>Watching, evaluating, status, events and leader election: always on.</summary>
    Core,
    /// <summary>Enforce-mode remediation (chart value rbac.remediation).</summary>
    Remediation,
    /// <summary>The webhook's own CA: its Secret and the caBundle patch (webhook on, without cert-manager).</summary>
    WebhookCertificates,
    /// <summary>wgpolicyk8s.io PolicyReports, written when their CRDs are served.</summary>
    PolicyReports,
}

/// <summary>The names of the objects the operator addresses one by one: its Lease and, for the webhook, its Secret and configuration.</summary>
public sealed record OperatorObjectNames(string LeaseName, string WebhookSecretName, string WebhookConfigurationName);

/// <summary>
/// One Kubernetes API call the operator makes: API group, resource (<c>resource/subresource</c> for a subresource),
/// verb, the scope it needs, and why. <paramref name="ResourceName"/>, when set, is the one object the call
/// addresses, so the grant can name it (RBAC cannot narrow create by name, nor list or watch but through a
/// metadata.name field selector).
/// </summary>
public sealed record ApiPermission(
    string Group,
    string Resource,
    string Verb,
    PermissionScope Scope,
    PermissionFeature Feature,
    string Reason,
    Func<OperatorObjectNames, string>? ResourceName = null)
{
    public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)} {Resource} {Verb}";
}

/// <summary>
/// Every Kubernetes API call the operator can make, declared once. The chart's ClusterRole and Roles grant exactly
/// these (a chart test proves it), and the operator run against the API emulator through every path calls exactly
/// these (an integration test proves it). Discovery (<c>/api</c>, <c>/apis/...</c>) needs no grant.
/// </summary>
public static class ApiPermissions
{
    // Declared before All, whose initializer reads it (static initializers run in textual order).
    private static readonly string[] ReportVerbs = ["list", "watch", "create", "patch", "delete"];

    public static IReadOnlyList<ApiPermission> All { get; } =
    [
        .. Watched("eks-hardening.io", "responsibilitypolicies", "the policies themselves"),
        .. Watched("", "namespaces", "namespace labels decide a policy's scope and carry the Pod Security Admission label"),
        .. Watched("networking.k8s.io", "networkpolicies", "default-deny, pod coverage and IMDS rules read them"),
        .. Watched("", "serviceaccounts", "IRSA rules read the role annotation and automount setting"),
        .. Watched("", "pods", "running pods are judged on their own spec and labels, and reported on their top owner"),
        .. Watched("apps", "deployments", "workloads are judged on their pod templates"),
        .. Watched("apps", "statefulsets", "workloads are judged on their pod templates"),
        .. Watched("apps", "daemonsets", "workloads are judged on their pod templates"),
        .. Watched("apps", "replicasets", "workloads are judged on their pod templates"),
        .. Watched("batch", "jobs", "workloads are judged on their pod templates"),
        .. Watched("batch", "cronjobs", "workloads are judged on their pod templates"),
        .. Watched("", "replicationcontrollers", "workloads are judged on their pod templates"),
        .. Watched("", "podtemplates", "PodTemplate objects are judged as templates"),
        .. Watched("", "nodes", "node.* rules read each kubelet's version and the node's age (started once a policy sets nodes:)"),
        .. Watched("storage.k8s.io", "storageclasses", "encryption.volumes reads each class's provisioner, encrypted parameter and default annotation (once a policy sets encryption.requireEncryptedVolumes)"),
        .. Watched("", "persistentvolumeclaims", "encryption.volumes judges each claim by its StorageClass (once a policy sets encryption.requireEncryptedVolumes)"),
        .. Watched("networking.k8s.io", "ingresses", "encryption.ingress-tls reads each Ingress's tls and load balancer annotations (once a policy sets encryption.requireTlsIngress)"),
        .. Watched("", "services", "encryption.ingress-tls reads LoadBalancer Services' ports and TLS annotations (once a policy sets encryption.requireTlsIngress)"),
        .. Watched("rbac.authorization.k8s.io", "clusterroles", "rbac.* rules resolve what each binding grants, aggregation included (once a policy sets rbac:)"),
        .. Watched("rbac.authorization.k8s.io", "clusterrolebindings", "rbac.* rules judge who is bound to what (once a policy sets rbac:)"),
        .. Watched("rbac.authorization.k8s.io", "roles", "rbac.* rules resolve what each RoleBinding grants (once a policy sets rbac:)"),
        .. Watched("rbac.authorization.k8s.io", "rolebindings", "rbac.* rules judge who is bound to what in each namespace (once a policy sets rbac:)"),
        .. Watched("", "configmaps", "rbac.system-masters-mapping reads kube-system/aws-auth alone, by a metadata.name field selector (once a policy sets rbac:)",
            _ => Rules.Rbac.ClusterRbac.AwsAuthName, PermissionScope.AwsAuthNamespace),
        new("eks-hardening.io", "responsibilitypolicies/status", "patch", PermissionScope.Cluster, PermissionFeature.Core,
            "each policy's compliance is written to its status as a merge patch of the status subresource"),
        new("", "events", "create", PermissionScope.Cluster, PermissionFeature.Core,
            "one Warning Event per violating workload and set of failing rules, in the workload's namespace"),
        new("coordination.k8s.io", "leases", "create", PermissionScope.OperatorNamespace, PermissionFeature.Core,
            "leader election: the first replica creates the Lease"),
        new("coordination.k8s.io", "leases", "get", PermissionScope.OperatorNamespace, PermissionFeature.Core,
            "leader election: every replica reads who holds the Lease", o => o.LeaseName),
        new("coordination.k8s.io", "leases", "update", PermissionScope.OperatorNamespace, PermissionFeature.Core,
            "leader election: the leader renews the Lease, a follower takes an expired one, a stopping leader releases it", o => o.LeaseName),
        new("networking.k8s.io", "networkpolicies", "create", PermissionScope.Cluster, PermissionFeature.Remediation,
            "Enforce mode creates the missing default-deny and IMDS-blocking NetworkPolicies, owned by the policy"),
        new("networking.k8s.io", "networkpolicies", "delete", PermissionScope.Cluster, PermissionFeature.Remediation,
            "Enforce mode removes the NetworkPolicies it created once they are no longer wanted (uid precondition)"),
        new("", "namespaces", "patch", PermissionScope.Cluster, PermissionFeature.Remediation,
            "Enforce mode adds the Pod Security Admission enforce label to namespaces that have none"),
        new("", "secrets", "create", PermissionScope.OperatorNamespace, PermissionFeature.WebhookCertificates,
            "the first replica stores the webhook CA and serving certificate"),
        new("", "secrets", "get", PermissionScope.OperatorNamespace, PermissionFeature.WebhookCertificates,
            "every replica serves the certificate stored in the Secret", o => o.WebhookSecretName),
        new("", "secrets", "update", PermissionScope.OperatorNamespace, PermissionFeature.WebhookCertificates,
            "certificates are renewed before they expire (replace at the read resourceVersion)", o => o.WebhookSecretName),
        new("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get", PermissionScope.Cluster, PermissionFeature.WebhookCertificates,
            "the caBundle is compared with the CA in the Secret", o => o.WebhookConfigurationName),
        new("admissionregistration.k8s.io", "validatingwebhookconfigurations", "patch", PermissionScope.Cluster, PermissionFeature.WebhookCertificates,
            "the CA is written into the caBundle (JSON patch guarded by a test of each webhook's name)", o => o.WebhookConfigurationName),
        .. PolicyReports("policyreports", "one PolicyReport per namespace and policy"),
        .. PolicyReports("clusterpolicyreports", "one ClusterPolicyReport per policy for namespace and cluster findings"),
    ];

    /// <summary>The permissions of the given parts of the operator.</summary>
    public static IEnumerable<ApiPermission> For(IReadOnlySet<PermissionFeature> features) => All.Where(p => features.Contains(p.Feature));

    /// <summary>
    /// An informer lists (paginated) and then watches the resource across all namespaces, or, with
    /// <paramref name="resourceName"/>, the one object a metadata.name field selector names (the API server takes that
    /// name as the request's, so RBAC resourceNames narrow the list and watch to it), in the namespace
    /// <paramref name="scope"/> names.
    /// </summary>
    private static IEnumerable<ApiPermission> Watched(string group, string resource, string why,
        Func<OperatorObjectNames, string>? resourceName = null, PermissionScope scope = PermissionScope.Cluster) =>
    [
        new(group, resource, "list", scope, PermissionFeature.Core, $"informer (list, then watch): {why}", resourceName),
        new(group, resource, "watch", scope, PermissionFeature.Core, $"informer (list, then watch): {why}", resourceName),
    ];

    /// <summary>The operator's reports are listed and watched (its informer), created, patched when changed, and deleted when obsolete.</summary>
    private static IEnumerable<ApiPermission> PolicyReports(string resource, string why) =>
        ReportVerbs.Select(verb =>
            new ApiPermission("wgpolicyk8s.io", resource, verb, PermissionScope.Cluster, PermissionFeature.PolicyReports, $"{why} ({verb})"));
}
