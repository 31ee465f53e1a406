namespace EksHardening.Entities;

/// <summary>A platform team's declared duties under the Shared Responsibility Model (cluster-scoped).</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class ResponsibilityPolicy : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "eks-hardening.io";
    public const string Version = "v1alpha1";
    public const string KindName = "ResponsibilityPolicy";
    public const string Plural = "responsibilitypolicies";
    public const string ApiVersionName = Group + "/" + Version;

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiVersionName;
    [JsonPropertyName("kind")] public string Kind { get; set; } = KindName;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public ResponsibilityPolicySpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public ResponsibilityPolicyStatus Status { get; set; } = new();
}

/// <summary>The desired duties: which workloads are in scope and which duty sections are on.</summary>
public sealed class ResponsibilityPolicySpec
{
    [JsonPropertyName("mode")] public PolicyMode Mode { get; set; } = PolicyMode.Audit;
    [JsonPropertyName("match")] public PolicyMatch? Match { get; set; }
    [JsonPropertyName("imageScanning")] public ImageScanningDuty? ImageScanning { get; set; }
    [JsonPropertyName("networkPolicies")] public NetworkPolicyDuty? NetworkPolicies { get; set; }
    [JsonPropertyName("irsa")] public IrsaDuty? Irsa { get; set; }
    [JsonPropertyName("podSecurity")] public PodSecurityDuty? PodSecurity { get; set; }
    [JsonPropertyName("cluster")] public ClusterDuty? Cluster { get; set; }
    [JsonPropertyName("rbac")] public RbacDuty? Rbac { get; set; }
    [JsonPropertyName("encryption")] public EncryptionDuty? Encryption { get; set; }
    [JsonPropertyName("nodes")] public NodeDuty? Nodes { get; set; }
    [JsonPropertyName("exemptions")] public List<PolicyExemption>? Exemptions { get; set; }
    [JsonPropertyName("admission")] public AdmissionSettings? Admission { get; set; }
    [JsonPropertyName("dryRun")] public bool? DryRun { get; set; }
    [JsonPropertyName("evaluationInterval")] public string? EvaluationInterval { get; set; }
}

/// <summary>Which namespaces and kinds a policy applies to.</summary>
public sealed class PolicyMatch
{
    [JsonPropertyName("namespaceSelector")] public V1LabelSelector? NamespaceSelector { get; set; }
    [JsonPropertyName("excludeNamespaces")] public List<string>? ExcludeNamespaces { get; set; }
    [JsonPropertyName("kinds")] public List<string>? Kinds { get; set; }
}

/// <summary>Patch management and image provenance duties.</summary>
public sealed class ImageScanningDuty
{
    [JsonPropertyName("allowedRegistries")] public List<string>? AllowedRegistries { get; set; }
    [JsonPropertyName("disallowLatestTag")] public bool? DisallowLatestTag { get; set; }
    [JsonPropertyName("requireDigest")] public bool? RequireDigest { get; set; }
    [JsonPropertyName("requireScanOnPush")] public bool? RequireScanOnPush { get; set; }
    [JsonPropertyName("requireImmutableTags")] public bool? RequireImmutableTags { get; set; }
    [JsonPropertyName("maxScanAge")] public string? MaxScanAge { get; set; }
    [JsonPropertyName("vulnerabilityThresholds")] public VulnerabilityThresholds? VulnerabilityThresholds { get; set; }
    [JsonPropertyName("ignoreFindings")] public List<string>? IgnoreFindings { get; set; }
}

/// <summary>Maximum scan findings allowed per severity; absent means unlimited.</summary>
public sealed class VulnerabilityThresholds
{
    [JsonPropertyName("critical")] public int? Critical { get; set; }
    [JsonPropertyName("high")] public int? High { get; set; }
    [JsonPropertyName("medium")] public int? Medium { get; set; }
    [JsonPropertyName("low")] public int? Low { get; set; }
}

/// <summary>Network isolation duties.</summary>
public sealed class NetworkPolicyDuty
{
    [JsonPropertyName("requireDefaultDeny")] public List<TrafficDirection>? RequireDefaultDeny { get; set; }
    [JsonPropertyName("requirePodCoverage")] public bool? RequirePodCoverage { get; set; }
    [JsonPropertyName("blockInstanceMetadata")] public bool? BlockInstanceMetadata { get; set; }
    [JsonPropertyName("remediate")] public bool? Remediate { get; set; }
}

/// <summary>Workload identity (IRSA / Pod Identity) duties.</summary>
public sealed class IrsaDuty
{
    [JsonPropertyName("disallowDefaultServiceAccount")] public bool? DisallowDefaultServiceAccount { get; set; }
    [JsonPropertyName("requireAutomountDisabledWithoutRole")] public bool? RequireAutomountDisabledWithoutRole { get; set; }
    [JsonPropertyName("disallowSharedRoles")] public bool? DisallowSharedRoles { get; set; }
    [JsonPropertyName("requireScopedTrustPolicy")] public bool? RequireScopedTrustPolicy { get; set; }
    [JsonPropertyName("disallowWildcardActions")] public bool? DisallowWildcardActions { get; set; }
    [JsonPropertyName("disallowPrivilegeEscalation")] public bool? DisallowPrivilegeEscalation { get; set; }
    [JsonPropertyName("deniedManagedPolicies")] public List<string>? DeniedManagedPolicies { get; set; }
}

/// <summary>Pod configuration duties.</summary>
public sealed class PodSecurityDuty
{
    [JsonPropertyName("level")] public PodSecurityLevel Level { get; set; } = PodSecurityLevel.Baseline;
    /// <summary>The Pod Security Standards version the checks follow: "latest" (absent means latest) or "v1.N", as PSA's enforce-version.</summary>
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("requireResourceLimits")] public bool? RequireResourceLimits { get; set; }
    [JsonPropertyName("requireReadOnlyRootFilesystem")] public bool? RequireReadOnlyRootFilesystem { get; set; }
    [JsonPropertyName("requireNamespaceLabel")] public bool? RequireNamespaceLabel { get; set; }
}

/// <summary>EKS cluster duties (control plane, version, add-ons, threat detection, audit trail, access entries), checked through the AWS APIs.</summary>
public sealed class ClusterDuty
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("region")] public string? Region { get; set; }
    [JsonPropertyName("requireSecretsEncryption")] public bool? RequireSecretsEncryption { get; set; }
    [JsonPropertyName("requireKeyRotation")] public bool? RequireKeyRotation { get; set; }
    [JsonPropertyName("requiredLogTypes")] public List<string>? RequiredLogTypes { get; set; }
    [JsonPropertyName("disallowPublicEndpoint")] public bool? DisallowPublicEndpoint { get; set; }
    [JsonPropertyName("disallowOpenPublicCidrs")] public bool? DisallowOpenPublicCidrs { get; set; }
    [JsonPropertyName("disallowOpenSecurityGroups")] public bool? DisallowOpenSecurityGroups { get; set; }
    /// <summary>TCP and UDP ports that may be open to the internet.</summary>
    [JsonPropertyName("allowedPublicPorts")] public List<int>? AllowedPublicPorts { get; set; }
    [JsonPropertyName("requireSupportedVersion")] public bool? RequireSupportedVersion { get; set; }
    /// <summary>How long before the end of standard support a version already fails (a duration such as 720h).</summary>
    [JsonPropertyName("minSupportWindow")] public string? MinSupportWindow { get; set; }
    [JsonPropertyName("requireCurrentAddons")] public bool? RequireCurrentAddons { get; set; }
    /// <summary>GuardDuty features that must be on in the cluster's region; empty: an enabled detector only.</summary>
    [JsonPropertyName("requireThreatDetection")] public List<string>? RequireThreatDetection { get; set; }
    [JsonPropertyName("requireAuditTrail")] public bool? RequireAuditTrail { get; set; }
    [JsonPropertyName("restrictClusterAdmins")] public bool? RestrictClusterAdmins { get; set; }
    [JsonPropertyName("allowedAdminPrincipals")] public List<string>? AllowedAdminPrincipals { get; set; }
}

/// <summary>Access inside the cluster: Kubernetes RBAC and the aws-auth ConfigMap.</summary>
public sealed class RbacDuty
{
    [JsonPropertyName("disallowClusterAdminBindings")] public bool? DisallowClusterAdminBindings { get; set; }
    [JsonPropertyName("disallowWildcardRoles")] public bool? DisallowWildcardRoles { get; set; }
    [JsonPropertyName("disallowAnonymousAccess")] public bool? DisallowAnonymousAccess { get; set; }
    [JsonPropertyName("restrictWorkloadPrivileges")] public bool? RestrictWorkloadPrivileges { get; set; }
    [JsonPropertyName("disallowSystemMastersMapping")] public bool? DisallowSystemMastersMapping { get; set; }
    [JsonPropertyName("allowedSubjects")] public List<RbacSubjectRef>? AllowedSubjects { get; set; }
}

/// <summary>A user, group or service account that every rbac.* rule allows.</summary>
public sealed class RbacSubjectRef
{
    [JsonPropertyName("kind")] public RbacSubjectKind Kind { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
}

/// <summary>Encryption at rest (EBS volumes) and in transit (Ingresses, LoadBalancer Services), judged on Kubernetes objects.</summary>
public sealed class EncryptionDuty
{
    [JsonPropertyName("requireEncryptedVolumes")] public bool? RequireEncryptedVolumes { get; set; }
    [JsonPropertyName("requireTlsIngress")] public bool? RequireTlsIngress { get; set; }
    /// <summary>LoadBalancer Service ports that may stay without TLS at the load balancer (e.g. TLS passthrough).</summary>
    [JsonPropertyName("allowedPlainPorts")] public List<int>? AllowedPlainPorts { get; set; }
}

/// <summary>Node duties: kubelet version skew, node and AMI age, the recommended AMI, and IMDSv2 on the instance.</summary>
public sealed class NodeDuty
{
    /// <summary>Minor versions a kubelet may lag the API server (0 to 3, the skew policy's limit).</summary>
    [JsonPropertyName("maxKubeletSkew")] public int? MaxKubeletSkew { get; set; }
    /// <summary>A duration in Go syntax, e.g. 720h: nodes older than this were not replaced with a patched image.</summary>
    [JsonPropertyName("maxNodeAge")] public string? MaxNodeAge { get; set; }
    [JsonPropertyName("requireImdsV2")] public bool? RequireImdsV2 { get; set; }
    /// <summary>Nodes whose instances may use a metadata hop limit of 2.</summary>
    [JsonPropertyName("allowHopLimit2")] public V1LabelSelector? AllowHopLimit2 { get; set; }
    /// <summary>A duration such as 720h: the AMI behind a node was created at most this long ago.</summary>
    [JsonPropertyName("maxAmiAge")] public string? MaxAmiAge { get; set; }
    [JsonPropertyName("requireRecommendedAmi")] public bool? RequireRecommendedAmi { get; set; }
}

/// <summary>A time-limited, reasoned exception from some rules for some workloads.</summary>
public sealed class PolicyExemption
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespaces")] public List<string>? Namespaces { get; set; }
    [JsonPropertyName("selector")] public V1LabelSelector? Selector { get; set; }
    [JsonPropertyName("images")] public List<string>? Images { get; set; }
    [JsonPropertyName("rules")] public List<string> Rules { get; set; } = [];
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; set; }
}

/// <summary>Admission-time choices for Enforce mode.</summary>
public sealed class AdmissionSettings
{
    [JsonPropertyName("unknownImages")] public UnknownImageAction? UnknownImages { get; set; }
}
