using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Node duties judged on the EC2 instance behind each Node (<c>spec.providerID</c>): its AMI is recent and the release
/// EKS recommends for its managed node group, and it keeps pods away from the node role's credentials (IMDSv2 with a
/// metadata hop limit of 1). Findings sit on the Node, which is judged whatever match says.
/// </summary>
public sealed class NodeInstanceRules : IRuleFamily
{
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

    /// <summary>The label EKS puts on the Nodes of a managed node group.</summary>
    internal const string NodegroupLabel = "eks.amazonaws.com/nodegroup";

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ImdsV2, AmiAge, AmiRecommended];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Nodes is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
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
            findings.Unlisted(Unlisted.AllOf<V1Node>(), [.. Rules], Unlisted.Message("Nodes", "spec.nodes"));
            return;
        }

        // Without AWS facts (a scan without --aws) these rules are off: the plan does not enable them.
        if (context.Snapshot.Aws?.Nodes is not { } aws) return;
        var infrastructure = context.Snapshot.Infrastructure;
        foreach (var node in infrastructure.Nodes)
        {
            var source = infrastructure.SourceOf(node);
            var name = node.Metadata?.Name ?? "";
            var nodegroup = NodegroupOf(node);
            var rules = new List<RuleDefinition>(3);
            if (duty.RequireImdsV2 == true) rules.Add(ImdsV2);
            if (duty.MaxAmiAge is not null) rules.Add(AmiAge);
            if (duty.RequireRecommendedAmi == true && nodegroup is not null) rules.Add(AmiRecommended);
            var collector = findings.On(node, CollectionsMarshal.AsSpan(rules), source);
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

    /// <summary>The managed node group a Node belongs to (the label EKS sets), or null.</summary>
    internal static string? NodegroupOf(V1Node node) =>
        node.Metadata?.Labels is { } labels && labels.TryGetValue(NodegroupLabel, out var group) && group.Length > 0 ? group : null;

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
            findings.Fail(AmiAge, $"Node {name} runs AMI {imageId} ({image.Name}) created {created.UtcDateTime:yyyy-MM-dd}, {NodeRules.FormatDays(now - created)} ago, older than maxAmiAge {maxAgeText}", path);
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
}
