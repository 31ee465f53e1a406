using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// The EKS control plane's own duties (<c>cluster.*</c>): secrets envelope encryption with a rotated KMS key,
/// control-plane logging, and endpoint exposure. Findings sit on the cluster, not on a workload.
/// </summary>
public sealed class ClusterRules : IRuleFamily
{
    public static readonly RuleDefinition SecretsEncryption = new(
        "cluster.secrets-encryption", "Kubernetes secrets are envelope-encrypted with a KMS key",
        ResponsibilityRow.DataEncryption, Severity.High, RuleScope.Cluster, "cluster.requireSecretsEncryption",
        "aws eks associate-encryption-config --cluster-name <name> --encryption-config resources=secrets,provider={keyArn=<kms-key-arn>}",
        RequiresAws: true);

    public static readonly RuleDefinition KeyRotation = new(
        "cluster.kms-key-rotation", "The KMS key that encrypts secrets rotates automatically",
        ResponsibilityRow.DataEncryption, Severity.Medium, RuleScope.Cluster, "cluster.requireKeyRotation",
        "aws kms enable-key-rotation --key-id <key>",
        RequiresAws: true);

    public static readonly RuleDefinition ControlPlaneLogging = new(
        "cluster.control-plane-logging", "The required control-plane log types are sent to CloudWatch",
        ResponsibilityRow.Monitoring, Severity.Medium, RuleScope.Cluster, "cluster.requiredLogTypes",
        "aws eks update-cluster-config --name <name> --logging '{\"clusterLogging\":[{\"types\":[...],\"enabled\":true}]}'",
        RequiresAws: true);

    public static readonly RuleDefinition PublicEndpoint = new(
        "cluster.endpoint-public-access", "The API server endpoint is not public",
        ResponsibilityRow.NetworkSecurity, Severity.High, RuleScope.Cluster, "cluster.disallowPublicEndpoint",
        "aws eks update-cluster-config --name <name> --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true",
        RequiresAws: true);

    public static readonly RuleDefinition OpenCidrs = new(
        "cluster.endpoint-open-cidrs", "A public API endpoint is not open to the whole internet (0.0.0.0/0)",
        ResponsibilityRow.NetworkSecurity, Severity.High, RuleScope.Cluster, "cluster.disallowOpenPublicCidrs",
        "aws eks update-cluster-config --name <name> --resources-vpc-config publicAccessCidrs=<your CIDRs>",
        RequiresAws: true);

    /// <summary>Why no cluster fact was asked for, in every cluster family's errors.</summary>
    internal const string ClusterFactsMissing = "no cluster name and region are known (spec.cluster.name, spec.cluster.region, or --cluster-name/--region)";

    /// <summary>
    /// The cluster's facts and the described EKS cluster; when it was not described, each of <paramref name="rules"/> is
    /// an error saying why (never a pass) and the result is false.
    /// </summary>
    internal static bool TryDescribed(ClusterContext context, IReadOnlyList<RuleDefinition> rules, FindingCollector findings,
        [NotNullWhen(true)] out ClusterFacts? facts, [NotNullWhen(true)] out EksCluster? cluster)
    {
        facts = context.Snapshot.Aws?.Cluster;
        cluster = facts?.Cluster;
        if (facts is not null && cluster is not null) return true;
        var why = facts?.ClusterError?.ToString() ?? ClusterFactsMissing;
        foreach (var rule in rules) findings.Error(rule, $"the EKS cluster could not be described: {why}");
        return false;
    }

    public IReadOnlyList<RuleDefinition> Rules { get; } = [SecretsEncryption, KeyRotation, ControlPlaneLogging, PublicEndpoint, OpenCidrs];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Cluster is not { } duty) return [];
        var enabled = new List<RuleDefinition>(5);
        if (duty.RequireSecretsEncryption == true) enabled.Add(SecretsEncryption);
        if (duty.RequireKeyRotation == true) enabled.Add(KeyRotation);
        if (duty.RequiredLogTypes is { Count: > 0 }) enabled.Add(ControlPlaneLogging);
        if (duty.DisallowPublicEndpoint == true) enabled.Add(PublicEndpoint);
        if (duty.DisallowOpenPublicCidrs == true) enabled.Add(OpenCidrs);
        return enabled;
    }

    public void EvaluateCluster(ClusterContext context, FindingCollector findings)
    {
        var duty = context.Policy.Cluster!;
        var enabled = EnabledRules(context.Policy);
        if (!TryDescribed(context, enabled, findings, out var facts, out var cluster)) return;

        var keyArn = cluster.SecretsKeyArn;
        if (duty.RequireSecretsEncryption == true && keyArn is null)
        {
            findings.Fail(SecretsEncryption, $"cluster {cluster.Name} does not envelope-encrypt secrets (no encryptionConfig for secrets)", "encryptionConfig");
        }

        if (duty.RequireKeyRotation == true)
        {
            var keyPath = $"encryptionConfig[{SecretsConfigIndex(cluster)}].provider.keyArn";
            if (keyArn is null) findings.Fail(KeyRotation, $"cluster {cluster.Name} has no KMS key for secrets, so there is no key to rotate", "encryptionConfig");
            else if (facts.KeyRotationError is { } error) findings.Error(KeyRotation, $"the rotation of KMS key {keyArn} is unknown: {error}", keyPath);
            else if (facts.KeyRotation is not { } rotation) findings.Error(KeyRotation, $"the rotation of KMS key {keyArn} is unknown: it was not collected", keyPath);
            else if (!rotation.RotationEnabled) findings.Fail(KeyRotation, $"KMS key {keyArn} that encrypts the secrets of {cluster.Name} does not rotate automatically", keyPath);
        }

        if (duty.RequiredLogTypes is { Count: > 0 } required)
        {
            var enabledTypes = cluster.EnabledLogTypes;
            var missing = required.Where(t => !enabledTypes.Contains(t)).ToList();
            if (missing.Count > 0)
            {
                findings.Fail(ControlPlaneLogging, $"cluster {cluster.Name}: control-plane log type(s) {string.Join(", ", missing)} disabled", "logging.clusterLogging");
            }
        }

        if (duty.DisallowPublicEndpoint == true && cluster.EndpointPublicAccess)
        {
            findings.Fail(PublicEndpoint, $"cluster {cluster.Name} has a public API endpoint (endpointPublicAccess: true)", "resourcesVpcConfig.endpointPublicAccess");
        }

        if (duty.DisallowOpenPublicCidrs == true && cluster.EndpointPublicAccess)
        {
            CheckPublicAccessCidrs(cluster, findings);
        }
    }

    /// <summary>
    /// The public endpoint is open to the whole internet when its CIDRs, however split, cover every IPv4 or every IPv6
    /// address. An empty list is EKS's default, 0.0.0.0/0 (EKS API reference, VpcConfigResponse.publicAccessCidrs).
    /// </summary>
    private static void CheckPublicAccessCidrs(EksCluster cluster, FindingCollector findings)
    {
        const string path = "resourcesVpcConfig.publicAccessCidrs";
        if (cluster.PublicAccessCidrs.Count == 0)
        {
            findings.Fail(OpenCidrs, $"cluster {cluster.Name}'s public API endpoint lists no publicAccessCidrs, and EKS's default is 0.0.0.0/0 (every address)", path);
            return;
        }

        var networks = new List<IPNetwork>(cluster.PublicAccessCidrs.Count);
        foreach (var text in cluster.PublicAccessCidrs)
        {
            if (NetworkPolicySemantics.TryParseCidr(text.Trim(), out var network)) networks.Add(network);
            else findings.Error(OpenCidrs, $"cluster {cluster.Name}: publicAccessCidrs entry \"{text}\" is not a CIDR, so who may reach the public endpoint is unknown", path);
        }

        foreach (var (family, everything) in new[] { (AddressFamily.InterNetwork, "every IPv4 address"), (AddressFamily.InterNetworkV6, "every IPv6 address") })
        {
            var ofFamily = networks.Where(n => n.BaseAddress.AddressFamily == family).ToList();
            if (!CoversEverything(ofFamily, family == AddressFamily.InterNetwork ? 32 : 128)) continue;
            var open = ofFamily.Where(n => n.PrefixLength == 0).ToList();
            var what = open.Count > 0 ? string.Join(", ", open) : $"{string.Join(", ", ofFamily)}, which together cover {everything}";
            findings.Fail(OpenCidrs, $"cluster {cluster.Name}'s public API endpoint accepts {what}", path);
        }
    }

    /// <summary>Whether the networks (all of one address family of <paramref name="bits"/> bits) leave no address out.</summary>
    internal static bool CoversEverything(List<IPNetwork> networks, int bits)
    {
        var last = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        UInt128 next = 0;   // the lowest address not covered yet
        foreach (var (start, end) in networks.Select(n => Range(n, bits)).OrderBy(r => r.Start))
        {
            if (start > next) return false;
            if (end == last) return true;
            if (end >= next) next = end + 1;
        }

        return false;
    }

    private static (UInt128 Start, UInt128 End) Range(IPNetwork network, int bits)
    {
        var start = UInt128.Zero;
        foreach (var b in network.BaseAddress.GetAddressBytes()) start = (start << 8) | b;
        var hostBits = bits - network.PrefixLength;
        var hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return (start & ~hostMask, start | hostMask);
    }

    /// <summary>Which entry of encryptionConfig holds the secrets key, for the finding's path.</summary>
    private static int SecretsConfigIndex(EksCluster cluster)
    {
        for (var i = 0; i < cluster.EncryptionConfig.Count; i++)
        {
            if (cluster.EncryptionConfig[i].Resources.Contains("secrets", StringComparer.Ordinal)) return i;
        }

        return 0;
    }
}
