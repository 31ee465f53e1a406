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
}
