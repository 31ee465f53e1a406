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
}

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
