namespace EksHardening.AwsStub.Eks;

/// <summary>An EKS cluster to seed, with the settings the hardening rules read. Unset ids and URLs are filled in.</summary>
public sealed record EksCluster
{
    /// <summary>Every control-plane log type EKS knows.</summary>
    public static readonly IReadOnlyList<string> AllLogTypes = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

    public required string Name { get; init; }

    public string Version { get; init; } = "1.31";

    /// <summary>CREATING, ACTIVE, DELETING, FAILED or UPDATING.</summary>
    public string Status { get; init; } = "ACTIVE";

    /// <summary>The KMS key that envelope-encrypts Kubernetes secrets; null: no encryptionConfig.</summary>
    public string? SecretsKeyArn { get; init; }

    /// <summary>Log types turned on; the others are reported as turned off.</summary>
    public IReadOnlyList<string> EnabledLogTypes { get; init; } = [];

    public bool EndpointPublicAccess { get; init; } = true;

    public bool EndpointPrivateAccess { get; init; }

    public IReadOnlyList<string> PublicAccessCidrs { get; init; } = ["0.0.0.0/0"];

    /// <summary>The OIDC issuer URL IRSA tokens carry; filled in when null.</summary>
    public string? OidcIssuer { get; init; }

    public string? RoleArn { get; init; }

    public string? Endpoint { get; init; }

    public string PlatformVersion { get; init; } = "eks.10";

    public DateTimeOffset? CreatedAt { get; init; }

    public string? Arn { get; init; }

    public string VpcId { get; init; } = "vpc-0a1b2c3d4e5f60789";

    public IReadOnlyList<string> SubnetIds { get; init; } = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary><c>accessConfig.authenticationMode</c>: CONFIG_MAP, API_AND_CONFIG_MAP or API.</summary>
    public string AuthenticationMode { get; init; } = "API_AND_CONFIG_MAP";

    /// <summary><c>accessConfig.bootstrapClusterCreatorAdminPermissions</c>; EKS's default is true.</summary>
    public bool BootstrapClusterCreatorAdminPermissions { get; init; } = true;

    /// <summary>The security group EKS creates for the control plane and nodes; filled in when null.</summary>
    public string? ClusterSecurityGroupId { get; init; }

    /// <summary>Additional control-plane security groups (<c>resourcesVpcConfig.securityGroupIds</c>).</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
}

/// <summary>A Kubernetes version in EKS's catalog (DescribeClusterVersions), with its support dates.</summary>
public sealed record EksClusterVersion
{
    public required string Version { get; init; }

    /// <summary>STANDARD_SUPPORT, EXTENDED_SUPPORT or UNSUPPORTED; null: from the support dates and the stub's clock.</summary>
    public string? VersionStatus { get; init; }

    public bool DefaultVersion { get; init; }

    public DateTimeOffset? ReleaseDate { get; init; }

    public DateTimeOffset? EndOfStandardSupportDate { get; init; }

    public DateTimeOffset? EndOfExtendedSupportDate { get; init; }

    public string ClusterType { get; init; } = "eks";

    public string DefaultPlatformVersion { get; init; } = "eks.10";

    public string? KubernetesPatchVersion { get; init; }
}

/// <summary>An EKS add-on installed on a cluster (ListAddons, DescribeAddon).</summary>
public sealed record EksAddon
{
    public required string ClusterName { get; init; }

    public required string Name { get; init; }

    /// <summary>The installed version, e.g. <c>v1.19.0-eksbuild.1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>CREATING, ACTIVE, CREATE_FAILED, UPDATING, DELETING, DELETE_FAILED, DEGRADED or UPDATE_FAILED.</summary>
    public string Status { get; init; } = "ACTIVE";

    /// <summary>Filled in when null: <c>arn:aws:eks:…:addon/{cluster}/{name}/{uuid}</c>.</summary>
    public string? Arn { get; init; }

    public string? ServiceAccountRoleArn { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>One version of an add-on in EKS's catalog (DescribeAddonVersions) and the Kubernetes versions it supports.</summary>
public sealed record EksAddonVersion
{
    public required string AddonName { get; init; }

    public required string Version { get; init; }

    public IReadOnlyList<EksAddonCompatibility> Compatibilities { get; init; } = [];

    /// <summary>The add-on's type (<c>networking</c>, <c>storage</c>, …); the first seeded version of an add-on sets it.</summary>
    public string Type { get; init; } = "networking";

    public string Publisher { get; init; } = "eks";

    public string Owner { get; init; } = "aws";

    public IReadOnlyList<string> Architecture { get; init; } = ["amd64", "arm64"];
}

/// <summary>A Kubernetes version an add-on version runs on, and whether it is the default EKS installs there.</summary>
public sealed record EksAddonCompatibility(string ClusterVersion, bool DefaultVersion = false);

/// <summary>An access entry: an IAM principal given access to a cluster, with its associated access policies.</summary>
public sealed record EksAccessEntry
{
    public const string ClusterAdminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    public const string AdminPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy";
    public const string ViewPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

    public required string ClusterName { get; init; }

    public required string PrincipalArn { get; init; }

    /// <summary>STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, …</summary>
    public string Type { get; init; } = "STANDARD";

    public IReadOnlyList<EksAccessPolicy> Policies { get; init; } = [];

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>An access policy associated with an access entry, cluster-wide or for some namespaces.</summary>
public sealed record EksAccessPolicy(string PolicyArn, string ScopeType = "cluster", IReadOnlyList<string>? Namespaces = null);

/// <summary>A managed node group (ListNodegroups, DescribeNodegroup).</summary>
public sealed record EksNodegroup
{
    public required string ClusterName { get; init; }

    public required string Name { get; init; }

    public string AmiType { get; init; } = "AL2023_x86_64_STANDARD";

    /// <summary>The EKS-optimized AMI release, e.g. <c>1.31.2-20241109</c> (for a custom AMI, its id).</summary>
    public string? ReleaseVersion { get; init; } = "1.31.2-20241109";

    /// <summary>The Kubernetes version of the nodes; null: the cluster's.</summary>
    public string? Version { get; init; }

    /// <summary>CREATING, ACTIVE, UPDATING, DELETING, CREATE_FAILED, DELETE_FAILED or DEGRADED.</summary>
    public string Status { get; init; } = "ACTIVE";

    public string CapacityType { get; init; } = "ON_DEMAND";

    public IReadOnlyList<string> InstanceTypes { get; init; } = ["m5.large"];

    public EksLaunchTemplate? LaunchTemplate { get; init; }

    /// <summary>The group's Auto Scaling groups; null: one named <c>eks-{name}-{uuid}</c>.</summary>
    public IReadOnlyList<string>? AutoScalingGroups { get; init; }

    public string? RemoteAccessSecurityGroup { get; init; }

    public string? NodeRole { get; init; }

    public string? Arn { get; init; }

    public int DesiredSize { get; init; } = 2;

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>The launch template a node group was created from.</summary>
public sealed record EksLaunchTemplate(string Id, string Version, string? Name = null);

/// <summary>An EKS Pod Identity association: a service account in a namespace of a cluster mapped to an IAM role.</summary>
public sealed record PodIdentityAssociation
{
    public required string ClusterName { get; init; }

    public required string Namespace { get; init; }

    public required string ServiceAccount { get; init; }

    public required string RoleArn { get; init; }

    /// <summary>Filled in when null: <c>a-</c> and 17 lower-case letters and digits.</summary>
    public string? AssociationId { get; init; }

    public string? AssociationArn { get; init; }

    public string? TargetRoleArn { get; init; }

    public bool DisableSessionTags { get; init; }

    public string? OwnerArn { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
