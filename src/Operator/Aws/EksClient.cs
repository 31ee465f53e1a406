using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>EKS over REST-JSON: the operation is the method and path, labels escaped, JSON answers.</summary>
public sealed class EksClient(AwsHttpClient http) : IEksClient
{
    /// <summary>The page size every list call asks for: the most EKS allows (1–100 for each of them).</summary>
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
            cluster.Object("identity").Object("oidc").String("issuer"))
        {
            AuthenticationMode = cluster.Object("accessConfig").String("authenticationMode"),
            BootstrapClusterCreatorAdminPermissions = cluster.Object("accessConfig").Bool("bootstrapClusterCreatorAdminPermissions"),
            ClusterSecurityGroupId = vpc.String("clusterSecurityGroupId"),
            SecurityGroupIds = vpc.Strings("securityGroupIds"),
        };
    }

    public async Task<IReadOnlyList<EksPodIdentityAssociationSummary>> ListPodIdentityAssociationsAsync(
        string region, string clusterName, string? @namespace = null, string? serviceAccount = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        var filters = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(@namespace)) filters.Add(new("namespace", @namespace));
        if (!string.IsNullOrEmpty(serviceAccount)) filters.Add(new("serviceAccount", serviceAccount));
        return await ListAllAsync(region, "ListPodIdentityAssociations", $"/clusters/{Label(clusterName)}/pod-identity-associations", filters,
            page => page.Array("associations").Select(a => new EksPodIdentityAssociationSummary(
                a.String("clusterName") ?? clusterName, a.String("namespace") ?? "", a.String("serviceAccount") ?? "",
                a.String("associationId") ?? "", a.String("associationArn") ?? "", a.String("ownerArn"))),
            cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Asks for the one version with <c>includeAll=true</c>, so that a version past its support is returned too. Only
    /// entries for exactly that version are returned: an empty list means EKS does not know it.
    /// </summary>
    public async Task<IReadOnlyList<EksClusterVersion>> DescribeClusterVersionsAsync(string region, string version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var versions = await ListAllAsync(region, "DescribeClusterVersions", "/cluster-versions", [new("clusterVersions", version), new("includeAll", "true")],
            page => page.Array("clusterVersions").Select(v => new EksClusterVersion(
                v.String("clusterVersion") ?? "",
                v.String("versionStatus") ?? VersionStatusOf(v.String("status")),
                v.Bool("defaultVersion") ?? false,
                v.Timestamp("releaseDate"),
                v.Timestamp("endOfStandardSupportDate"),
                v.Timestamp("endOfExtendedSupportDate"))),
            cancellationToken).ConfigureAwait(false);
        return versions.Where(v => v.Version == version).ToList();
    }

    public async Task<IReadOnlyList<string>> ListAddonsAsync(string region, string clusterName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        return await ListAllAsync(region, "ListAddons", $"/clusters/{Label(clusterName)}/addons", [],
            page => page.Strings("addons"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<EksAddon> DescribeAddonAsync(string region, string clusterName, string addonName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(addonName);
        using var document = await GetAsync(region, "DescribeAddon", $"/clusters/{Label(clusterName)}/addons/{Label(addonName)}", [], cancellationToken).ConfigureAwait(false);
        var addon = document.RootElement.Object("addon");
        return new EksAddon(addon.String("addonName") ?? addonName, addon.String("addonVersion"), addon.String("status"), addon.String("addonArn"));
    }

    /// <summary>
    /// A version is the default when one of its <c>compatibilities</c> names <paramref name="kubernetesVersion"/> with
    /// <c>defaultVersion: true</c>; entries for other add-ons than the one asked for are ignored.
    /// </summary>
    public async Task<IReadOnlyList<EksAddonVersion>> DescribeAddonVersionsAsync(string region, string addonName, string kubernetesVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(addonName);
        ArgumentException.ThrowIfNullOrWhiteSpace(kubernetesVersion);
        return await ListAllAsync(region, "DescribeAddonVersions", "/addons/supported-versions",
            [new("addonName", addonName), new("kubernetesVersion", kubernetesVersion)],
            page => page.Array("addons")
                .Where(a => a.String("addonName") == addonName)
                .SelectMany(a => a.Array("addonVersions"))
                .Where(v => v.String("addonVersion") is not null)
                .Select(v => new EksAddonVersion(addonName, v.String("addonVersion")!,
                    v.Array("compatibilities").Any(c => c.String("clusterVersion") == kubernetesVersion && c.Bool("defaultVersion") == true))),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListAccessEntriesAsync(string region, string clusterName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        return await ListAllAsync(region, "ListAccessEntries", $"/clusters/{Label(clusterName)}/access-entries", [],
            page => page.Strings("accessEntries"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An association whose scope type is missing is read as <c>cluster</c>, the wider scope, so an admin policy is not missed.</summary>
    public async Task<IReadOnlyList<EksAccessPolicyAssociation>> ListAssociatedAccessPoliciesAsync(
        string region, string clusterName, string principalArn, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(principalArn);
        return await ListAllAsync(region, "ListAssociatedAccessPolicies", $"/clusters/{Label(clusterName)}/access-entries/{Label(principalArn)}/access-policies", [],
            page => page.Array("associatedAccessPolicies").Select(p => new EksAccessPolicyAssociation(
                p.String("policyArn") ?? "",
                p.Object("accessScope").String("type") ?? "cluster",
                p.Object("accessScope").Strings("namespaces"))),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListNodegroupsAsync(string region, string clusterName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        return await ListAllAsync(region, "ListNodegroups", $"/clusters/{Label(clusterName)}/node-groups", [],
            page => page.Strings("nodegroups"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<EksNodegroup> DescribeNodegroupAsync(string region, string clusterName, string nodegroupName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodegroupName);
        using var document = await GetAsync(region, "DescribeNodegroup", $"/clusters/{Label(clusterName)}/node-groups/{Label(nodegroupName)}", [], cancellationToken).ConfigureAwait(false);
        var group = document.RootElement.Object("nodegroup");
        var launchTemplate = group.Object("launchTemplate");
        return new EksNodegroup(
            group.String("nodegroupName") ?? nodegroupName,
            group.String("amiType"),
            group.String("releaseVersion"),
            group.String("version"),
            group.String("status"),
            launchTemplate.String("id"),
            launchTemplate.String("version"),
            group.Object("resources").Array("autoScalingGroups").Select(g => g.String("name")).OfType<string>().ToList());
    }

    /// <summary>The deprecated <c>status</c> (<c>standard-support</c>) in <c>versionStatus</c>'s spelling (<c>STANDARD_SUPPORT</c>).</summary>
    private static string? VersionStatusOf(string? status) => status?.Replace('-', '_').ToUpperInvariant();

    private static string Label(string value) => SigV4Signer.UriEncode(value);

    /// <summary>Every item of a list call: <paramref name="filters"/>, then <c>maxResults</c> and <c>nextToken</c>, page after page.</summary>
    private async Task<List<T>> ListAllAsync<T>(
        string region, string operation, string path, IReadOnlyList<KeyValuePair<string, string>> filters,
        Func<JsonElement, IEnumerable<T>> readItems, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await AwsPagination.FollowAsync(AwsServices.Eks, operation, "nextToken", async token =>
        {
            List<KeyValuePair<string, string>> query = [.. filters, new("maxResults", MaxResults.ToString(CultureInfo.InvariantCulture))];
            if (token is not null) query.Add(new("nextToken", token));
            using var page = await GetAsync(region, operation, path, query, cancellationToken).ConfigureAwait(false);
            items.AddRange(readItems(page.RootElement));
            return page.RootElement.String("nextToken");
        }).ConfigureAwait(false);
        return items;
    }

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
