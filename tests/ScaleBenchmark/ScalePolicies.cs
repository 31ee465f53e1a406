namespace EksHardening.ScaleBenchmark;

/// <summary>The three policies of the scenario, one per duty family, and which workload change each one notices.</summary>
internal static class ScalePolicies
{
    public const string WorkloadSecurity = "workload-security";
    public const string ImageProvenance = "image-provenance";
    public const string NetworkIdentity = "network-identity";

    public static readonly IReadOnlyList<string> Names = [WorkloadSecurity, ImageProvenance, NetworkIdentity];

    /// <summary>The changes of the update phase, in turn: each makes exactly one policy count one more violating Deployment.</summary>
    public static readonly IReadOnlyList<(WorkloadChange Change, string Policy)> Changes =
    [
        (WorkloadChange.Privileged, WorkloadSecurity),
        (WorkloadChange.LatestImage, ImageProvenance),
        (WorkloadChange.DefaultServiceAccount, NetworkIdentity),
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
        """;

    public static IReadOnlyList<ResponsibilityPolicy> Create()
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(Yaml, "scale-policies.yaml", set);
        return [.. set.Objects.Select(o => (ResponsibilityPolicy)o.Object)];
    }
}
