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

    [Fact]
    public async Task DescribeCluster_reports_the_access_config_and_security_groups()
    {
        var cluster = Stub.Eks.AddCluster(new EksCluster
        {
            Name = "prod", AuthenticationMode = "API", BootstrapClusterCreatorAdminPermissions = false, SecurityGroupIds = ["sg-0123456789abcdef0"],
        });
        var body = (await OkAsync("/clusters/prod"))["cluster"]!;
        Assert.Equal("""{"bootstrapClusterCreatorAdminPermissions":false,"authenticationMode":"API"}""", body["accessConfig"]!.ToJsonString());
        Assert.Equal("""["sg-0123456789abcdef0"]""", body["resourcesVpcConfig"]!["securityGroupIds"]!.ToJsonString());
        Assert.Matches("^sg-[0-9a-f]{17}$", cluster.ClusterSecurityGroupId);
        Assert.Equal(cluster.ClusterSecurityGroupId, body["resourcesVpcConfig"]!["clusterSecurityGroupId"]!.GetValue<string>());

        Stub.Eks.AddCluster(new EksCluster { Name = "dev" });
        var defaults = (await OkAsync("/clusters/dev"))["cluster"]!["accessConfig"]!;
        Assert.Equal("""{"bootstrapClusterCreatorAdminPermissions":true,"authenticationMode":"API_AND_CONFIG_MAP"}""", defaults.ToJsonString());
    }

    [Fact]
    public async Task DescribeClusterVersions_derives_each_status_from_its_dates_and_leaves_unsupported_versions_out_unless_includeAll()
    {
        var now = DateTimeOffset.UtcNow;
        Stub.Eks.AddClusterVersion(new EksClusterVersion
        {
            Version = "1.33", DefaultVersion = true, ReleaseDate = now.AddDays(-30), EndOfStandardSupportDate = now.AddDays(400),
            EndOfExtendedSupportDate = now.AddDays(800), KubernetesPatchVersion = "1.33.1",
        });
        Stub.Eks.AddClusterVersion(new EksClusterVersion { Version = "1.30", EndOfStandardSupportDate = now.AddDays(-10), EndOfExtendedSupportDate = now.AddDays(300) });
        Stub.Eks.AddClusterVersion(new EksClusterVersion { Version = "1.9", EndOfStandardSupportDate = now.AddDays(-700), EndOfExtendedSupportDate = now.AddDays(-300) });
        Stub.Eks.AddClusterVersion(new EksClusterVersion { Version = "1.31", VersionStatus = "UNSUPPORTED" });

        static IEnumerable<string> Versions(JsonObject body) => body["clusterVersions"]!.AsArray().Select(v => v!["clusterVersion"]!.GetValue<string>());
        Assert.Equal(["1.33", "1.30"], Versions(await OkAsync("/cluster-versions")));
        var all = await OkAsync("/cluster-versions", new Dictionary<string, string> { ["includeAll"] = "true" });
        Assert.Equal(["1.33", "1.31", "1.30", "1.9"], Versions(all));
        Assert.Equal(
            [("STANDARD_SUPPORT", "standard-support"), ("UNSUPPORTED", "unsupported"), ("EXTENDED_SUPPORT", "extended-support"), ("UNSUPPORTED", "unsupported")],
            all["clusterVersions"]!.AsArray().Select(v => (v!["versionStatus"]!.GetValue<string>(), v["status"]!.GetValue<string>())));

        var current = all["clusterVersions"]![0]!;
        Assert.Equal(System.Text.Json.JsonValueKind.Number, current["endOfStandardSupportDate"]!.GetValueKind());
        Assert.Equal(now.AddDays(400).ToUnixTimeSeconds(), (long)current["endOfStandardSupportDate"]!.GetValue<decimal>());
        Assert.Equal(now.AddDays(-30).ToUnixTimeSeconds(), (long)current["releaseDate"]!.GetValue<decimal>());
        Assert.True(current["defaultVersion"]!.GetValue<bool>());
        Assert.Equal(("eks", "1.33.1"), (current["clusterType"]!.GetValue<string>(), current["kubernetesPatchVersion"]!.GetValue<string>()));

        var one = await OkAsync("/cluster-versions", new Dictionary<string, string> { ["clusterVersions"] = "1.9", ["includeAll"] = "true" });
        Assert.Equal(["1.9"], Versions(one));
        Assert.Empty(Versions(await OkAsync("/cluster-versions", new Dictionary<string, string> { ["clusterVersions"] = "1.9" })));
        Assert.Empty(Versions(await OkAsync("/cluster-versions", new Dictionary<string, string> { ["clusterVersions"] = "2.0", ["includeAll"] = "true" })));
        Assert.Equal(["1.30"], Versions(await OkAsync("/cluster-versions", new Dictionary<string, string> { ["versionStatus"] = "EXTENDED_SUPPORT" })));
        Assert.Equal(["1.31", "1.9"], Versions(await OkAsync("/cluster-versions", new Dictionary<string, string> { ["status"] = "unsupported", ["includeAll"] = "true" })));
        Assert.Equal(["1.33"], Versions(await OkAsync("/cluster-versions", new Dictionary<string, string> { ["defaultOnly"] = "true" })));
    }

    [Fact]
    public async Task DescribeClusterVersions_asks_for_a_list_of_versions_with_repeated_query_parameters()
    {
        foreach (var version in new[] { "1.29", "1.30", "1.31" })
        {
            Stub.Eks.AddClusterVersion(new EksClusterVersion { Version = version });
        }

        var request = SdkSigner.Sign(Stub.BaseUrl, "eks", Stub.Region, HttpMethod.Get, "/cluster-versions", null, null,
            new Dictionary<string, string> { ["includeAll"] = "true" }, Stub.Credentials, listQuery: new Dictionary<string, IReadOnlyList<string>> { ["clusterVersions"] = ["1.29", "1.31"] });
        Assert.Contains("clusterVersions=1.29&clusterVersions=1.31", request.RequestUri!.Query, StringComparison.Ordinal);
        using var response = await Hand.SendAsync(request);
        var body = await Responses.JsonAsync(response);
        Assert.Equal(["1.31", "1.29"], body["clusterVersions"]!.AsArray().Select(v => v!["clusterVersion"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("versionStatus", "CURRENT")]
    [InlineData("status", "STANDARD_SUPPORT")]
    [InlineData("includeAll", "yes")]
    [InlineData("maxResults", "101")]
    public async Task DescribeClusterVersions_refuses_invalid_filters_with_InvalidParameterException(string name, string value)
    {
        using var response = await Hand.EksAsync("/cluster-versions", new Dictionary<string, string> { [name] = value });
        var (code, body) = await Responses.RestErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("InvalidParameterException", code);
        Assert.Contains(name, body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAddons_pages_by_name_and_DescribeAddon_reports_version_status_and_arn()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        foreach (var name in new[] { "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent" })
        {
            Stub.Eks.AddAddon(new EksAddon { ClusterName = "prod", Name = name, Version = "v1.0.0-eksbuild.1" });
        }

        var vpcCni = Stub.Eks.AddAddon(new EksAddon { ClusterName = "prod", Name = "vpc-cni", Version = "v1.18.1-eksbuild.3", Status = "DEGRADED" });
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "vpc-cni", Version = "v1.18.1-eksbuild.3" });
        var names = await PagesAsync("/clusters/prod/addons", "addons", 2);
        Assert.Equal(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"], names);

        var addon = (await OkAsync("/clusters/prod/addons/vpc-cni"))["addon"]!;
        Assert.Equal(("vpc-cni", "prod", "v1.18.1-eksbuild.3", "DEGRADED", vpcCni.Arn),
            (addon["addonName"]!.GetValue<string>(), addon["clusterName"]!.GetValue<string>(), addon["addonVersion"]!.GetValue<string>(),
             addon["status"]!.GetValue<string>(), addon["addonArn"]!.GetValue<string>()));
        Assert.Matches(@"^arn:aws:eks:eu-west-1:123456789012:addon/prod/vpc-cni/[0-9a-f-]{36}$", vpcCni.Arn);
        Assert.Equal(("eks", "aws"), (addon["publisher"]!.GetValue<string>(), addon["owner"]!.GetValue<string>()));

        using var missing = await Hand.EksAsync("/clusters/prod/addons/nope");
        var (code, body) = await Responses.RestErrorAsync(missing, HttpStatusCode.NotFound);
        Assert.Equal(("ResourceNotFoundException", "nope", "prod"), (code, body["addonName"]!.GetValue<string>(), body["clusterName"]!.GetValue<string>()));
        Assert.True(Stub.Eks.RemoveAddon("prod", "vpc-cni"));
        using var removed = await Hand.EksAsync("/clusters/prod/addons/vpc-cni");
        Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
    }

    [Fact]
    public async Task DescribeAddonVersions_lists_the_versions_compatible_with_a_Kubernetes_version_with_their_defaults()
    {
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "vpc-cni", Version = "v1.19.0-eksbuild.1", Compatibilities = [new("1.31"), new("1.30")] });
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "vpc-cni", Version = "v1.18.5-eksbuild.1", Compatibilities = [new("1.31", DefaultVersion: true), new("1.30", DefaultVersion: true)] });
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "vpc-cni", Version = "v1.12.0-eksbuild.1", Compatibilities = [new("1.24", DefaultVersion: true)] });
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "coredns", Version = "v1.11.3-eksbuild.1", Type = "networking", Compatibilities = [new("1.31", true)] });
        Stub.Eks.AddAddonVersion(new EksAddonVersion { AddonName = "aws-ebs-csi-driver", Version = "v1.35.0-eksbuild.1", Type = "storage", Compatibilities = [new("1.31", true)] });

        var body = await OkAsync("/addons/supported-versions", new Dictionary<string, string> { ["addonName"] = "vpc-cni", ["kubernetesVersion"] = "1.31" });
        var addon = Assert.Single(body["addons"]!.AsArray())!;
        Assert.Equal(("vpc-cni", "networking", "eks", "aws"),
            (addon["addonName"]!.GetValue<string>(), addon["type"]!.GetValue<string>(), addon["publisher"]!.GetValue<string>(), addon["owner"]!.GetValue<string>()));
        var versions = addon["addonVersions"]!.AsArray();
        Assert.Equal(["v1.19.0-eksbuild.1", "v1.18.5-eksbuild.1"], versions.Select(v => v!["addonVersion"]!.GetValue<string>()));
        Assert.Equal("""[{"clusterVersion":"1.31","platformVersions":["*"],"defaultVersion":true},{"clusterVersion":"1.30","platformVersions":["*"],"defaultVersion":true}]""",
            versions[1]!["compatibilities"]!.ToJsonString());

        Assert.Empty((await OkAsync("/addons/supported-versions", new Dictionary<string, string> { ["addonName"] = "nope" }))["addons"]!.AsArray());
        Assert.Equal(["aws-ebs-csi-driver", "coredns", "vpc-cni"], await PagesAsync("/addons/supported-versions", "addons", 1, a => a["addonName"]!.GetValue<string>()));
        var storage = await OkAsync("/addons/supported-versions", new Dictionary<string, string> { ["types"] = "storage" });
        Assert.Equal("aws-ebs-csi-driver", Assert.Single(storage["addons"]!.AsArray())!["addonName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Access_entries_page_and_list_their_policies_under_an_escaped_principal_ARN()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        const string admin = "arn:aws:iam::123456789012:role/platform/admin";
        Stub.Eks.AddAccessEntry(new EksAccessEntry
        {
            ClusterName = "prod",
            PrincipalArn = admin,
            Policies = [new(EksAccessEntry.ClusterAdminPolicy), new(EksAccessEntry.ViewPolicy, "namespace", ["shop", "ops"])],
        });
        for (var i = 0; i < 4; i++)
        {
            Stub.Eks.AddAccessEntry(new EksAccessEntry { ClusterName = "prod", PrincipalArn = $"arn:aws:iam::123456789012:role/dev{i}" });
        }

        var principals = await PagesAsync("/clusters/prod/access-entries", "accessEntries", 2);
        Assert.Equal(5, principals.Count);
        Assert.Contains(admin, principals);
        var admins = await OkAsync("/clusters/prod/access-entries", new Dictionary<string, string> { ["associatedPolicyArn"] = EksAccessEntry.ClusterAdminPolicy });
        Assert.Equal($"""["{admin}"]""", admins["accessEntries"]!.ToJsonString());

        const string path = "/clusters/prod/access-entries/{principalArn}/access-policies";
        var label = new Dictionary<string, string> { ["principalArn"] = admin };
        var body = await OkAsync(path, labels: label);
        Assert.Equal(("prod", admin), (body["clusterName"]!.GetValue<string>(), body["principalArn"]!.GetValue<string>()));
        var policies = body["associatedAccessPolicies"]!.AsArray();
        Assert.Equal([EksAccessEntry.ClusterAdminPolicy, EksAccessEntry.ViewPolicy], policies.Select(p => p!["policyArn"]!.GetValue<string>()));
        Assert.Equal("""{"type":"cluster","namespaces":[]}""", policies[0]!["accessScope"]!.ToJsonString());
        Assert.Equal("""{"type":"namespace","namespaces":["shop","ops"]}""", policies[1]!["accessScope"]!.ToJsonString());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, policies[0]!["associatedAt"]!.GetValueKind());
        Assert.Equal(admin, Stub.Requests[^1].Parameter("principalArn"));
        var paged = await OkAsync(path, new Dictionary<string, string> { ["maxResults"] = "1" }, label);
        Assert.Single(paged["associatedAccessPolicies"]!.AsArray());
        Assert.NotNull(paged["nextToken"]);

        using var unknown = await Hand.EksAsync(path, labels: new Dictionary<string, string> { ["principalArn"] = "arn:aws:iam::123456789012:role/ghost" });
        Assert.Equal("ResourceNotFoundException", (await Responses.RestErrorAsync(unknown, HttpStatusCode.NotFound)).Code);
        using var invalid = await Hand.EksAsync("/clusters/prod/access-entries/admin/access-policies");
        Assert.Equal("InvalidParameterException", (await Responses.RestErrorAsync(invalid, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task ListNodegroups_pages_and_DescribeNodegroup_reports_ami_release_launch_template_and_auto_scaling_groups()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod", Version = "1.31" });
        var custom = Stub.Eks.AddNodegroup(new EksNodegroup
        {
            ClusterName = "prod", Name = "custom", AmiType = "CUSTOM", ReleaseVersion = "ami-0123456789abcdef0", Version = "1.30",
            LaunchTemplate = new EksLaunchTemplate("lt-0123456789abcdef0", "3", "nodes"), AutoScalingGroups = ["asg-a", "asg-b"],
        });
        var standard = Stub.Eks.AddNodegroup(new EksNodegroup { ClusterName = "prod", Name = "standard" });
        Stub.Eks.AddNodegroup(new EksNodegroup { ClusterName = "prod", Name = "arm", AmiType = "AL2023_ARM_64_STANDARD" });

        Assert.Equal(["arm", "custom", "standard"], await PagesAsync("/clusters/prod/node-groups", "nodegroups", 2));

        var group = (await OkAsync("/clusters/prod/node-groups/custom"))["nodegroup"]!;
        Assert.Equal(("custom", "CUSTOM", "ami-0123456789abcdef0", "1.30", "ACTIVE"),
            (group["nodegroupName"]!.GetValue<string>(), group["amiType"]!.GetValue<string>(), group["releaseVersion"]!.GetValue<string>(),
             group["version"]!.GetValue<string>(), group["status"]!.GetValue<string>()));
        Assert.Equal("""{"name":"nodes","version":"3","id":"lt-0123456789abcdef0"}""", group["launchTemplate"]!.ToJsonString());
        Assert.Equal("""[{"name":"asg-a"},{"name":"asg-b"}]""", group["resources"]!["autoScalingGroups"]!.ToJsonString());
        Assert.Equal(custom.Arn, group["nodegroupArn"]!.GetValue<string>());
        Assert.Null(group["instanceTypes"]);

        var defaults = (await OkAsync("/clusters/prod/node-groups/standard"))["nodegroup"]!;
        Assert.Equal(("AL2023_x86_64_STANDARD", "1.31.2-20241109", "1.31"),
            (defaults["amiType"]!.GetValue<string>(), defaults["releaseVersion"]!.GetValue<string>(), defaults["version"]!.GetValue<string>()));
        Assert.Null(defaults["launchTemplate"]);
        Assert.Equal(standard.AutoScalingGroups![0], defaults["resources"]!["autoScalingGroups"]![0]!["name"]!.GetValue<string>());
        Assert.Matches("^eks-standard-[0-9a-f-]{36}$", standard.AutoScalingGroups[0]);
        Assert.Matches("^arn:aws:eks:eu-west-1:123456789012:nodegroup/prod/standard/[0-9a-f-]{36}$", standard.Arn);

        using var missing = await Hand.EksAsync("/clusters/prod/node-groups/nope");
        var (code, body) = await Responses.RestErrorAsync(missing, HttpStatusCode.NotFound);
        Assert.Equal(("ResourceNotFoundException", "No node group found for name: nope.", "nope"),
            (code, body["message"]!.GetValue<string>(), body["nodegroupName"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/clusters/ghost/addons")]
    [InlineData("/clusters/ghost/addons/vpc-cni")]
    [InlineData("/clusters/ghost/access-entries")]
    [InlineData("/clusters/ghost/access-entries/{principalArn}/access-policies")]
    [InlineData("/clusters/ghost/node-groups")]
    [InlineData("/clusters/ghost/node-groups/ng")]
    public async Task Cluster_parts_of_an_unknown_cluster_are_a_404_naming_it(string path)
    {
        using var response = await Hand.EksAsync(path, labels: new Dictionary<string, string> { ["principalArn"] = "arn:aws:iam::123456789012:role/admin" });
        var (code, body) = await Responses.RestErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(("ResourceNotFoundException", "ghost"), (code, body["clusterName"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/clusters/prod/addons", "0")]
    [InlineData("/clusters/prod/access-entries", "101")]
    [InlineData("/clusters/prod/node-groups", "0")]
    [InlineData("/addons/supported-versions", "101")]
    public async Task New_list_calls_refuse_maxResults_out_of_range_and_foreign_tokens(string path, string maxResults)
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        using var range = await Hand.EksAsync(path, new Dictionary<string, string> { ["maxResults"] = maxResults });
        Assert.Equal("InvalidParameterException", (await Responses.RestErrorAsync(range, HttpStatusCode.BadRequest)).Code);

        Stub.Eks.AddCluster(new EksCluster { Name = "a" });
        Stub.Eks.AddCluster(new EksCluster { Name = "b" });
        var foreign = (await OkAsync("/clusters", new Dictionary<string, string> { ["maxResults"] = "1" }))["nextToken"]!.GetValue<string>();
        using var token = await Hand.EksAsync(path, new Dictionary<string, string> { ["nextToken"] = foreign });
        Assert.Equal("InvalidParameterException", (await Responses.RestErrorAsync(token, HttpStatusCode.BadRequest)).Code);
    }

    [Fact]
    public async Task Removing_a_cluster_removes_its_addons_access_entries_and_node_groups()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        Stub.Eks.AddAddon(new EksAddon { ClusterName = "prod", Name = "coredns", Version = "v1.11.3-eksbuild.1" });
        Stub.Eks.AddAccessEntry(new EksAccessEntry { ClusterName = "prod", PrincipalArn = "arn:aws:iam::123456789012:role/admin" });
        Stub.Eks.AddNodegroup(new EksNodegroup { ClusterName = "prod", Name = "ng" });
        Assert.True(Stub.Eks.RemoveCluster("prod"));
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });

        Assert.Empty((await OkAsync("/clusters/prod/addons"))["addons"]!.AsArray());
        Assert.Empty((await OkAsync("/clusters/prod/access-entries"))["accessEntries"]!.AsArray());
        Assert.Empty((await OkAsync("/clusters/prod/node-groups"))["nodegroups"]!.AsArray());
    }

    [Theory]
    [InlineData("/cluster-versions", "DescribeClusterVersions")]
    [InlineData("/addons/supported-versions", "DescribeAddonVersions")]
    [InlineData("/clusters/prod/node-groups/ng", "DescribeNodegroup")]
    public async Task New_operations_check_the_signature_as_the_others(string path, string operation)
    {
        var unsigned = SdkSigner.Sign(Stub.BaseUrl, "eks", Stub.Region, HttpMethod.Get, path, null, null, null, Stub.Credentials);
        Assert.True(unsigned.Headers.Remove("Authorization"));
        using var missing = await Hand.SendAsync(unsigned);
        Assert.Equal("MissingAuthenticationTokenException", (await Responses.RestErrorAsync(missing, HttpStatusCode.Forbidden)).Code);

        var wrongKey = Stub.Credentials with { SecretAccessKey = "not-the-secret" };
        using var forged = await Hand.SendAsync(SdkSigner.Sign(Stub.BaseUrl, "eks", Stub.Region, HttpMethod.Get, path, null, null, null, wrongKey));
        Assert.Equal("InvalidSignatureException", (await Responses.RestErrorAsync(forged, HttpStatusCode.Forbidden)).Code);
        Assert.All(Stub.Requests, r => Assert.Equal(("eks", operation), (r.Service, r.Operation)));
    }

    [Fact]
    public async Task Faults_apply_to_the_new_operations_by_name()
    {
        Stub.Eks.AddCluster(new EksCluster { Name = "prod" });
        Stub.Eks.AddNodegroup(new EksNodegroup { ClusterName = "prod", Name = "ng" });
        Stub.Faults.Throttle("eks", "ListNodegroups", times: 1);
        Stub.Faults.DenyAccess("eks", "DescribeNodegroup");
        using var throttled = await Hand.EksAsync("/clusters/prod/node-groups");
        Assert.Equal("ThrottlingException", (await Responses.RestErrorAsync(throttled, HttpStatusCode.TooManyRequests)).Code);
        Assert.Equal("""["ng"]""", (await OkAsync("/clusters/prod/node-groups"))["nodegroups"]!.ToJsonString());
        using var denied = await Hand.EksAsync("/clusters/prod/node-groups/ng");
        Assert.Equal("AccessDeniedException", (await Responses.RestErrorAsync(denied, HttpStatusCode.Forbidden)).Code);
        Assert.Equal("""["ng"]""", (await OkAsync("/clusters/prod/node-groups"))["nodegroups"]!.ToJsonString());
    }

    /// <summary>Every item of a listing, page after page of <paramref name="pageSize"/>; each page but the last is full.</summary>
    private async Task<List<string>> PagesAsync(string path, string member, int pageSize, Func<JsonNode, string>? read = null)
    {
        var items = new List<string>();
        string? token = null;
        do
        {
            var query = new Dictionary<string, string> { ["maxResults"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (token is not null)
            {
                query["nextToken"] = token;
            }

            var body = await OkAsync(path, query);
            var page = body[member]!.AsArray();
            token = body["nextToken"]?.GetValue<string>();
            Assert.True(token is null ? page.Count <= pageSize : page.Count == pageSize, $"page of {page.Count} with token {token}");
            items.AddRange(page.Select(item => read?.Invoke(item!) ?? item!.GetValue<string>()));
        }
        while (token is not null);
        return items;
    }

    private async Task<JsonObject> OkAsync(string path, IReadOnlyDictionary<string, string>? query = null, IReadOnlyDictionary<string, string>? labels = null)
    {
        using var response = await Hand.EksAsync(path, query, labels);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await Responses.JsonAsync(response);
    }
}
