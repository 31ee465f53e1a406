using EksHardening.Operator.Facts;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Aws;

/// <summary>
/// The facts about the cluster's Nodes (node.imdsv2-required, node.ami-age, node.ami-recommended,
/// network.security-groups-open) and the region's EBS encryption by default (encryption.volumes). Instances, images
/// and groups are cached one by one and asked in batches of those not cached: a cluster of 300 Nodes costs one
/// DescribeInstances batch per TTL, one DescribeImages for its distinct AMIs and one DescribeSecurityGroups for its
/// distinct groups, and a new Node only its own instance.
/// </summary>
public sealed partial class AwsFactCollector
{
    /// <summary>A batched lookup's answer for one id: the object, or null when EC2 does not know the id.</summary>
    private sealed record Found<T>(T? Value) where T : class;

    private sealed class NodeCaches(TimeProvider clock, TimeSpan errorTtl)
    {
        public FactCache<(string Region, string Id), Found<Ec2Instance>> Instances { get; } = new(clock, errorTtl);
        public FactCache<(string Region, string Id), Found<Ec2Image>> Images { get; } = new(clock, errorTtl);
        public FactCache<(string Region, string Id), Found<Ec2SecurityGroup>> Groups { get; } = new(clock, errorTtl);
        public FactCache<(string Region, string Cluster, string Name), NodegroupLookup> Nodegroups { get; } = new(clock, errorTtl);
        public FactCache<(string Region, string Name), Found<string>> Parameters { get; } = new(clock, errorTtl);
        public FactCache<string, EbsDefaultEncryption> EbsDefaults { get; } = new(clock, errorTtl);

        public IEnumerable<(string Cache, long Hits, long Misses)> Counts() =>
        [
            ("aws_ec2_instances", Instances.Hits, Instances.Misses),
            ("aws_ec2_images", Images.Hits, Images.Misses),
            ("aws_ec2_security_groups", Groups.Hits, Groups.Misses),
            ("aws_eks_nodegroups", Nodegroups.Hits, Nodegroups.Misses),
            ("aws_ssm_parameters", Parameters.Hits, Parameters.Misses),
            ("aws_ec2_ebs_defaults", EbsDefaults.Hits, EbsDefaults.Misses),
        ];
    }

    private sealed record NodegroupLookup(EksNodegroup? Nodegroup);

    /// <summary>Which node facts the policy's rules read.</summary>
    private readonly record struct NodeParts(bool Instances, bool Images, bool Groups, bool Nodegroups)
    {
        public bool Any => Instances || Images || Groups || Nodegroups;

        public static NodeParts Of(HashSet<RuleDefinition> enabled)
        {
            var groups = enabled.Contains(NetworkSecurityGroupRules.OpenGroups);
            var images = enabled.Contains(NodeInstanceRules.AmiAge);
            return new(enabled.Contains(NodeInstanceRules.ImdsV2) || images || groups, images, groups, enabled.Contains(NodeInstanceRules.AmiRecommended));
        }
    }

    private async Task<NodeFacts?> NodeFactsAsync(ClusterSnapshot snapshot, string region, ClusterFacts? cluster, NodeParts parts, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var nodes = snapshot.Infrastructure.Nodes;
        var instanceIds = nodes.Select(NodeInstanceRules.InstanceIdOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var (instances, instancesError) = parts.Instances
            ? await BatchAsync(_nodeCaches.Instances, region, instanceIds, ttl, AwsServices.Ec2, ids => _ec2.DescribeInstancesAsync(region, ids, cancellationToken), i => i.InstanceId, cancellationToken).ConfigureAwait(false)
            : ([], null);

        var imageIds = instances.Values.Select(i => i.ImageId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var imagesTask = parts.Images
            ? BatchAsync(_nodeCaches.Images, region, imageIds, ttl, AwsServices.Ec2, ids => _ec2.DescribeImagesAsync(region, ids, cancellationToken), i => i.ImageId, cancellationToken)
            : Task.FromResult<(Dictionary<string, Ec2Image>, FactError?)>(([], null));

        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parts.Groups)
        {
            if (cluster?.Cluster is { } described)
            {
                if (described.ClusterSecurityGroupId is { } clusterGroup) roles.TryAdd(clusterGroup, "cluster security group");
                foreach (var group in described.SecurityGroupIds) roles.TryAdd(group, "additional control-plane security group");
            }

            // Named by the first Node by name that uses the group, and how many more do: the same words whatever the list order.
            var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var node in nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
            {
                if (NodeInstanceRules.InstanceIdOf(node) is not { } id || !instances.TryGetValue(id, out var instance)) continue;
                foreach (var group in instance.SecurityGroupIds) (CollectionsMarshal.GetValueRefOrAddDefault(users, group, out _) ??= []).Add(node.Metadata?.Name ?? id);
            }

            foreach (var (group, names) in users)
            {
                roles.TryAdd(group, names.Count == 1 ? $"on the instance of Node {names[0]}" : $"on the instances of Node {names[0]} and {names.Count - 1} more");
            }
        }

        var groupsTask = parts.Groups
            ? BatchAsync(_nodeCaches.Groups, region, [.. roles.Keys], ttl, AwsServices.Ec2, ids => _ec2.DescribeSecurityGroupsAsync(region, ids, cancellationToken), g => g.GroupId, cancellationToken)
            : Task.FromResult<(Dictionary<string, Ec2SecurityGroup>, FactError?)>(([], null));
        var nodegroupsTask = parts.Nodegroups
            ? NodegroupsAsync(nodes, region, cluster, ttl, cancellationToken)
            : Task.FromResult<(Dictionary<string, NodegroupFacts>, FactError?)>(([], null));

        var (images, imagesError) = await imagesTask.ConfigureAwait(false);
        var (groups, groupsError) = await groupsTask.ConfigureAwait(false);
        var (nodegroups, nodegroupsError) = await nodegroupsTask.ConfigureAwait(false);
        return new NodeFacts
        {
            Instances = instances, InstancesError = instancesError,
            Images = images, ImagesError = imagesError,
            SecurityGroups = groups, SecurityGroupRoles = roles, SecurityGroupsError = groupsError,
            Nodegroups = nodegroups, NodegroupsError = nodegroupsError,
        };
    }

    /// <summary>
    /// The objects for <paramref name="ids"/>: those cached, and the rest in one batched call whose answers are cached
    /// one by one (an id absent from the answer is cached as unknown to EC2, for the same TTL).
    /// </summary>
    private async Task<(Dictionary<string, T> Found, FactError? Error)> BatchAsync<T>(
        FactCache<(string Region, string Id), Found<T>> cache, string region, IReadOnlyList<string> ids, TimeSpan ttl, string service,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<T>>> describe, Func<T, string> idOf, CancellationToken cancellationToken) where T : class
    {
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (!cache.TryPeek((region, id), out var known)) missing.Add(id);
            else if (known?.Value is { } value) found[id] = value;
        }

        if (missing.Count == 0) return (found, null);
        try
        {
            var answered = (await Limit(service, () => describe(missing), cancellationToken).ConfigureAwait(false)).ToDictionary(idOf, StringComparer.Ordinal);
            foreach (var id in missing)
            {
                var value = answered.GetValueOrDefault(id);
                cache.Set((region, id), new Found<T>(value), ttl);
                if (value is not null) found[id] = value;
            }

            return (found, null);
        }
        catch (AwsServiceException e)
        {
            return (found, e.ToFactError());
        }
    }

    /// <summary>The Nodes' managed node groups, each with the release its public SSM parameter recommends.</summary>
    private async Task<(Dictionary<string, NodegroupFacts>, FactError?)> NodegroupsAsync(IReadOnlyList<V1Node> nodes, string region, ClusterFacts? cluster, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (cluster?.Cluster is not { } described)
        {
            var why = cluster?.ClusterError ?? new FactError(AwsServices.Eks, "DescribeCluster", "NotAsked", "no cluster name and region are known");
            return ([], why);
        }

        var names = nodes.Select(NodeInstanceRules.NodegroupOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var groups = await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                var lookup = await _nodeCaches.Nodegroups.GetAsync((region, described.Name, name), ttl, k => Limit(AwsServices.Eks, async () =>
                {
                    try
                    {
                        return new NodegroupLookup(await _eks.DescribeNodegroupAsync(k.Region, k.Cluster, k.Name, cancellationToken).ConfigureAwait(false));
                    }
                    catch (AwsServiceException e) when (e.Kind == AwsErrorKind.NotFound)
                    {
                        return new NodegroupLookup(null);   // a fact: the label names a group EKS does not have
                    }
                }, cancellationToken)).ConfigureAwait(false);
                if (lookup.Nodegroup is not { } nodegroup) return new NodegroupFacts(name, null, null);
                if (RecommendedReleaseParameter(nodegroup.AmiType, nodegroup.Version ?? described.Version) is not { } parameter) return new NodegroupFacts(name, nodegroup, null);
                try
                {
                    var value = await _nodeCaches.Parameters.GetAsync((region, parameter), ttl, k => Limit(AwsServices.Ssm, async () =>
                        new Found<string>(await _ssm.GetParameterAsync(k.Region, k.Name, cancellationToken).ConfigureAwait(false)), cancellationToken)).ConfigureAwait(false);
                    return new NodegroupFacts(name, nodegroup, null, parameter, value.Value);
                }
                catch (AwsServiceException e)
                {
                    return new NodegroupFacts(name, nodegroup, null, parameter, null, e.ToFactError());
                }
            }
            catch (AwsServiceException e)
            {
                return new NodegroupFacts(name, null, e.ToFactError());
            }
        })).ConfigureAwait(false);
        return (groups.ToDictionary(g => g.Name, StringComparer.Ordinal), null);
    }

    /// <summary>
    /// The public SSM parameter holding the release EKS recommends for an AMI type and Kubernetes version
    /// (docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html, and Bottlerocket's
    /// /aws/service/bottlerocket/aws-k8s-VERSION/ARCH/latest/image_version); null for CUSTOM, Windows and unknown types.
    /// </summary>
    internal static string? RecommendedReleaseParameter(string? amiType, string? version)
    {
        if (version is null) return null;
        var eks = $"/aws/service/eks/optimized-ami/{version}/";
        return amiType switch
        {
            "AL2_x86_64" => eks + "amazon-linux-2/recommended/release_version",
            "AL2_x86_64_GPU" => eks + "amazon-linux-2-gpu/recommended/release_version",
            "AL2_ARM_64" => eks + "amazon-linux-2-arm64/recommended/release_version",
            "AL2023_x86_64_STANDARD" => eks + "amazon-linux-2023/x86_64/standard/recommended/release_version",
            "AL2023_ARM_64_STANDARD" => eks + "amazon-linux-2023/arm64/standard/recommended/release_version",
            "AL2023_x86_64_NVIDIA" => eks + "amazon-linux-2023/x86_64/nvidia/recommended/release_version",
            "AL2023_ARM_64_NVIDIA" => eks + "amazon-linux-2023/arm64/nvidia/recommended/release_version",
            "AL2023_x86_64_NEURON" => eks + "amazon-linux-2023/x86_64/neuron/recommended/release_version",
            "BOTTLEROCKET_x86_64" => $"/aws/service/bottlerocket/aws-k8s-{version}/x86_64/latest/image_version",
            "BOTTLEROCKET_ARM_64" => $"/aws/service/bottlerocket/aws-k8s-{version}/arm64/latest/image_version",
            "BOTTLEROCKET_x86_64_NVIDIA" => $"/aws/service/bottlerocket/aws-k8s-{version}-nvidia/x86_64/latest/image_version",
            "BOTTLEROCKET_ARM_64_NVIDIA" => $"/aws/service/bottlerocket/aws-k8s-{version}-nvidia/arm64/latest/image_version",
            _ => null,
        };
    }

    private async Task<EbsDefaultEncryption?> EbsDefaultAsync(string region, TimeSpan ttl, CancellationToken cancellationToken)
    {
        try
        {
            return await _nodeCaches.EbsDefaults.GetAsync(region, ttl, r => Limit(AwsServices.Ec2, async () =>
                new EbsDefaultEncryption(r, await _ec2.GetEbsEncryptionByDefaultAsync(r, cancellationToken).ConfigureAwait(false)), cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return new EbsDefaultEncryption(region, null, e.ToFactError());
        }
    }
}
