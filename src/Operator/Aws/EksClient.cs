using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>EKS over REST-JSON: the operation is the method and path, labels escaped, JSON answers.</summary>
public sealed class EksClient(AwsHttpClient http) : IEksClient
{
    /// <summary>The most associations ListPodIdentityAssociations returns per page.</summary>
    public const int MaxResults = 100;

    public async Task<EksCluster> DescribeClusterAsync(string region, string clusterName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        using var document = await GetAsync(region, "DescribeCluster", $"/clusters/{Label(clusterName)}", [], cancellationToken).ConfigureAwait(false);
        var cluster = document.RootElement.Object("cluster");
        var vpc = cluster.Object("resourcesVpcConfig");
        return new EksCluster(
            cluster.String("name") ?? clusterName,
            cluster.String("arn") ?? "",
            cluster.String("version"),
            cluster.String("status"),
            cluster.Array("encryptionConfig").Select(c => new EksEncryptionConfig(c.Strings("resources"), c.Object("provider").String("keyArn"))).ToList(),
            cluster.Object("logging").Array("clusterLogging").Select(l => new EksLogSetup(l.Strings("types"), l.Bool("enabled") ?? false)).ToList(),
            vpc.Bool("endpointPublicAccess") ?? false,
            vpc.Bool("endpointPrivateAccess") ?? false,
            vpc.Strings("publicAccessCidrs"),
            cluster.Object("identity").Object("oidc").String("issuer"));
    }

    public async Task<IReadOnlyList<EksPodIdentityAssociationSummary>> ListPodIdentityAssociationsAsync(
        string region, string clusterName, string? @namespace = null, string? serviceAccount = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        var associations = new List<EksPodIdentityAssociationSummary>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var query = new List<KeyValuePair<string, string>>();
            if (!string.IsNullOrEmpty(@namespace)) query.Add(new("namespace", @namespace));
            if (!string.IsNullOrEmpty(serviceAccount)) query.Add(new("serviceAccount", serviceAccount));
            query.Add(new("maxResults", MaxResults.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (token is not null) query.Add(new("nextToken", token));

            using var page = await GetAsync(region, "ListPodIdentityAssociations", $"/clusters/{Label(clusterName)}/pod-identity-associations", query, cancellationToken).ConfigureAwait(false);
            foreach (var a in page.RootElement.Array("associations"))
            {
                associations.Add(new EksPodIdentityAssociationSummary(
                    a.String("clusterName") ?? clusterName, a.String("namespace") ?? "", a.String("serviceAccount") ?? "",
                    a.String("associationId") ?? "", a.String("associationArn") ?? "", a.String("ownerArn")));
            }

            token = page.RootElement.String("nextToken");
            if (token is { Length: 0 }) token = null;
            if (token is not null && !seen.Add(token))
            {
                throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Eks, "ListPodIdentityAssociations", "EKS returned the same nextToken twice.", errorCode: "PaginationLoop");
            }
        }
        while (token is not null);

        return associations;
    }

    public async Task<EksPodIdentityAssociation> DescribePodIdentityAssociationAsync(string region, string clusterName, string associationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(associationId);
        using var document = await GetAsync(region, "DescribePodIdentityAssociation",
            $"/clusters/{Label(clusterName)}/pod-identity-associations/{Label(associationId)}", [], cancellationToken).ConfigureAwait(false);
        var a = document.RootElement.Object("association");
        return new EksPodIdentityAssociation(
            a.String("clusterName") ?? clusterName, a.String("namespace") ?? "", a.String("serviceAccount") ?? "",
            a.String("associationId") ?? associationId, a.String("associationArn") ?? "", a.String("roleArn") ?? "",
            a.String("targetRoleArn"), a.String("ownerArn"), a.Timestamp("createdAt"), a.Timestamp("modifiedAt"));
    }

    public Task<IReadOnlyList<EksClusterVersion>> DescribeClusterVersionsAsync(string region, string version, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<string>> ListAddonsAsync(string region, string clusterName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<EksAddon> DescribeAddonAsync(string region, string clusterName, string addonName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<EksAddonVersion>> DescribeAddonVersionsAsync(string region, string addonName, string kubernetesVersion, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<string>> ListAccessEntriesAsync(string region, string clusterName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<EksAccessPolicyAssociation>> ListAssociatedAccessPoliciesAsync(string region, string clusterName, string principalArn, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<IReadOnlyList<string>> ListNodegroupsAsync(string region, string clusterName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<EksNodegroup> DescribeNodegroupAsync(string region, string clusterName, string nodegroupName, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    private static string Label(string value) => SigV4Signer.UriEncode(value);

    private async Task<JsonDocument> GetAsync(string region, string operation, string path, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        var request = new AwsRequest
        {
            Service = AwsServices.Eks,
            Operation = operation,
            Protocol = AwsProtocol.RestJson,
            Method = HttpMethod.Get,
            Path = path,
            Query = query,
        };
        var body = await http.SendAsync(request, region, cancellationToken).ConfigureAwait(false);
        return AwsJson.Parse(body, AwsServices.Eks, operation);
    }
}
