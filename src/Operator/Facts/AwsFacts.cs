namespace EksHardening.Operator.Facts;

/// <summary>
/// A fact that could not be learned from AWS, and why (the service and operation asked, the kind of error, e.g.
/// <c>AccessDenied</c>, and AWS's message): rules report it as <c>error</c>, never as a pass.
/// </summary>
public sealed record FactError(string Service, string Operation, string Kind, string Message)
{
    public override string ToString() => $"{Service} {Operation}: {Kind}: {Message}";
}

/// <summary>What AWS says about one image as a container names it: its ECR repository, digest, scan setting and latest scan.</summary>
public sealed class ImageFacts
{
    public required string Image { get; init; }
    /// <summary>Set when the image is not in ECR, so none of its scan facts can be known.</summary>
    public string? NotEcrReason { get; init; }
    public EcrRegistry? Registry { get; init; }
    public string? Repository { get; init; }
    /// <summary>The digest that runs: from a pod's imageID, the reference itself, or ECR's tag lookup.</summary>
    public string? Digest { get; init; }
    public string? DigestSource { get; init; }
    public FactError? DigestError { get; init; }
    public bool? ScanOnPush { get; init; }
    /// <summary>Which setting scans the repository on push: the repository's own flag or a registry scanning rule.</summary>
    public string? ScanOnPushSource { get; init; }
    public FactError? ScanConfigError { get; init; }
    /// <summary>The repository's <c>imageTagMutability</c> (MUTABLE, IMMUTABLE, or one of the _WITH_EXCLUSION forms), when asked.</summary>
    public string? TagMutability { get; init; }
    /// <summary>DescribeRepositories failed for the image's repository.</summary>
    public FactError? RepositoryError { get; init; }
    public EcrScanFindings? Scan { get; init; }
    /// <summary>ECR has no scan of this image (ScanNotFoundException).</summary>
    public bool NeverScanned { get; init; }
    public FactError? ScanError { get; init; }
}

/// <summary>An IAM role's documents: trust policy, inline policies and attached managed policies (default versions).</summary>
public sealed class RoleFacts
{
    public required string RoleArn { get; init; }
    public IamRole? Role { get; init; }
    public IReadOnlyList<IamRolePolicy> InlinePolicies { get; init; } = [];
    public IReadOnlyList<(IamAttachedPolicy Policy, string? Document)> AttachedPolicies { get; init; } = [];
    public FactError? Error { get; init; }
}

/// <summary>
/// The EKS cluster's description and its secrets key's rotation, and — each learned only for a policy whose rule reads
/// it, else null — its version's support, its add-ons, the region's GuardDuty detectors and CloudTrail trails, and its
/// access entries. Each part that could not be learned has its error instead.
/// </summary>
public sealed class ClusterFacts
{
    public required string Name { get; init; }
    public required string Region { get; init; }
    public EksCluster? Cluster { get; init; }
    public FactError? ClusterError { get; init; }
    public KmsKeyRotation? KeyRotation { get; init; }
    public FactError? KeyRotationError { get; init; }

    /// <summary>What DescribeClusterVersions says of the cluster's Kubernetes version (null: EKS did not list it).</summary>
    public EksClusterVersion? VersionSupport { get; init; }
    public bool VersionSupportCollected { get; init; }
    public FactError? VersionSupportError { get; init; }

    public IReadOnlyList<AddonFacts>? Addons { get; init; }
    public FactError? AddonsError { get; init; }

    public IReadOnlyList<GuardDutyDetector>? Detectors { get; init; }
    public FactError? DetectorsError { get; init; }

    public IReadOnlyList<TrailFacts>? Trails { get; init; }
    public FactError? TrailsError { get; init; }

    public IReadOnlyList<AccessEntryFacts>? AccessEntries { get; init; }
    public FactError? AccessEntriesError { get; init; }

    /// <summary>Every part that could not be learned.</summary>
    public IEnumerable<FactError> Errors =>
        new[] { ClusterError, KeyRotationError, VersionSupportError, AddonsError, DetectorsError, TrailsError, AccessEntriesError }
            .Concat(Addons?.Select(a => a.Error) ?? [])
            .Concat(Trails?.Select(t => t.Error) ?? [])
            .Concat(AccessEntries?.Select(e => e.Error) ?? [])
            .OfType<FactError>();
}

/// <summary>An installed add-on and the default version EKS gives the cluster's Kubernetes version (null: none is).</summary>
public sealed record AddonFacts(EksAddon Addon, string? DefaultVersion, FactError? Error = null);

/// <summary>A trail that covers the region, whether it is logging, and what it records (null where <paramref name="Error"/> says why).</summary>
public sealed record TrailFacts(CloudTrailTrail Trail, bool? IsLogging, CloudTrailEventSelectors? Selectors, FactError? Error = null);

/// <summary>An access entry's principal and the access policies associated with it.</summary>
public sealed record AccessEntryFacts(string PrincipalArn, IReadOnlyList<EksAccessPolicyAssociation> Policies, FactError? Error = null);

/// <summary>
/// Everything the AWS-backed rules read, collected before evaluation so that evaluation itself stays pure.
/// A fact object is reused for as long as it is cached, so "unchanged" is reference equality.
/// </summary>
public sealed class AwsFacts
{
    public IReadOnlyDictionary<string, ImageFacts> Images { get; init; } = new Dictionary<string, ImageFacts>();
    public IReadOnlyDictionary<string, RoleFacts> Roles { get; init; } = new Dictionary<string, RoleFacts>();
    /// <summary>EKS Pod Identity: the role bound to <c>namespace/serviceAccount</c>.</summary>
    public IReadOnlyDictionary<string, string> PodIdentityRoles { get; init; } = new Dictionary<string, string>();
    public FactError? PodIdentityError { get; init; }
    public ClusterFacts? Cluster { get; init; }

    /// <summary>EC2, node group and SSM facts about the cluster's Nodes, for the rules that read them; null when none is on.</summary>
    public NodeFacts? Nodes { get; init; }

    /// <summary>Whether the cluster's region encrypts new EBS volumes by default (encryption.volumes); null when not asked.</summary>
    public EbsDefaultEncryption? EbsDefault { get; init; }

    public ImageFacts? ImageFor(string? image) => image is not null && Images.TryGetValue(image, out var facts) ? facts : null;

    public RoleFacts? RoleFor(string? roleArn) => roleArn is not null && Roles.TryGetValue(roleArn, out var facts) ? facts : null;

    /// <summary>Every fact that could not be learned, for the AwsReachable condition.</summary>
    public IEnumerable<FactError> Errors =>
        Images.Values.SelectMany(i => new[] { i.DigestError, i.ScanConfigError, i.RepositoryError, i.ScanError })
            .Concat(Roles.Values.Select(r => r.Error))
            .Append(PodIdentityError)
            .Append(EbsDefault?.Error)
            .OfType<FactError>()
            .Concat(Cluster?.Errors ?? [])
            .Concat(Nodes?.Errors ?? []);
}

/// <summary>
/// What AWS says about the instances behind the cluster's Nodes: each instance (by the id in <c>spec.providerID</c>),
/// its AMI, the security groups of the instances and the cluster, the managed node groups with the release the public
/// SSM parameter recommends for each. An id asked but
/// absent from an answer (a terminated instance, a deregistered image) is not a key; a lookup that failed has its error.
/// </summary>
public sealed class NodeFacts
{
    public IReadOnlyDictionary<string, Ec2Instance> Instances { get; init; } = new Dictionary<string, Ec2Instance>();
    public FactError? InstancesError { get; init; }

    public IReadOnlyDictionary<string, Ec2Image> Images { get; init; } = new Dictionary<string, Ec2Image>();
    public FactError? ImagesError { get; init; }

    /// <summary>The groups judged: every instance's, the cluster security group and the additional control-plane groups.</summary>
    public IReadOnlyDictionary<string, Ec2SecurityGroup> SecurityGroups { get; init; } = new Dictionary<string, Ec2SecurityGroup>();
    /// <summary>Which groups were asked for, and why (e.g. "cluster security group", "instance i-0abc of Node ip-10-0-1-2").</summary>
    public IReadOnlyDictionary<string, string> SecurityGroupRoles { get; init; } = new Dictionary<string, string>();
    public FactError? SecurityGroupsError { get; init; }

    /// <summary>Managed node groups by name, each with the release its public SSM parameter recommends.</summary>
    public IReadOnlyDictionary<string, NodegroupFacts> Nodegroups { get; init; } = new Dictionary<string, NodegroupFacts>();
    public FactError? NodegroupsError { get; init; }

    /// <summary>Every lookup that could not be made.</summary>
    public IEnumerable<FactError> Errors =>
        new[] { InstancesError, ImagesError, SecurityGroupsError, NodegroupsError }
            .Concat(Nodegroups.Values.SelectMany(n => new[] { n.Error, n.RecommendedError }))
            .OfType<FactError>();
}

/// <summary>
/// A managed node group and the release EKS recommends for its AMI type and Kubernetes version: the SSM parameter asked
/// (null for an AMI type without one, e.g. CUSTOM), its release (null when the parameter does not exist).
/// </summary>
public sealed record NodegroupFacts(string Name, EksNodegroup? Nodegroup, FactError? Error, string? Parameter = null, string? RecommendedRelease = null, FactError? RecommendedError = null);

/// <summary>GetEbsEncryptionByDefault for one region: on, off, or unknown with the error.</summary>
public sealed record EbsDefaultEncryption(string Region, bool? Enabled, FactError? Error = null);
