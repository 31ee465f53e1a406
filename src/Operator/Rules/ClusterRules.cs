using EksHardening.Entities;

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
        var facts = context.Snapshot.Aws?.Cluster;
        if (facts?.Cluster is not { } cluster)
        {
            var why = facts?.ClusterError?.ToString() ?? "no cluster name and region are known (spec.cluster.name, spec.cluster.region, or --cluster-name/--region)";
            foreach (var rule in enabled) findings.Error(rule, $"the EKS cluster could not be described: {why}");
            return;
        }

        var keyArn = cluster.SecretsKeyArn;
        if (duty.RequireSecretsEncryption == true && keyArn is null)
        {
            findings.Fail(SecretsEncryption, $"cluster {cluster.Name} does not envelope-encrypt secrets (no encryptionConfig for secrets)", "encryptionConfig");
        }

        if (duty.RequireKeyRotation == true)
        {
            if (keyArn is null) findings.Fail(KeyRotation, $"cluster {cluster.Name} has no KMS key for secrets, so there is no key to rotate", "encryptionConfig");
            else if (facts.KeyRotationError is { } error) findings.Error(KeyRotation, $"the rotation of KMS key {keyArn} is unknown: {error}", "encryptionConfig[0].provider.keyArn");
            else if (facts.KeyRotation?.RotationEnabled != true) findings.Fail(KeyRotation, $"KMS key {keyArn} that encrypts the secrets of {cluster.Name} does not rotate automatically", "encryptionConfig[0].provider.keyArn");
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
            var open = cluster.PublicAccessCidrs.Where(c => c.Trim() is "0.0.0.0/0" or "::/0").ToList();
            if (open.Count > 0)
            {
                findings.Fail(OpenCidrs, $"cluster {cluster.Name}'s public API endpoint accepts {string.Join(", ", open)}", "resourcesVpcConfig.publicAccessCidrs");
            }
        }
    }
}
