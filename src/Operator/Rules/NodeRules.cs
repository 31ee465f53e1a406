using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Node duties (<c>node.*</c>): a node's kubelet keeps up with the API server, nodes are replaced before they grow old
/// on an unpatched image, their AMI is recent and the one EKS recommends, and their instance keeps pods away from its
/// metadata credentials (IMDSv2, hop limit 1). Findings sit on the Node, which is judged whatever match says.
/// </summary>
public sealed class NodeRules : IRuleFamily
{
    public static readonly RuleDefinition KubeletSkew = new(
        "node.kubelet-skew", "A node's kubelet is not newer than the API server and lags it by at most maxKubeletSkew minor versions",
        ResponsibilityRow.PatchManagement, Severity.High, RuleScope.Object, "nodes.maxKubeletSkew",
        "Upgrade the node group (aws eks update-nodegroup-version, or roll the nodes onto an AMI of the control plane's version); a kubelet newer than the API server needs the control plane upgraded first.");

    public static readonly RuleDefinition MaxAge = new(
        "node.max-age", "Nodes are replaced before they are older than maxNodeAge",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Object, "nodes.maxNodeAge",
        "Replace old nodes with ones from a patched image: roll the managed node group (aws eks update-nodegroup-version --force) or let Karpenter expire them (expireAfter).");

    public static readonly RuleDefinition ImdsV2 = new(
        "node.imdsv2-required", "The instance behind a Node requires IMDSv2 tokens with a metadata hop limit of 1 (2 where allowHopLimit2 selects the Node)",
        ResponsibilityRow.InfrastructureSecurity, Severity.High, RuleScope.Object, "nodes.requireImdsV2",
        "Set the launch template's metadata options (HttpTokens=required, HttpPutResponseHopLimit=1) and roll the node group; for a running instance: aws ec2 modify-instance-metadata-options --instance-id <id> --http-tokens required --http-put-response-hop-limit 1.",
        RequiresAws: true);

    public static readonly RuleDefinition AmiAge = new(
        "node.ami-age", "The AMI behind a Node is no older than maxAmiAge",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Object, "nodes.maxAmiAge",
        "Roll the node group onto a current AMI (aws eks update-nodegroup-version, or a new launch template version with a newer image).",
        RequiresAws: true);

    public static readonly RuleDefinition AmiRecommended = new(
        "node.ami-recommended", "Managed node groups run the release EKS recommends for their AMI type and Kubernetes version",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Object, "nodes.requireRecommendedAmi",
        "aws eks update-nodegroup-version --cluster-name <name> --nodegroup-name <group> (without --release-version: the latest recommended release).",
        RequiresAws: true);

    private const string KubeletVersionPath = "status.nodeInfo.kubeletVersion";

    /// <summary>The label EKS puts on the Nodes of a managed node group.</summary>
    internal const string NodegroupLabel = "eks.amazonaws.com/nodegroup";

    public IReadOnlyList<RuleDefinition> Rules { get; } = [KubeletSkew, MaxAge, ImdsV2, AmiAge, AmiRecommended];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Nodes is not { } duty) return [];
        var enabled = new List<RuleDefinition>(5);
        if (duty.MaxKubeletSkew is not null) enabled.Add(KubeletSkew);
        if (duty.MaxNodeAge is not null) enabled.Add(MaxAge);
        if (duty.RequireImdsV2 == true) enabled.Add(ImdsV2);
        if (duty.MaxAmiAge is not null) enabled.Add(AmiAge);
        if (duty.RequireRecommendedAmi == true) enabled.Add(AmiRecommended);
        return enabled;
    }

    public void EvaluateObjects(ObjectContext context, ObjectFindings findings)
    {
        var duty = context.Policy.Nodes!;
        if (context.Snapshot.Unlisted.HasFlag(UnlistedObjects.Nodes))
        {
            findings.Unlisted(Unlisted.AllOf<V1Node>(), Rules, Unlisted.Message("Nodes", "spec.nodes"));
            return;
        }

        var infrastructure = context.Snapshot.Infrastructure;
        var apiServer = context.Snapshot.ApiServerVersion;
        var skewKnown = apiServer is not null;
        foreach (var node in infrastructure.Nodes)
        {
            var source = infrastructure.SourceOf(node);
            var rules = new List<RuleDefinition>(5);
            if (duty.MaxKubeletSkew is not null && skewKnown) rules.Add(KubeletSkew);
            if (duty.MaxNodeAge is not null) rules.Add(MaxAge);
            var aws = context.Snapshot.Aws?.Nodes;
            var nodegroup = node.Metadata?.Labels?.GetValueOrDefault(NodegroupLabel);
            if (aws is not null)
            {
                if (duty.RequireImdsV2 == true) rules.Add(ImdsV2);
                if (duty.MaxAmiAge is not null) rules.Add(AmiAge);
                if (duty.RequireRecommendedAmi == true && nodegroup is not null) rules.Add(AmiRecommended);
            }

            var collector = findings.On(node, rules, source);
            var name = node.Metadata?.Name ?? "";
            if (duty.MaxKubeletSkew is { } maxSkew)
            {
                if (skewKnown) CheckSkew(name, node, apiServer!, maxSkew, collector);
                else findings.Note(node, source, $"{KubeletSkew.Id} not evaluated: the API server's version is unknown (scan: --kubernetes-version 1.N)");
            }

            if (duty.MaxNodeAge is { } maxAgeText) CheckAge(name, node, maxAgeText, context.Now, collector);
            if (aws is null) continue;
            if (duty.RequireImdsV2 == true || duty.MaxAmiAge is not null)
            {
                var instance = InstanceOf(name, node, aws, out var instanceProblem);
                if (duty.RequireImdsV2 == true) CheckImds(name, node, instance, instanceProblem, duty.AllowHopLimit2, collector);
                if (duty.MaxAmiAge is { } maxAmiAge) CheckAmiAge(name, instance, instanceProblem, aws, maxAmiAge, context.Now, collector);
            }

            if (duty.RequireRecommendedAmi == true)
            {
                if (nodegroup is null) findings.Note(node, source, $"{AmiRecommended.Id} not evaluated: the Node is not in an EKS managed node group (no {NodegroupLabel} label)");
                else CheckRecommended(name, nodegroup, aws, collector);
            }
        }
    }

    /// <summary>The instance id in <c>spec.providerID</c> (<c>aws:///eu-west-1a/i-0abc…</c>), or null.</summary>
    internal static string? InstanceIdOf(V1Node node) =>
        node.Spec?.ProviderID is { } provider && provider.StartsWith("aws://", StringComparison.Ordinal)
            && provider[(provider.LastIndexOf('/') + 1)..] is { } id && id.StartsWith("i-", StringComparison.Ordinal)
            ? id
            : null;

    /// <summary>The Node's instance, or null with why it is unknown.</summary>
    private static Ec2Instance? InstanceOf(string name, V1Node node, NodeFacts aws, out string? problem)
    {
        problem = null;
        if (InstanceIdOf(node) is not { } id)
        {
            problem = $"Node {name} names no EC2 instance (spec.providerID \"{node.Spec?.ProviderID}\" is not aws:///ZONE/i-…)";
            return null;
        }

        if (aws.InstancesError is { } error) problem = $"instance {id} of Node {name} could not be described: {error}";
        else if (!aws.Instances.TryGetValue(id, out var instance)) problem = $"instance {id} of Node {name} is not known to EC2 (terminated and gone, or in another account or region)";
        else return instance;
        return null;
    }

    /// <summary>
    /// IMDSv2 only (HttpTokens required) and a hop limit of 1, so a pod's request, one network hop further than the
    /// node's, cannot get a session token; 2 where the policy allows it. A disabled metadata endpoint serves nothing.
    /// </summary>
    private static void CheckImds(string name, V1Node node, Ec2Instance? instance, string? problem, V1LabelSelector? allowHopLimit2, FindingCollector findings)
    {
        const string path = "spec.providerID";
        if (instance is null)
        {
            findings.Error(ImdsV2, $"{problem}, so its metadata options are unknown", path);
            return;
        }

        if (string.Equals(instance.HttpEndpoint, "disabled", StringComparison.Ordinal)) return;
        if (!string.Equals(instance.HttpTokens, "required", StringComparison.Ordinal))
        {
            findings.Fail(ImdsV2, $"instance {instance.InstanceId} of Node {name} accepts IMDSv1 (HttpTokens {instance.HttpTokens ?? "unknown"}): any pod can read the node role's credentials without a token", path);
            return;
        }

        var allowed = allowHopLimit2 is not null && LabelSelectors.Matches(allowHopLimit2, node.Metadata?.Labels) ? 2 : 1;
        if (instance.HttpPutResponseHopLimit is not { } hops)
        {
            findings.Error(ImdsV2, $"instance {instance.InstanceId} of Node {name} reports no metadata hop limit", path);
        }
        else if (hops > allowed)
        {
            var why = allowed == 2 ? "allowHopLimit2 allows 2 for this Node" : "pods are one hop further than the node";
            findings.Fail(ImdsV2, $"instance {instance.InstanceId} of Node {name} has a metadata hop limit of {hops} (at most {allowed}: {why}), so pods can fetch an IMDSv2 token and the node role's credentials", path);
        }
    }

    private static void CheckAmiAge(string name, Ec2Instance? instance, string? problem, NodeFacts aws, string maxAgeText, DateTimeOffset now, FindingCollector findings)
    {
        const string path = "spec.providerID";
        if (!DurationParser.TryParse(maxAgeText, out var maxAge) || maxAge <= TimeSpan.Zero)
        {
            findings.Error(AmiAge, $"maxAmiAge \"{maxAgeText}\" is not a positive duration such as 720h, so the AMI of Node {name} cannot be judged");
            return;
        }

        if (instance is null)
        {
            findings.Error(AmiAge, $"{problem}, so its AMI is unknown", path);
            return;
        }

        if (instance.ImageId is not { } imageId) findings.Error(AmiAge, $"instance {instance.InstanceId} of Node {name} reports no AMI", path);
        else if (aws.ImagesError is { } error) findings.Error(AmiAge, $"AMI {imageId} of Node {name} could not be described: {error}", path);
        else if (!aws.Images.TryGetValue(imageId, out var image)) findings.Error(AmiAge, $"AMI {imageId} of Node {name} is not known to EC2 (deregistered, or not shared with the account), so its age is unknown", path);
        else if (image.CreationDate is not { } created) findings.Error(AmiAge, $"AMI {imageId} of Node {name} reports no CreationDate", path);
        else if (now - created > maxAge)
        {
            findings.Fail(AmiAge, $"Node {name} runs AMI {imageId} ({image.Name}) created {created.UtcDateTime:yyyy-MM-dd}, {FormatDays(now - created)} ago, older than maxAmiAge {maxAgeText}", path);
        }
    }

    private static void CheckRecommended(string name, string nodegroup, NodeFacts aws, FindingCollector findings)
    {
        var path = $"metadata.labels[{NodegroupLabel}]";
        if (aws.NodegroupsError is { } listError)
        {
            findings.Error(AmiRecommended, $"node group {nodegroup} of Node {name} is unknown: {listError}", path);
            return;
        }

        if (!aws.Nodegroups.TryGetValue(nodegroup, out var group))
        {
            findings.Error(AmiRecommended, $"node group {nodegroup} of Node {name} was not described", path);
            return;
        }

        if (group.Error is { } error) findings.Error(AmiRecommended, $"node group {nodegroup} of Node {name} could not be described: {error}", path);
        else if (group.Nodegroup is not { } described) findings.Error(AmiRecommended, $"node group {nodegroup} of Node {name} is not known to EKS", path);
        else if (group.Parameter is null)
        {
            findings.Error(AmiRecommended, $"node group {nodegroup} has AMI type {described.AmiType ?? "unknown"}, for which EKS publishes no recommended release (a custom AMI is judged by node.ami-age)", path);
        }
        else if (group.RecommendedError is { } parameterError) findings.Error(AmiRecommended, $"the recommended release for node group {nodegroup} is unknown ({group.Parameter}): {parameterError}", path);
        else if (group.RecommendedRelease is not { } recommended) findings.Error(AmiRecommended, $"SSM parameter {group.Parameter} does not exist, so the recommended release for node group {nodegroup} is unknown", path);
        else if (!string.Equals(described.ReleaseVersion, recommended, StringComparison.Ordinal))
        {
            findings.Fail(AmiRecommended, $"Node {name}'s node group {nodegroup} runs release {described.ReleaseVersion ?? "unknown"}, not {recommended}, which EKS recommends for {described.AmiType} on Kubernetes {described.Version}", path);
        }
    }

    /// <summary>
    /// The version skew policy: a kubelet must not be newer than kube-apiserver, and may be at most three minor
    /// versions older (kubernetes.io/releases/version-skew-policy); the policy's maxKubeletSkew tightens the latter.
    /// </summary>
    private static void CheckSkew(string name, V1Node node, string apiServerText, int maxSkew, FindingCollector findings)
    {
        if (!KubernetesMinorVersion.TryParse(apiServerText, out var apiServer))
        {
            findings.Error(KubeletSkew, $"the API server's version \"{apiServerText}\" is not a Kubernetes version such as 1.31 or v1.31.2, so the skew of Node {name} is unknown");
            return;
        }

        var kubeletText = node.Status?.NodeInfo?.KubeletVersion;
        if (string.IsNullOrWhiteSpace(kubeletText))
        {
            findings.Error(KubeletSkew, $"Node {name} reports no {KubeletVersionPath}, so its kubelet's version is unknown", KubeletVersionPath);
            return;
        }

        if (!KubernetesMinorVersion.TryParse(kubeletText, out var kubelet))
        {
            findings.Error(KubeletSkew, $"Node {name}: kubelet version \"{kubeletText}\" is not a Kubernetes version, so its skew is unknown", KubeletVersionPath);
            return;
        }

        if (kubelet.Major != apiServer.Major)
        {
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} has another major version than the API server {apiServer}; the version skew policy does not allow it", KubeletVersionPath);
        }
        else if (kubelet.Minor > apiServer.Minor)
        {
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} is newer than the API server {apiServer}; the version skew policy does not allow a kubelet newer than kube-apiserver", KubeletVersionPath);
        }
        else if (apiServer.Minor - kubelet.Minor > maxSkew)
        {
            var lag = apiServer.Minor - kubelet.Minor;
            findings.Fail(KubeletSkew, $"Node {name}: kubelet {kubeletText} is {lag} minor version{(lag == 1 ? "" : "s")} behind the API server {apiServer} (maxKubeletSkew {maxSkew})", KubeletVersionPath);
        }
    }

    private static void CheckAge(string name, V1Node node, string maxAgeText, DateTimeOffset now, FindingCollector findings)
    {
        const string path = "metadata.creationTimestamp";
        if (!DurationParser.TryParse(maxAgeText, out var maxAge) || maxAge <= TimeSpan.Zero)
        {
            // The schema rejects such a policy; a typed policy that skipped validation still never passes.
            findings.Error(MaxAge, $"maxNodeAge \"{maxAgeText}\" is not a positive duration such as 720h, so the age of Node {name} cannot be judged");
            return;
        }

        if (node.Metadata?.CreationTimestamp is not { } created)
        {
            findings.Error(MaxAge, $"Node {name} has no {path}, so its age is unknown", path);
            return;
        }

        var createdUtc = created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : created.ToUniversalTime();
        var age = now - new DateTimeOffset(createdUtc);
        if (age > maxAge)
        {
            findings.Fail(MaxAge, $"Node {name} was created {createdUtc:yyyy-MM-ddTHH:mm:ssZ}, {FormatDays(age)} ago, older than maxNodeAge {maxAgeText}: its image was not replaced with a patched one since", path);
        }
    }

    private static string FormatDays(TimeSpan age) => age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h" : $"{(int)age.TotalHours}h{age.Minutes}m";
}
