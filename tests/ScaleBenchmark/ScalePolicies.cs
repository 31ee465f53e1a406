namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The four policies of the scenario, one per duty family (the last turns on the rbac, encryption and nodes duties, so
/// that their informers run), and which change each one notices.
/// </summary>
internal static class ScalePolicies
{
    public const string WorkloadSecurity = "workload-security";
    public const string ImageProvenance = "image-provenance";
    public const string NetworkIdentity = "network-identity";
    public const string ClusterDuties = "cluster-duties";

    public static readonly IReadOnlyList<string> Names = [WorkloadSecurity, ImageProvenance, NetworkIdentity, ClusterDuties];

    /// <summary>The changes of the update phase, in turn: each makes exactly one policy count one more violating resource.</summary>
    public static readonly IReadOnlyList<(ClusterChange Change, string Policy)> Changes =
    [
        (ClusterChange.Privileged, WorkloadSecurity),
        (ClusterChange.LatestImage, ImageProvenance),
        (ClusterChange.DefaultServiceAccount, NetworkIdentity),
        (ClusterChange.BreakGlassUser, ClusterDuties),
        (ClusterChange.IngressWithoutTls, ClusterDuties),
    ];

    private const string Yaml = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: workload-security}
        spec:
          mode: Audit
          match: {excludeNamespaces: [kube-system]}
          podSecurity: {level: restricted, requireResourceLimits: true, requireNamespaceLabel: true}
        ---
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: image-provenance}
        spec:
          mode: Audit
          match: {excludeNamespaces: [kube-system]}
          imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"], disallowLatestTag: true}
        ---
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: network-identity}
        spec:
          mode: Audit
          match:
            namespaceSelector: {matchLabels: {env: prod}}
          networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true, blockInstanceMetadata: true}
          irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
        ---
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: cluster-duties}
        spec:
          mode: Audit
          match: {excludeNamespaces: [kube-system]}
          rbac:
            disallowClusterAdminBindings: true
            disallowWildcardRoles: true
            disallowAnonymousAccess: true
            restrictWorkloadPrivileges: true
            disallowSystemMastersMapping: true
            allowedSubjects:
              - {kind: Group, name: "platform:oncall"}
              - {kind: User, name: "arn:aws:iam::111122223333:role/break-glass"}
          encryption: {requireEncryptedVolumes: true, requireTlsIngress: true}
          nodes: {maxKubeletSkew: 1, maxNodeAge: 720h}
        """;

    public static IReadOnlyList<ResponsibilityPolicy> Create()
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(Yaml, "scale-policies.yaml", set);
        return [.. set.Objects.Select(o => (ResponsibilityPolicy)o.Object)];
    }
}
