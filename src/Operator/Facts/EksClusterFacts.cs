namespace EksHardening.Operator.Facts;

/// <summary>One entry of a cluster's <c>encryptionConfig</c>: which resources (<c>secrets</c>) a KMS key encrypts.</summary>
public sealed record EksEncryptionConfig(IReadOnlyList<string> Resources, string? KeyArn);

/// <summary>One entry of <c>logging.clusterLogging</c>: control-plane log types and whether they are on.</summary>
public sealed record EksLogSetup(IReadOnlyList<string> Types, bool Enabled);

/// <summary>What DescribeCluster tells the cluster rules: encryption, logging, endpoint exposure and the OIDC issuer.</summary>
public sealed record EksCluster(
    string Name, string Arn, string? Version, string? Status,
    IReadOnlyList<EksEncryptionConfig> EncryptionConfig, IReadOnlyList<EksLogSetup> Logging,
    bool EndpointPublicAccess, bool EndpointPrivateAccess, IReadOnlyList<string> PublicAccessCidrs, string? OidcIssuer)
{
    /// <summary>Log types that are enabled (<c>api</c>, <c>audit</c>, <c>authenticator</c>, <c>controllerManager</c>, <c>scheduler</c>).</summary>
    public IReadOnlySet<string> EnabledLogTypes =>
        Logging.Where(l => l.Enabled).SelectMany(l => l.Types).ToHashSet(StringComparer.Ordinal);

    /// <summary>The KMS key that envelope-encrypts Kubernetes secrets, or null when secrets encryption is off.</summary>
    public string? SecretsKeyArn =>
        EncryptionConfig.FirstOrDefault(c => c.Resources.Contains("secrets", StringComparer.Ordinal))?.KeyArn;

    /// <summary><c>accessConfig.authenticationMode</c>: <c>CONFIG_MAP</c>, <c>API_AND_CONFIG_MAP</c> or <c>API</c>.</summary>
    public string? AuthenticationMode { get; init; }

    /// <summary><c>accessConfig.bootstrapClusterCreatorAdminPermissions</c>: the creator was made a cluster admin.</summary>
    public bool? BootstrapClusterCreatorAdminPermissions { get; init; }

    /// <summary><c>resourcesVpcConfig.clusterSecurityGroupId</c>: the group EKS created for the control plane and nodes.</summary>
    public string? ClusterSecurityGroupId { get; init; }

    /// <summary><c>resourcesVpcConfig.securityGroupIds</c>: additional control-plane security groups.</summary>
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
}

/// <summary>
/// One Kubernetes version as EKS supports it (DescribeClusterVersions): its support status and the dates standard and
/// extended support end.
/// </summary>
/// <param name="Status"><c>STANDARD_SUPPORT</c>, <c>EXTENDED_SUPPORT</c> or <c>UNSUPPORTED</c> (the API's <c>versionStatus</c>, else <c>status</c>).</param>
public sealed record EksClusterVersion(
    string Version, string? Status, bool DefaultVersion, DateTimeOffset? ReleaseDate,
    DateTimeOffset? EndOfStandardSupportDate, DateTimeOffset? EndOfExtendedSupportDate);

/// <summary>An EKS add-on installed on the cluster (DescribeAddon).</summary>
public sealed record EksAddon(string Name, string? Version, string? Status, string? Arn);

/// <summary>
/// One version of an add-on (DescribeAddonVersions for the cluster's Kubernetes version): whether it is the default
/// that EKS installs for that version.
/// </summary>
public sealed record EksAddonVersion(string AddonName, string Version, bool IsDefault);

/// <summary>An access policy associated with an access entry (ListAssociatedAccessPolicies): the policy and its scope.</summary>
/// <param name="ScopeType"><c>cluster</c> or <c>namespace</c>.</param>
public sealed record EksAccessPolicyAssociation(string PolicyArn, string ScopeType, IReadOnlyList<string> Namespaces);

/// <summary>A managed node group (DescribeNodegroup): its AMI type and release, Kubernetes version and launch template.</summary>
public sealed record EksNodegroup(
    string Name, string? AmiType, string? ReleaseVersion, string? Version, string? Status,
    string? LaunchTemplateId, string? LaunchTemplateVersion, IReadOnlyList<string> AutoScalingGroups);
