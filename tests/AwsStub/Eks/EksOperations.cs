namespace EksHardening.AwsStub.Eks;

/// <summary>The EKS operations (REST-JSON) over the seeded clusters, with EKS's errors and pagination.</summary>
internal sealed partial class EksOperations(EksStub eks)
{
    public static readonly IReadOnlyList<string> Operations =
    [
        "DescribeCluster", "ListClusters", "ListPodIdentityAssociations", "DescribePodIdentityAssociation",
        "DescribeClusterVersions", "ListAddons", "DescribeAddon", "DescribeAddonVersions",
        "ListAccessEntries", "ListAssociatedAccessPolicies", "ListNodegroups", "DescribeNodegroup",
    ];

    /// <summary>Whether an unsigned request's path is one of EKS's (so it is refused as EKS refuses it).</summary>
    public static bool IsEksPath(string rawPath) =>
        rawPath.StartsWith("/clusters", StringComparison.Ordinal) || rawPath.StartsWith("/cluster-versions", StringComparison.Ordinal)
        || rawPath.StartsWith("/addons/", StringComparison.Ordinal);

    /// <summary>Maps a method and path to an operation and its path labels (each segment unescaped on its own, so an escaped <c>/</c> stays in its label); null when no served route matches.</summary>
    public static (string Operation, Dictionary<string, string> Labels)? Route(string method, string rawPath)
    {
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (method != "GET")
        {
            return null;
        }

        return segments switch
        {
            ["clusters"] => ("ListClusters", []),
            ["cluster-versions"] => ("DescribeClusterVersions", []),
            ["addons", "supported-versions"] => ("DescribeAddonVersions", []),
            ["clusters", var name] => ("DescribeCluster", new() { ["name"] = name }),
            ["clusters", var name, "pod-identity-associations"] => ("ListPodIdentityAssociations", new() { ["clusterName"] = name }),
            ["clusters", var name, "pod-identity-associations", var id] => ("DescribePodIdentityAssociation", new() { ["clusterName"] = name, ["associationId"] = id }),
            ["clusters", var name, "addons"] => ("ListAddons", new() { ["clusterName"] = name }),
            ["clusters", var name, "addons", var addon] => ("DescribeAddon", new() { ["clusterName"] = name, ["addonName"] = addon }),
            ["clusters", var name, "access-entries"] => ("ListAccessEntries", new() { ["clusterName"] = name }),
            ["clusters", var name, "access-entries", var principal, "access-policies"] =>
                ("ListAssociatedAccessPolicies", new() { ["clusterName"] = name, ["principalArn"] = principal }),
            ["clusters", var name, "node-groups"] => ("ListNodegroups", new() { ["clusterName"] = name }),
            ["clusters", var name, "node-groups", var group] => ("DescribeNodegroup", new() { ["clusterName"] = name, ["nodegroupName"] = group }),
            _ => null,
        };
    }

    public AwsResponse Handle(AwsCall call)
    {
        var input = new Inputs(call);
        var body = call.Operation switch
        {
            "ListClusters" => ListClusters(input),
            "DescribeCluster" => DescribeCluster(input),
            "ListPodIdentityAssociations" => ListPodIdentityAssociations(input),
            "DescribePodIdentityAssociation" => DescribePodIdentityAssociation(input),
            "DescribeClusterVersions" => DescribeClusterVersions(input, call.Now),
            "ListAddons" => ListAddons(input),
            "DescribeAddon" => DescribeAddon(input),
            "DescribeAddonVersions" => DescribeAddonVersions(input),
            "ListAccessEntries" => ListAccessEntries(input),
            "ListAssociatedAccessPolicies" => ListAssociatedAccessPolicies(input),
            "ListNodegroups" => ListNodegroups(input),
            "DescribeNodegroup" => DescribeNodegroup(input),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject ListClusters(Inputs input)
    {
        var (page, next) = Page(input, eks.Clusters.Select(c => c.Name).ToList(), "clusters", null);
        return Wire.Object(("clusters", Wire.Strings(page)), ("nextToken", next));
    }

    private JsonObject DescribeCluster(Inputs input)
    {
        var cluster = Cluster(input.Required("name"));
        var disabled = EksCluster.AllLogTypes.Except(cluster.EnabledLogTypes).ToList();
        var logging = new JsonArray();
        if (cluster.EnabledLogTypes.Count > 0)
        {
            logging.Add(new JsonObject { ["types"] = Wire.Strings(cluster.EnabledLogTypes), ["enabled"] = true });
        }

        if (disabled.Count > 0)
        {
            logging.Add(new JsonObject { ["types"] = Wire.Strings(disabled), ["enabled"] = false });
        }

        var body = Wire.Object(
            ("name", cluster.Name),
            ("arn", cluster.Arn),
            ("createdAt", Wire.Epoch(cluster.CreatedAt)),
            ("version", cluster.Version),
            ("endpoint", cluster.Endpoint),
            ("roleArn", cluster.RoleArn),
            ("resourcesVpcConfig", new JsonObject
            {
                ["subnetIds"] = Wire.Strings(cluster.SubnetIds),
                ["securityGroupIds"] = Wire.Strings(cluster.SecurityGroupIds),
                ["clusterSecurityGroupId"] = cluster.ClusterSecurityGroupId,
                ["vpcId"] = cluster.VpcId,
                ["endpointPublicAccess"] = cluster.EndpointPublicAccess,
                ["endpointPrivateAccess"] = cluster.EndpointPrivateAccess,
                ["publicAccessCidrs"] = Wire.Strings(cluster.PublicAccessCidrs),
            }),
            ("kubernetesNetworkConfig", new JsonObject { ["serviceIpv4Cidr"] = "10.100.0.0/16", ["ipFamily"] = "ipv4" }),
            ("logging", new JsonObject { ["clusterLogging"] = logging }),
            ("identity", new JsonObject { ["oidc"] = new JsonObject { ["issuer"] = cluster.OidcIssuer } }),
            ("status", cluster.Status),
            ("certificateAuthority", new JsonObject { ["data"] = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==" }),
            ("platformVersion", cluster.PlatformVersion),
            ("tags", new JsonObject([.. cluster.Tags.Select(t => new KeyValuePair<string, JsonNode?>(t.Key, t.Value))])),
            ("accessConfig", new JsonObject
            {
                ["bootstrapClusterCreatorAdminPermissions"] = cluster.BootstrapClusterCreatorAdminPermissions,
                ["authenticationMode"] = cluster.AuthenticationMode,
            }));
        if (cluster.SecretsKeyArn is { } key)
        {
            body["encryptionConfig"] = new JsonArray(new JsonObject
            {
                ["resources"] = Wire.Strings(["secrets"]),
                ["provider"] = new JsonObject { ["keyArn"] = key },
            });
        }

        return new JsonObject { ["cluster"] = body };
    }

    private JsonObject ListPodIdentityAssociations(Inputs input)
    {
        var name = input.Required("clusterName");
        Cluster(name);
        var ns = input.String("namespace");
        var serviceAccount = input.String("serviceAccount");
        var matching = eks.AssociationsOf(name)
            .Where(a => (ns is null || a.Namespace == ns) && (serviceAccount is null || a.ServiceAccount == serviceAccount))
            .ToList();
        var (page, next) = Page(input, matching, $"pia|{name}|{ns}|{serviceAccount}", name);
        return Wire.Object(
            ("associations", new JsonArray([.. page.Select(a => (JsonNode)Wire.Object(
                ("clusterName", a.ClusterName),
                ("namespace", a.Namespace),
                ("serviceAccount", a.ServiceAccount),
                ("associationArn", a.AssociationArn),
                ("associationId", a.AssociationId),
                ("ownerArn", a.OwnerArn)))])),
            ("nextToken", next));
    }

    private JsonObject DescribePodIdentityAssociation(Inputs input)
    {
        var name = input.Required("clusterName");
        var id = input.Required("associationId");
        Cluster(name);
        var association = eks.AssociationsOf(name).FirstOrDefault(a => a.AssociationId == id)
            ?? throw new AwsServiceException("ResourceNotFoundException", 404, $"No Pod Identity Association found for id: {id}.",
                ServiceErrors.Fields(("clusterName", name)));
        return new JsonObject
        {
            ["association"] = Wire.Object(
                ("clusterName", association.ClusterName),
                ("namespace", association.Namespace),
                ("serviceAccount", association.ServiceAccount),
                ("roleArn", association.RoleArn),
                ("associationArn", association.AssociationArn),
                ("associationId", association.AssociationId),
                ("tags", new JsonObject([.. association.Tags.Select(t => new KeyValuePair<string, JsonNode?>(t.Key, t.Value))])),
                ("createdAt", Wire.Epoch(association.CreatedAt)),
                ("modifiedAt", Wire.Epoch(association.CreatedAt)),
                ("ownerArn", association.OwnerArn),
                ("disableSessionTags", association.DisableSessionTags),
                ("targetRoleArn", association.TargetRoleArn)),
        };
    }

    private EksCluster Cluster(string name) =>
        eks.FindCluster(name) ?? throw new AwsServiceException("ResourceNotFoundException", 404, $"No cluster found for name: {name}.",
            ServiceErrors.Fields(("clusterName", name)));

    /// <summary>One page of a listing by <c>maxResults</c> (1–100, default 100) and <c>nextToken</c>.</summary>
    private static (IReadOnlyList<T> Page, string? Next) Page<T>(Inputs input, IReadOnlyList<T> items, string listing, string? cluster) =>
        PageToken.Page(items, listing, input.String("nextToken"), input.Int("maxResults", 1, 100) ?? 100, () => InvalidToken(cluster));

    private static AwsServiceException InvalidToken(string? cluster) =>
        new("InvalidParameterException", 400, "The nextToken provided is invalid.", ServiceErrors.Fields(("clusterName", cluster)));
}
