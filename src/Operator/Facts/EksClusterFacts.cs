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
}
