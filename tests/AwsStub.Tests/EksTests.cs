namespace EksHardening.AwsStub.Tests;

/// <summary>EKS (REST-JSON) requests built from the API reference and signed with the SDK's signer.</summary>
public class EksTests : StubTest
{
    private const string KeyArn = "arn:aws:kms:eu-west-1:123456789012:key/6f1d2c3b-0000-4000-8000-000000000001";

    [Fact]
    public async Task DescribeCluster_reports_encryption_logging_endpoint_access_and_the_OIDC_issuer()
    {
        var cluster = Stub.Eks.AddCluster(new EksCluster
        {
            Name = "prod",
            SecretsKeyArn = KeyArn,
            EnabledLogTypes = ["api", "audit"],
            EndpointPublicAccess = true,
            EndpointPrivateAccess = true,
            PublicAccessCidrs = ["203.0.113.0/24"],
        });
        var body = (await OkAsync("/clusters/prod"))["cluster"]!;
        Assert.Equal(("prod", "arn:aws:eks:eu-west-1:123456789012:cluster/prod", "ACTIVE"),
            (body["name"]!.GetValue<string>(), body["arn"]!.GetValue<string>(), body["status"]!.GetValue<string>()));
        Assert.Equal($$$"""[{"resources":["secrets"],"provider":{"keyArn":"{{{KeyArn}}}"}}]""", body["encryptionConfig"]!.ToJsonString());
        Assert.Equal("""[{"types":["api","audit"],"enabled":true},{"types":["authenticator","controllerManager","scheduler"],"enabled":false}]""",
            body["logging"]!["clusterLogging"]!.ToJsonString());
        var vpc = body["resourcesVpcConfig"]!;
        Assert.True(vpc["endpointPublicAccess"]!.GetValue<bool>());
        Assert.True(vpc["endpointPrivateAccess"]!.GetValue<bool>());
        Assert.Equal("""["203.0.113.0/24"]""", vpc["publicAccessCidrs"]!.ToJsonString());
        Assert.Equal(cluster.OidcIssuer, body["identity"]!["oidc"]!["issuer"]!.GetValue<string>());
        Assert.StartsWith("https://oidc.eks.eu-west-1.amazonaws.com/id/", cluster.OidcIssuer, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, body["createdAt"]!.GetValueKind());
    }

    [Fact]
    public async Task A_cluster_without_encryption_and_logging_has_no_encryptionConfig_and_all_types_off()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "dev" });
        var body = (await OkAsync("/clusters/dev"))["cluster"]!;
        Assert.Null(body["encryptionConfig"]);
        Assert.Equal("""[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":false}]""", body["logging"]!["clusterLogging"]!.ToJsonString());
        Assert.Equal("""["0.0.0.0/0"]""", body["resourcesVpcConfig"]!["publicAccessCidrs"]!.ToJsonString());
    }

    [Fact]
    public async Task An_unknown_cluster_is_a_404_ResourceNotFoundException_naming_it()
    {
        using var response = await Hand.EksAsync("/clusters/nope");
        var (code, body) = await Responses.RestErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("ResourceNotFoundException", code);
        Assert.Equal("No cluster found for name: nope.", body["message"]!.GetValue<string>());
        Assert.Equal("nope", body["clusterName"]!.GetValue<string>());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListPodIdentityAssociations_pages_and_filters_by_namespace_and_service_account()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        for (var i = 0; i < 5; i++)
        {
            Stub.Eks.AddPodIdentityAssociation(new PodIdentityAssociation
            {
                ClusterName = "prod",
                Namespace = i < 3 ? "shop" : "ops",
                ServiceAccount = $"sa{i}",
                RoleArn = $"arn:aws:iam::123456789012:role/r{i}",
            });
        }

        var ids = new List<string>();
        string? token = null;
        do
        {
            var query = new Dictionary<string, string> { ["maxResults"] = "2" };
            if (token is not null)
            {
                query["nextToken"] = token;
            }

            var body = await OkAsync("/clusters/prod/pod-identity-associations", query);
            var page = body["associations"]!.AsArray();
            Assert.InRange(page.Count, 1, 2);
            ids.AddRange(page.Select(a => a!["associationId"]!.GetValue<string>()));
            token = body["nextToken"]?.GetValue<string>();
        }
        while (token is not null);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^a-[a-z0-9]{17}$", id));

        var shop = await OkAsync("/clusters/prod/pod-identity-associations", new Dictionary<string, string> { ["namespace"] = "shop" });
        Assert.Equal(3, shop["associations"]!.AsArray().Count);
        var one = await OkAsync("/clusters/prod/pod-identity-associations", new Dictionary<string, string> { ["namespace"] = "ops", ["serviceAccount"] = "sa4" });
        var summary = Assert.Single(one["associations"]!.AsArray())!;
        Assert.Equal(("prod", "ops", "sa4"), (summary["clusterName"]!.GetValue<string>(), summary["namespace"]!.GetValue<string>(), summary["serviceAccount"]!.GetValue<string>()));
        Assert.Null(summary["roleArn"]);
    }

    [Fact]
    public async Task DescribePodIdentityAssociation_returns_the_role()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        var association = Stub.Eks.AddPodIdentityAssociation(new PodIdentityAssociation
        {
            ClusterName = "prod", Namespace = "shop", ServiceAccount = "web", RoleArn = "arn:aws:iam::123456789012:role/web",
        });
        var body = (await OkAsync($"/clusters/prod/pod-identity-associations/{association.AssociationId}"))["association"]!;
        Assert.Equal("arn:aws:iam::123456789012:role/web", body["roleArn"]!.GetValue<string>());
        Assert.Equal(association.AssociationArn, body["associationArn"]!.GetValue<string>());
        Assert.Equal($"arn:aws:eks:eu-west-1:123456789012:podidentityassociation/prod/{association.AssociationId}", association.AssociationArn);
        using var missing = await Hand.EksAsync("/clusters/prod/pod-identity-associations/a-00000000000000000");
        Assert.Equal("ResourceNotFoundException", (await Responses.RestErrorAsync(missing, HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task Associations_of_an_unknown_cluster_are_not_found()
    {
        using var response = await Hand.EksAsync("/clusters/ghost/pod-identity-associations");
        Assert.Equal("ResourceNotFoundException", (await Responses.RestErrorAsync(response, HttpStatusCode.NotFound)).Code);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task A_maxResults_out_of_range_is_an_InvalidParameterException(string maxResults)
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        using var response = await Hand.EksAsync("/clusters/prod/pod-identity-associations", new Dictionary<string, string> { ["maxResults"] = maxResults });
        Assert.Equal("InvalidParameterException", (await Responses.RestErrorAsync(response, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task ListClusters_and_an_unknown_route()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "b" });
        Stub.Eks.AddCluster(new EksCluster { Name = "a" });
        Assert.Equal("""["a","b"]""", (await OkAsync("/clusters"))["clusters"]!.ToJsonString());
        using var response = await Hand.EksAsync("/clusters/a/fargate-profiles");
        Assert.Equal("UnknownOperationException", (await Responses.RestErrorAsync(response, HttpStatusCode.NotFound)).Code);
    }

    [Fact]
    public async Task A_cluster_can_change_while_serving()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        Assert.Null((await OkAsync("/clusters/prod"))["cluster"]!["encryptionConfig"]);
        Stub.Eks.AddCluster(Stub.Eks.FindCluster("prod")! with { SecretsKeyArn = KeyArn });
        Assert.NotNull((await OkAsync("/clusters/prod"))["cluster"]!["encryptionConfig"]);
    }

    private async Task<JsonObject> OkAsync(string path, IReadOnlyDictionary<string, string>? query = null)
    {
        using var response = await Hand.EksAsync(path, query);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await Responses.JsonAsync(response);
    }
}
