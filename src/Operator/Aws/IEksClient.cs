using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>The EKS calls the cluster and identity rules need (REST-JSON); list calls follow <c>nextToken</c> to the end.</summary>
public interface IEksClient
{
    /// <summary><c>GET /clusters/{name}</c>.</summary>
    Task<EksCluster> DescribeClusterAsync(string region, string clusterName, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/pod-identity-associations</c>, optionally filtered by namespace and service account.</summary>
    Task<IReadOnlyList<EksPodIdentityAssociationSummary>> ListPodIdentityAssociationsAsync(
        string region, string clusterName, string? @namespace = null, string? serviceAccount = null, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/pod-identity-associations/{associationId}</c>.</summary>
    Task<EksPodIdentityAssociation> DescribePodIdentityAssociationAsync(string region, string clusterName, string associationId, CancellationToken cancellationToken = default);

    /// <summary><c>GET /cluster-versions?clusterVersions={version}&amp;includeAll=true</c>: support status and dates of one Kubernetes version.</summary>
    Task<IReadOnlyList<EksClusterVersion>> DescribeClusterVersionsAsync(string region, string version, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/addons</c>: the names of the installed add-ons.</summary>
    Task<IReadOnlyList<string>> ListAddonsAsync(string region, string clusterName, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/addons/{addonName}</c>.</summary>
    Task<EksAddon> DescribeAddonAsync(string region, string clusterName, string addonName, CancellationToken cancellationToken = default);

    /// <summary><c>GET /addons/supported-versions?addonName={name}&amp;kubernetesVersion={version}</c>: the add-on's versions for that Kubernetes version.</summary>
    Task<IReadOnlyList<EksAddonVersion>> DescribeAddonVersionsAsync(string region, string addonName, string kubernetesVersion, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/access-entries</c>: the principal ARNs with access entries.</summary>
    Task<IReadOnlyList<string>> ListAccessEntriesAsync(string region, string clusterName, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/access-entries/{principalArn}/access-policies</c>.</summary>
    Task<IReadOnlyList<EksAccessPolicyAssociation>> ListAssociatedAccessPoliciesAsync(string region, string clusterName, string principalArn, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/node-groups</c>: the managed node groups' names.</summary>
    Task<IReadOnlyList<string>> ListNodegroupsAsync(string region, string clusterName, CancellationToken cancellationToken = default);

    /// <summary><c>GET /clusters/{name}/node-groups/{nodegroupName}</c>.</summary>
    Task<EksNodegroup> DescribeNodegroupAsync(string region, string clusterName, string nodegroupName, CancellationToken cancellationToken = default);
}
