namespace EksHardening.Operator.Tests.Aws;

/// <summary>EKS requests on the wire (REST-JSON) and responses shaped like the EKS API reference's examples.</summary>
public sealed class EksClientTests
{
    [Fact]
    public async Task DescribeCluster_reads_encryption_logging_endpoint_access_and_the_oidc_issuer()
    {
        var handler = new FakeAwsHandler().Json("""
            {
              "cluster": {
                "arn": "arn:aws:eks:us-west-2:012345678910:cluster/my-cluster",
                "certificateAuthority": { "data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUN5RENDQWJDZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY20vLS0tLS0K" },
                "createdAt": 1.527807879988E9,
                "endpoint": "https://A0DCCD80A04F01705DD065655C30CC3D.yl4.us-west-2.eks.amazonaws.com",
                "identity": { "oidc": { "issuer": "https://oidc.eks.us-west-2.amazonaws.com/id/A0DCCD80A04F01705DD065655C30CC3D" } },
                "logging": {
                  "clusterLogging": [
                    { "enabled": true, "types": [ "api", "audit", "authenticator" ] },
                    { "enabled": false, "types": [ "controllerManager", "scheduler" ] }
                  ]
                },
                "name": "my-cluster",
                "platformVersion": "eks.5",
                "resourcesVpcConfig": {
                  "clusterSecurityGroupId": "sg-0bd6b7ae9bd6d3a3b",
                  "endpointPrivateAccess": true,
                  "endpointPublicAccess": true,
                  "publicAccessCidrs": [ "0.0.0.0/0", "203.0.113.5/32" ],
                  "securityGroupIds": [ "sg-6979fe18" ],
                  "subnetIds": [ "subnet-6782e71e", "subnet-e7e761ac" ],
                  "vpcId": "vpc-950809ec"
                },
                "roleArn": "arn:aws:iam::012345678910:role/eks-service-role-AWSServiceRoleForAmazonEKS-J7ONKE3BQ4PI",
                "encryptionConfig": [
                  { "resources": [ "secrets" ], "provider": { "keyArn": "arn:aws:kms:us-west-2:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab" } }
                ],
                "status": "ACTIVE",
                "version": "1.31"
              }
            }
            """);
        using var http = AwsTest.Http(handler);

        var cluster = await new EksClient(http).DescribeClusterAsync("us-west-2", "my-cluster");

        Assert.Equal("my-cluster", cluster.Name);
        Assert.Equal("arn:aws:eks:us-west-2:012345678910:cluster/my-cluster", cluster.Arn);
        Assert.Equal("1.31", cluster.Version);
        Assert.Equal("ACTIVE", cluster.Status);
        Assert.Equal("arn:aws:kms:us-west-2:012345678910:key/1234abcd-12ab-34cd-56ef-1234567890ab", cluster.SecretsKeyArn);
        Assert.Equal(new HashSet<string> { "api", "audit", "authenticator" }, cluster.EnabledLogTypes);
        Assert.Equal(2, cluster.Logging.Count);
        Assert.True(cluster.EndpointPublicAccess);
        Assert.True(cluster.EndpointPrivateAccess);
        Assert.Equal(["0.0.0.0/0", "203.0.113.5/32"], cluster.PublicAccessCidrs);
        Assert.Equal("https://oidc.eks.us-west-2.amazonaws.com/id/A0DCCD80A04F01705DD065655C30CC3D", cluster.OidcIssuer);

        var request = handler.Single();
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://eks.us-west-2.amazonaws.com/clusters/my-cluster", request.Uri.AbsoluteUri);
        Assert.Equal("", request.Body);
        AwsTest.AssertSigned(request, "eks", "us-west-2");
        Assert.Contains("SignedHeaders=host;x-amz-date,", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_without_secrets_encryption_or_logging()
    {
        var handler = new FakeAwsHandler().Json("""
            {"cluster":{"name":"dev","arn":"arn:aws:eks:eu-west-1:012345678910:cluster/dev","logging":{"clusterLogging":[{"enabled":false,"types":["api","audit","authenticator","controllerManager","scheduler"]}]},
             "resourcesVpcConfig":{"endpointPublicAccess":false,"endpointPrivateAccess":true}}}
            """);
        using var http = AwsTest.Http(handler);

        var cluster = await new EksClient(http).DescribeClusterAsync("eu-west-1", "dev");

        Assert.Null(cluster.SecretsKeyArn);
        Assert.Empty(cluster.EncryptionConfig);
        Assert.Empty(cluster.EnabledLogTypes);
        Assert.False(cluster.EndpointPublicAccess);
        Assert.Empty(cluster.PublicAccessCidrs);
        Assert.Null(cluster.OidcIssuer);
    }

    [Fact]
    public async Task Path_labels_are_escaped()
    {
        var handler = new FakeAwsHandler().Json("""{"cluster":{"name":"a b"}}""");
        using var http = AwsTest.Http(handler);

        await new EksClient(http).DescribeClusterAsync("eu-west-1", "a b/c");

        Assert.Equal("/clusters/a%20b%2Fc", handler.Single().Uri.AbsolutePath);
    }

    [Fact]
    public async Task ListPodIdentityAssociations_filters_and_follows_next_token()
    {
        var handler = new FakeAwsHandler()
            .Json("""
                {
                  "associations": [
                    { "clusterName": "prod", "namespace": "shop", "serviceAccount": "web", "associationArn": "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-1", "associationId": "a-1" }
                  ],
                  "nextToken": "eyJuZXh0IjoiYS0yIn0="
                }
                """)
            .Json("""
                {
                  "associations": [
                    { "clusterName": "prod", "namespace": "shop", "serviceAccount": "web", "associationArn": "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-2", "associationId": "a-2", "ownerArn": "arn:aws:eks:eu-west-1:012345678910:addon/prod/vpc-cni/x" }
                  ]
                }
                """);
        using var http = AwsTest.Http(handler);

        var associations = await new EksClient(http).ListPodIdentityAssociationsAsync("eu-west-1", "prod", "shop", "web");

        Assert.Equal(
        [
            new EksPodIdentityAssociationSummary("prod", "shop", "web", "a-1", "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-1", null),
            new EksPodIdentityAssociationSummary("prod", "shop", "web", "a-2", "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-2", "arn:aws:eks:eu-west-1:012345678910:addon/prod/vpc-cni/x"),
        ], associations);
        var requests = handler.Requests.ToArray();
        Assert.Equal(HttpMethod.Get, requests[0].Method);
        Assert.Equal("/clusters/prod/pod-identity-associations", requests[0].Uri.AbsolutePath);
        Assert.Equal(new Dictionary<string, string> { ["namespace"] = "shop", ["serviceAccount"] = "web", ["maxResults"] = "100" }, requests[0].Query());
        Assert.Equal("eyJuZXh0IjoiYS0yIn0=", requests[1].Query()["nextToken"]);
        Assert.Contains("nextToken=eyJuZXh0IjoiYS0yIn0%3D", requests[1].Uri.Query, StringComparison.Ordinal);
        Assert.All(requests, r => AwsTest.AssertSigned(r, "eks", "eu-west-1"));
    }

    [Fact]
    public async Task ListPodIdentityAssociations_without_filters_sends_only_maxResults()
    {
        var handler = new FakeAwsHandler().Json("""{"associations":[]}""");
        using var http = AwsTest.Http(handler);

        Assert.Empty(await new EksClient(http).ListPodIdentityAssociationsAsync("eu-west-1", "prod"));

        Assert.Equal("?maxResults=100", handler.Single().Uri.Query);
    }

    [Fact]
    public async Task DescribePodIdentityAssociation_reads_the_role()
    {
        var handler = new FakeAwsHandler().Json("""
            {
              "association": {
                "clusterName": "prod",
                "namespace": "shop",
                "serviceAccount": "web",
                "roleArn": "arn:aws:iam::012345678910:role/shop-web",
                "associationArn": "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-1",
                "associationId": "a-1",
                "tags": {},
                "createdAt": 1.700000000E9,
                "modifiedAt": 1.700000100E9,
                "disableSessionTags": false
              }
            }
            """);
        using var http = AwsTest.Http(handler);

        var association = await new EksClient(http).DescribePodIdentityAssociationAsync("eu-west-1", "prod", "a-1");

        Assert.Equal(new EksPodIdentityAssociation("prod", "shop", "web", "a-1", "arn:aws:eks:eu-west-1:012345678910:podidentityassociation/prod/a-1",
            "arn:aws:iam::012345678910:role/shop-web", null, null, DateTimeOffset.FromUnixTimeSeconds(1700000000), DateTimeOffset.FromUnixTimeSeconds(1700000100)), association);
        Assert.Equal("https://eks.eu-west-1.amazonaws.com/clusters/prod/pod-identity-associations/a-1", handler.Single().Uri.AbsoluteUri);
    }
}
