namespace EksHardening.AwsStub.Eks;

/// <summary>The EKS operations (REST-JSON) over the seeded clusters, with EKS's errors and pagination.</summary>
internal sealed class EksOperations(EksStub eks)
{
    /// <summary>Maps a method and path to an operation and its path labels; null when no served route matches.</summary>
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
            ["clusters", var name] => ("DescribeCluster", new() { ["name"] = name }),
            ["clusters", var name, "pod-identity-associations"] => ("ListPodIdentityAssociations", new() { ["clusterName"] = name }),
            ["clusters", var name, "pod-identity-associations", var id] => ("DescribePodIdentityAssociation", new() { ["clusterName"] = name, ["associationId"] = id }),
            _ => null,
        };
    }

    public AwsResponse Handle(AwsCall call)
    {
        var input = new Inputs(call);
        var body = call.Operation switch
        {
            "ListClusters" => ListClusters(call, input),
            "DescribeCluster" => DescribeCluster(input),
            "ListPodIdentityAssociations" => ListPodIdentityAssociations(call, input),
            "DescribePodIdentityAssociation" => DescribePodIdentityAssociation(input),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject ListClusters(AwsCall call, Inputs input)
    {
        var maxResults = input.Int("maxResults", 1, 100) ?? 100;
        var names = eks.Clusters.Select(c => c.Name).ToList();
        var (page, next) = PageToken.Page(names, "clusters", input.String("nextToken"), maxResults, () => InvalidToken(call, null));
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
                ["securityGroupIds"] = new JsonArray(),
                ["clusterSecurityGroupId"] = "sg-0a1b2c3d4e5f60001",
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
            ("accessConfig", new JsonObject { ["authenticationMode"] = "API_AND_CONFIG_MAP" }));
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

    private JsonObject ListPodIdentityAssociations(AwsCall call, Inputs input)
    {
        var name = input.Required("clusterName");
        Cluster(name);
        var ns = input.String("namespace");
        var serviceAccount = input.String("serviceAccount");
        var maxResults = input.Int("maxResults", 1, 100) ?? 100;
        var matching = eks.AssociationsOf(name)
            .Where(a => (ns is null || a.Namespace == ns) && (serviceAccount is null || a.ServiceAccount == serviceAccount))
            .ToList();
        var (page, next) = PageToken.Page(matching, $"pia|{name}|{ns}|{serviceAccount}", input.String("nextToken"), maxResults, () => InvalidToken(call, name));
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

    private static AwsServiceException InvalidToken(AwsCall call, string? cluster) =>
        new("InvalidParameterException", 400, "The nextToken provided is invalid.", ServiceErrors.Fields(("clusterName", cluster)));
}
