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
                "version": "1.31",
                "accessConfig": { "bootstrapClusterCreatorAdminPermissions": false, "authenticationMode": "API_AND_CONFIG_MAP" }
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
        Assert.Equal("sg-0bd6b7ae9bd6d3a3b", cluster.ClusterSecurityGroupId);
        Assert.Equal(["sg-6979fe18"], cluster.SecurityGroupIds);
        Assert.Equal("API_AND_CONFIG_MAP", cluster.AuthenticationMode);
        Assert.False(cluster.BootstrapClusterCreatorAdminPermissions);

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
        Assert.Null(cluster.AuthenticationMode);
        Assert.Null(cluster.BootstrapClusterCreatorAdminPermissions);
        Assert.Null(cluster.ClusterSecurityGroupId);
        Assert.Empty(cluster.SecurityGroupIds);
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

    [Fact]
    public async Task DescribeClusterVersions_asks_for_the_one_version_including_unsupported_ones_and_reads_status_and_dates()
    {
        var handler = new FakeAwsHandler()
            .Json("""
                {
                  "clusterVersions": [
                    { "clusterVersion": "1.29", "clusterType": "eks", "defaultPlatformVersion": "eks.20", "defaultVersion": false,
                      "releaseDate": 1.706054400E9, "endOfStandardSupportDate": 1.742774400E9, "endOfExtendedSupportDate": 1.774310400E9,
                      "status": "extended-support", "versionStatus": "EXTENDED_SUPPORT", "kubernetesPatchVersion": "1.29.14" }
                  ],
                  "nextToken": "t2"
                }
                """)
            .Json("""{"clusterVersions":[{"clusterVersion":"1.30","versionStatus":"STANDARD_SUPPORT"}]}""");
        using var http = AwsTest.Http(handler);

        var versions = await new EksClient(http).DescribeClusterVersionsAsync("eu-west-1", "1.29");

        Assert.Equal(
        [
            new EksClusterVersion("1.29", "EXTENDED_SUPPORT", false, DateTimeOffset.FromUnixTimeSeconds(1706054400),
                DateTimeOffset.FromUnixTimeSeconds(1742774400), DateTimeOffset.FromUnixTimeSeconds(1774310400)),
        ], versions);
        var requests = handler.Requests.ToArray();
        Assert.Equal("https://eks.eu-west-1.amazonaws.com/cluster-versions", requests[0].Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(new Dictionary<string, string> { ["clusterVersions"] = "1.29", ["includeAll"] = "true", ["maxResults"] = "100" }, requests[0].Query());
        Assert.Equal("t2", requests[1].Query()["nextToken"]);
        Assert.All(requests, r => AwsTest.AssertSigned(r, "eks", "eu-west-1"));
    }

    [Theory]
    [InlineData("""{"clusterVersion":"1.24","status":"unsupported"}""", "UNSUPPORTED")]
    [InlineData("""{"clusterVersion":"1.24","status":"standard-support"}""", "STANDARD_SUPPORT")]
    [InlineData("""{"clusterVersion":"1.24","status":"standard-support","versionStatus":"EXTENDED_SUPPORT"}""", "EXTENDED_SUPPORT")]
    [InlineData("""{"clusterVersion":"1.24"}""", null)]
    public async Task The_version_status_prefers_versionStatus_and_reads_the_deprecated_status_in_its_spelling(string item, string? expected)
    {
        using var http = AwsTest.Http(new FakeAwsHandler().Json($$"""{"clusterVersions":[{{item}}]}"""));
        var version = Assert.Single(await new EksClient(http).DescribeClusterVersionsAsync("eu-west-1", "1.24"));
        Assert.Equal(expected, version.Status);
    }

    [Fact]
    public async Task DescribeClusterVersions_reads_ISO_dates_and_keeps_only_the_version_asked_for()
    {
        using var http = AwsTest.Http(new FakeAwsHandler().Json("""
            {"clusterVersions":[
              {"clusterVersion":"1.31","versionStatus":"STANDARD_SUPPORT","endOfStandardSupportDate":"2025-11-26T00:00:00Z","endOfExtendedSupportDate":"2026-11-26T00:00:00Z","defaultVersion":true},
              {"clusterVersion":"1.32","versionStatus":"STANDARD_SUPPORT"}]}
            """));

        var version = Assert.Single(await new EksClient(http).DescribeClusterVersionsAsync("eu-west-1", "1.31"));

        Assert.Equal(new DateTimeOffset(2025, 11, 26, 0, 0, 0, TimeSpan.Zero), version.EndOfStandardSupportDate);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), version.EndOfExtendedSupportDate);
        Assert.Null(version.ReleaseDate);
        Assert.True(version.DefaultVersion);
    }

    [Fact]
    public async Task ListAddons_and_DescribeAddon_read_names_version_status_and_arn()
    {
        var handler = new FakeAwsHandler()
            .Json("""{"addons":["coredns","kube-proxy"],"nextToken":"n1"}""")
            .Json("""{"addons":["vpc-cni"]}""")
            .Json("""
                {
                  "addon": {
                    "addonName": "vpc-cni", "clusterName": "prod", "status": "ACTIVE", "addonVersion": "v1.18.1-eksbuild.3",
                    "health": { "issues": [] }, "addonArn": "arn:aws:eks:eu-west-1:012345678910:addon/prod/vpc-cni/0ec8a7d8-5d11-0c3e-a3b5-6d0ef1ae4e1c",
                    "createdAt": 1.700000000E9, "modifiedAt": 1.700000000E9, "tags": {}
                  }
                }
                """);
        using var http = AwsTest.Http(handler);
        var client = new EksClient(http);

        Assert.Equal(["coredns", "kube-proxy", "vpc-cni"], await client.ListAddonsAsync("eu-west-1", "prod"));
        var addon = await client.DescribeAddonAsync("eu-west-1", "prod", "vpc-cni");

        Assert.Equal(new EksAddon("vpc-cni", "v1.18.1-eksbuild.3", "ACTIVE", "arn:aws:eks:eu-west-1:012345678910:addon/prod/vpc-cni/0ec8a7d8-5d11-0c3e-a3b5-6d0ef1ae4e1c"), addon);
        var requests = handler.Requests.ToArray();
        Assert.Equal("/clusters/prod/addons", requests[0].Uri.AbsolutePath);
        Assert.Equal(new Dictionary<string, string> { ["maxResults"] = "100", ["nextToken"] = "n1" }, requests[1].Query());
        Assert.Equal("https://eks.eu-west-1.amazonaws.com/clusters/prod/addons/vpc-cni", requests[2].Uri.AbsoluteUri);
    }

    [Fact]
    public async Task DescribeAddonVersions_marks_the_default_for_the_clusters_Kubernetes_version_only()
    {
        var handler = new FakeAwsHandler()
            .Json("""
                {
                  "addons": [
                    {
                      "addonName": "vpc-cni", "type": "networking", "publisher": "eks", "owner": "aws",
                      "addonVersions": [
                        { "addonVersion": "v1.19.0-eksbuild.1", "architecture": ["amd64","arm64"],
                          "compatibilities": [ { "clusterVersion": "1.31", "platformVersions": ["*"], "defaultVersion": false },
                                               { "clusterVersion": "1.30", "platformVersions": ["*"], "defaultVersion": true } ] },
                        { "addonVersion": "v1.18.5-eksbuild.1",
                          "compatibilities": [ { "clusterVersion": "1.31", "platformVersions": ["*"], "defaultVersion": true } ] }
                      ]
                    },
                    { "addonName": "other", "addonVersions": [ { "addonVersion": "v9", "compatibilities": [ { "clusterVersion": "1.31", "defaultVersion": true } ] } ] }
                  ],
                  "nextToken": "p2"
                }
                """)
            .Json("""{"addons":[{"addonName":"vpc-cni","addonVersions":[{"addonVersion":"v1.17.0-eksbuild.1"}]}]}""");
        using var http = AwsTest.Http(handler);

        var versions = await new EksClient(http).DescribeAddonVersionsAsync("eu-west-1", "vpc-cni", "1.31");

        Assert.Equal(
        [
            new EksAddonVersion("vpc-cni", "v1.19.0-eksbuild.1", false),
            new EksAddonVersion("vpc-cni", "v1.18.5-eksbuild.1", true),
            new EksAddonVersion("vpc-cni", "v1.17.0-eksbuild.1", false),
        ], versions);
        var requests = handler.Requests.ToArray();
        Assert.Equal("/addons/supported-versions", requests[0].Uri.AbsolutePath);
        Assert.Equal(new Dictionary<string, string> { ["addonName"] = "vpc-cni", ["kubernetesVersion"] = "1.31", ["maxResults"] = "100" }, requests[0].Query());
        Assert.Equal("p2", requests[1].Query()["nextToken"]);
    }

    [Fact]
    public async Task ListAccessEntries_and_ListAssociatedAccessPolicies_escape_the_principal_ARN_and_read_scopes()
    {
        const string principal = "arn:aws:iam::012345678910:role/platform/admin";
        var handler = new FakeAwsHandler()
            .Json($$"""{"accessEntries":["{{principal}}","arn:aws:iam::012345678910:user/ci"]}""")
            .Json($$"""
                {
                  "clusterName": "prod", "principalArn": "{{principal}}", "nextToken": "q2",
                  "associatedAccessPolicies": [
                    { "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "accessScope": { "type": "cluster", "namespaces": [] },
                      "associatedAt": 1.700000000E9, "modifiedAt": 1.700000000E9 }
                  ]
                }
                """)
            .Json("""
                {"associatedAccessPolicies":[
                  {"policyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy","accessScope":{"type":"namespace","namespaces":["shop","ops"]}},
                  {"policyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy","accessScope":{}}]}
                """);
        using var http = AwsTest.Http(handler);
        var client = new EksClient(http);

        Assert.Equal([principal, "arn:aws:iam::012345678910:user/ci"], await client.ListAccessEntriesAsync("eu-west-1", "prod"));
        var policies = await client.ListAssociatedAccessPoliciesAsync("eu-west-1", "prod", principal);

        Assert.Equal(
        [
            new EksAccessPolicyAssociation("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster", []),
            new EksAccessPolicyAssociation("arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", "namespace", ["shop", "ops"]),
            new EksAccessPolicyAssociation("arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", "cluster", []),
        ], policies, new AccessPolicyComparer());
        var requests = handler.Requests.ToArray();
        Assert.Equal("/clusters/prod/access-entries", requests[0].Uri.AbsolutePath);
        Assert.Equal("/clusters/prod/access-entries/arn%3Aaws%3Aiam%3A%3A012345678910%3Arole%2Fplatform%2Fadmin/access-policies", requests[1].Uri.AbsolutePath);
        Assert.Equal("q2", requests[2].Query()["nextToken"]);
        Assert.All(requests, r => AwsTest.AssertSigned(r, "eks", "eu-west-1"));
    }

    [Fact]
    public async Task ListNodegroups_and_DescribeNodegroup_read_ami_release_launch_template_and_auto_scaling_groups()
    {
        var handler = new FakeAwsHandler()
            .Json("""{"nodegroups":["a"],"nextToken":"g2"}""")
            .Json("""{"nodegroups":["b"],"nextToken":""}""")
            .Json("""
                {
                  "nodegroup": {
                    "nodegroupName": "b", "nodegroupArn": "arn:aws:eks:eu-west-1:012345678910:nodegroup/prod/b/1ec8a7d8-5d11-0c3e-a3b5-6d0ef1ae4e1c",
                    "clusterName": "prod", "version": "1.30", "releaseVersion": "1.30.4-20240917", "createdAt": 1.700000000E9,
                    "status": "ACTIVE", "capacityType": "ON_DEMAND", "scalingConfig": { "minSize": 1, "maxSize": 3, "desiredSize": 2 },
                    "subnets": ["subnet-1"], "amiType": "AL2023_x86_64_STANDARD", "nodeRole": "arn:aws:iam::012345678910:role/node",
                    "resources": { "autoScalingGroups": [ { "name": "eks-b-1ec8a7d8" }, { "name": "eks-b-2" } ], "remoteAccessSecurityGroup": "sg-1" },
                    "launchTemplate": { "name": "nodes", "version": "7", "id": "lt-0abcdef1234567890" },
                    "health": { "issues": [] }
                  }
                }
                """)
            .Json("""{"nodegroup":{"nodegroupName":"a","amiType":"BOTTLEROCKET_x86_64"}}""");
        using var http = AwsTest.Http(handler);
        var client = new EksClient(http);

        Assert.Equal(["a", "b"], await client.ListNodegroupsAsync("eu-west-1", "prod"));
        var b = await client.DescribeNodegroupAsync("eu-west-1", "prod", "b");
        var a = await client.DescribeNodegroupAsync("eu-west-1", "prod", "a");

        Assert.Equal(("b", "AL2023_x86_64_STANDARD", "1.30.4-20240917", "1.30", "ACTIVE", "lt-0abcdef1234567890", "7"),
            (b.Name, b.AmiType, b.ReleaseVersion, b.Version, b.Status, b.LaunchTemplateId, b.LaunchTemplateVersion));
        Assert.Equal(["eks-b-1ec8a7d8", "eks-b-2"], b.AutoScalingGroups);
        Assert.Equal(("BOTTLEROCKET_x86_64", null, null), (a.AmiType, a.LaunchTemplateId, a.ReleaseVersion));
        Assert.Empty(a.AutoScalingGroups);
        var requests = handler.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        Assert.Equal("/clusters/prod/node-groups", requests[0].Uri.AbsolutePath);
        Assert.Equal("/clusters/prod/node-groups/b", requests[2].Uri.AbsolutePath);
    }

    public static TheoryData<string> ListCalls => ["ClusterVersions", "Addons", "AddonVersions", "AccessEntries", "AccessPolicies", "Nodegroups", "PodIdentity"];

    [Theory]
    [MemberData(nameof(ListCalls))]
    public async Task Every_list_call_stops_when_EKS_repeats_a_nextToken(string call)
    {
        var handler = new FakeAwsHandler { Fallback = _ => FakeAwsHandler.Response(HttpStatusCode.OK, """{"nextToken":"same"}""", "application/json") };
        using var http = AwsTest.Http(handler);
        var client = new EksClient(http);
        Task List() => call switch
        {
            "ClusterVersions" => client.DescribeClusterVersionsAsync("eu-west-1", "1.31"),
            "Addons" => client.ListAddonsAsync("eu-west-1", "prod"),
            "AddonVersions" => client.DescribeAddonVersionsAsync("eu-west-1", "vpc-cni", "1.31"),
            "AccessEntries" => client.ListAccessEntriesAsync("eu-west-1", "prod"),
            "AccessPolicies" => client.ListAssociatedAccessPoliciesAsync("eu-west-1", "prod", "arn:aws:iam::012345678910:role/a"),
            "Nodegroups" => client.ListNodegroupsAsync("eu-west-1", "prod"),
            _ => client.ListPodIdentityAssociationsAsync("eu-west-1", "prod"),
        };

        var error = await Assert.ThrowsAsync<AwsServiceException>(List);

        Assert.Equal(("PaginationLoop", AwsServices.Eks, "EKS returned the same nextToken twice."), (error.ErrorCode, error.Service, error.Message));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Labels_of_add_ons_and_node_groups_are_escaped()
    {
        var handler = new FakeAwsHandler().Json("""{"addon":{}}""").Json("""{"nodegroup":{}}""");
        using var http = AwsTest.Http(handler);
        var client = new EksClient(http);

        var addon = await client.DescribeAddonAsync("eu-west-1", "a b", "x/y");
        var group = await client.DescribeNodegroupAsync("eu-west-1", "a b", "n?1");

        Assert.Equal(["/clusters/a%20b/addons/x%2Fy", "/clusters/a%20b/node-groups/n%3F1"], handler.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal(("x/y", "n?1"), (addon.Name, group.Name));
    }

    /// <summary>Records hold lists, which compare by reference; this compares their contents.</summary>
    private sealed class AccessPolicyComparer : IEqualityComparer<EksAccessPolicyAssociation>
    {
        public bool Equals(EksAccessPolicyAssociation? x, EksAccessPolicyAssociation? y) =>
            x is not null && y is not null && x.PolicyArn == y.PolicyArn && x.ScopeType == y.ScopeType && x.Namespaces.SequenceEqual(y.Namespaces);

        public int GetHashCode(EksAccessPolicyAssociation obj) => obj.PolicyArn.GetHashCode(StringComparison.Ordinal);
    }
}
