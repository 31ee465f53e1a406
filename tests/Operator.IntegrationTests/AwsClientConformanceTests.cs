using AwsServiceException = EksHardening.Operator.Aws.AwsServiceException;
using StubAccessEntry = EksHardening.AwsStub.Eks.EksAccessEntry;
using StubAddon = EksHardening.AwsStub.Eks.EksAddon;
using StubAddonVersion = EksHardening.AwsStub.Eks.EksAddonVersion;
using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
using StubClusterVersion = EksHardening.AwsStub.Eks.EksClusterVersion;
using StubLaunchTemplate = EksHardening.AwsStub.Eks.EksLaunchTemplate;
using StubNodegroup = EksHardening.AwsStub.Eks.EksNodegroup;
using StubImage = EksHardening.AwsStub.Ecr.EcrImage;
using StubKey = EksHardening.AwsStub.Kms.KmsKey;
using StubManagedPolicy = EksHardening.AwsStub.Iam.IamManagedPolicy;
using StubPodIdentity = EksHardening.AwsStub.Eks.PodIdentityAssociation;
using StubRole = EksHardening.AwsStub.Iam.IamRole;
using StubScan = EksHardening.AwsStub.Ecr.EcrImageScan;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>Every operation of the operator's AWS clients against the stub: wire formats, pagination, error mapping.</summary>
public sealed class AwsClientConformanceTests : IAsyncLifetime
{
    private AwsEndpointStub _aws = null!;
    private AwsClients _clients = null!;
    private EcrRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _aws = await AwsEndpointStub.StartNewAsync();
        var env = _aws.EnvironmentVariables();
        _clients = new AwsClients(new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k) },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
        _registry = new EcrRegistry(_aws.AccountId, _aws.Region);
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _aws.DisposeAsync();
    }

    private static string Digest(int i) => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Ecr_operations_page_through_findings_and_batch_image_ids()
    {
        _aws.Ecr.AddImage(new StubImage { Repository = "big", Digest = Digest(1), Tags = ["1"], Scan = StubScan.WithCounts(DateTimeOffset.UtcNow, ("HIGH", 2050), ("LOW", 3)) });
        for (var i = 2; i < 152; i++) _aws.Ecr.AddImage(new StubImage { Repository = "many", Digest = Digest(i), Tags = [$"t{i}"] });
        _aws.Ecr.AddRepository(new AwsStub.Ecr.EcrRepository { Name = "scanned", ScanOnPush = true });
        _aws.Ecr.SetScanningConfiguration(new AwsStub.Ecr.RegistryScanningConfiguration
        {
            ScanType = "ENHANCED",
            Rules = [new AwsStub.Ecr.RegistryScanningRule("CONTINUOUS_SCAN", ["ma*"])],
        });

        var scan = await _clients.Ecr.DescribeImageScanFindingsAsync(_registry, "big", EcrImageId.ByDigest(Digest(1)));
        Assert.Equal(2053, scan.Findings.Count);
        Assert.Equal(2050, scan.SeverityCounts["HIGH"]);
        Assert.True(_aws.CountRequests("ecr", "DescribeImageScanFindings") >= 3, "findings came in several pages");

        var images = await _clients.Ecr.DescribeImagesAsync(_registry, "many", Enumerable.Range(2, 150).Select(i => EcrImageId.ByTag($"t{i}")).ToList());
        Assert.Equal(150, images.Count);
        Assert.Equal(2, _aws.CountRequests("ecr", "DescribeImages"));

        var repositories = await _clients.Ecr.DescribeRepositoriesAsync(_registry, ["scanned", "big"]);
        Assert.True(repositories.Single(r => r.Name == "scanned").ScanOnPush);
        var registry = await _clients.Ecr.GetRegistryScanningConfigurationAsync(_aws.Region);
        Assert.Equal("ENHANCED", registry.ScanType);
        var configurations = await _clients.Ecr.BatchGetRepositoryScanningConfigurationAsync(_aws.Region, ["many", "scanned", "absent"]);
        Assert.Equal("CONTINUOUS_SCAN", configurations.Configurations.Single(c => c.RepositoryName == "many").ScanFrequency);
        Assert.Contains(configurations.Failures, f => f.RepositoryName == "absent");

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.Ecr.DescribeImageScanFindingsAsync(_registry, "nope", EcrImageId.ByDigest(Digest(1))));
        Assert.Equal(AwsErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Eks_operations_page_through_pod_identity_associations()
    {
        _aws.Eks.AddCluster(new StubCluster { Name = "prod", EnabledLogTypes = ["api"], OidcIssuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" });
        for (var i = 0; i < 120; i++)
        {
            _aws.Eks.AddPodIdentityAssociation(new StubPodIdentity { ClusterName = "prod", Namespace = $"ns{i}", ServiceAccount = "app", RoleArn = $"arn:aws:iam::{_aws.AccountId}:role/r{i}" });
        }

        var cluster = await _clients.Eks.DescribeClusterAsync(_aws.Region, "prod");
        Assert.Equal(["api"], cluster.EnabledLogTypes);
        var associations = await _clients.Eks.ListPodIdentityAssociationsAsync(_aws.Region, "prod");
        Assert.Equal(120, associations.Count);
        Assert.True(_aws.CountRequests("eks", "ListPodIdentityAssociations") >= 2);
        var one = await _clients.Eks.DescribePodIdentityAssociationAsync(_aws.Region, "prod", associations[7].AssociationId);
        Assert.Equal(associations[7].Namespace, one.Namespace);
        Assert.StartsWith($"arn:aws:iam::{_aws.AccountId}:role/r", one.RoleArn);

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.Eks.DescribeClusterAsync(_aws.Region, "nope"));
        Assert.Equal(AwsErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Eks_cluster_versions_add_ons_access_entries_and_node_groups_page_and_parse_every_field()
    {
        var cluster = _aws.Eks.AddCluster(new StubCluster
        {
            Name = "prod", Version = "1.30", AuthenticationMode = "API", BootstrapClusterCreatorAdminPermissions = false, SecurityGroupIds = ["sg-0aaaaaaaaaaaaaaa1", "sg-0aaaaaaaaaaaaaaa2"],
        });
        var standardEnd = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var extendedEnd = DateTimeOffset.UtcNow.AddDays(200);
        var release = DateTimeOffset.FromUnixTimeSeconds(1_684_000_000);
        _aws.Eks.AddClusterVersion(new StubClusterVersion { Version = "1.30", ReleaseDate = release, EndOfStandardSupportDate = standardEnd, EndOfExtendedSupportDate = extendedEnd });
        _aws.Eks.AddClusterVersion(new StubClusterVersion { Version = "1.31", DefaultVersion = true });
        _aws.Eks.AddClusterVersion(new StubClusterVersion { Version = "1.23", VersionStatus = "UNSUPPORTED" });
        for (var i = 0; i < 105; i++) _aws.Eks.AddAddon(new StubAddon { ClusterName = "prod", Name = $"addon-{i:000}", Version = "v1.0.0-eksbuild.1" });
        var vpcCni = _aws.Eks.AddAddon(new StubAddon { ClusterName = "prod", Name = "vpc-cni", Version = "v1.18.1-eksbuild.3", Status = "UPDATE_FAILED" });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "vpc-cni", Version = "v1.19.0-eksbuild.1", Compatibilities = [new("1.31", DefaultVersion: true), new("1.30")] });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "vpc-cni", Version = "v1.18.5-eksbuild.1", Compatibilities = [new("1.30", DefaultVersion: true)] });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "vpc-cni", Version = "v1.12.0-eksbuild.1", Compatibilities = [new("1.24", DefaultVersion: true)] });
        _aws.Eks.AddAddonVersion(new StubAddonVersion { AddonName = "coredns", Version = "v1.11.1-eksbuild.1", Compatibilities = [new("1.30", DefaultVersion: true)] });
        const string admin = "arn:aws:iam::123456789012:role/platform/admin";
        _aws.Eks.AddAccessEntry(new StubAccessEntry
        {
            ClusterName = "prod", PrincipalArn = admin,
            Policies = [new(StubAccessEntry.ClusterAdminPolicy), new(StubAccessEntry.ViewPolicy, "namespace", ["shop", "ops"])],
        });
        for (var i = 0; i < 120; i++) _aws.Eks.AddAccessEntry(new StubAccessEntry { ClusterName = "prod", PrincipalArn = $"arn:aws:iam::123456789012:role/dev{i:000}" });
        for (var i = 0; i < 101; i++) _aws.Eks.AddNodegroup(new StubNodegroup { ClusterName = "prod", Name = $"ng-{i:000}" });
        var custom = _aws.Eks.AddNodegroup(new StubNodegroup
        {
            ClusterName = "prod", Name = "custom", AmiType = "AL2_x86_64", ReleaseVersion = "1.30.4-20240917",
            LaunchTemplate = new StubLaunchTemplate("lt-0abcdef1234567890", "7", "nodes"), AutoScalingGroups = ["asg-a", "asg-b"], Status = "DEGRADED",
        });

        var described = await _clients.Eks.DescribeClusterAsync(_aws.Region, "prod");
        Assert.Equal(("API", false, cluster.ClusterSecurityGroupId), (described.AuthenticationMode, described.BootstrapClusterCreatorAdminPermissions, described.ClusterSecurityGroupId));
        Assert.Equal(["sg-0aaaaaaaaaaaaaaa1", "sg-0aaaaaaaaaaaaaaa2"], described.SecurityGroupIds);

        Assert.Equal([new EksClusterVersion("1.30", "EXTENDED_SUPPORT", false, release, standardEnd, DateTimeOffset.FromUnixTimeMilliseconds(extendedEnd.ToUnixTimeMilliseconds()))],
            await _clients.Eks.DescribeClusterVersionsAsync(_aws.Region, "1.30"));
        Assert.Equal("UNSUPPORTED", Assert.Single(await _clients.Eks.DescribeClusterVersionsAsync(_aws.Region, "1.23")).Status);
        Assert.Empty(await _clients.Eks.DescribeClusterVersionsAsync(_aws.Region, "1.99"));

        var addons = await _clients.Eks.ListAddonsAsync(_aws.Region, "prod");
        Assert.Equal(106, addons.Count);
        Assert.Equal(2, _aws.CountRequests("eks", "ListAddons"));
        Assert.Equal(new EksAddon("vpc-cni", "v1.18.1-eksbuild.3", "UPDATE_FAILED", vpcCni.Arn), await _clients.Eks.DescribeAddonAsync(_aws.Region, "prod", "vpc-cni"));
        Assert.Equal(
            [new EksAddonVersion("vpc-cni", "v1.19.0-eksbuild.1", false), new EksAddonVersion("vpc-cni", "v1.18.5-eksbuild.1", true)],
            await _clients.Eks.DescribeAddonVersionsAsync(_aws.Region, "vpc-cni", "1.30"));
        Assert.Empty(await _clients.Eks.DescribeAddonVersionsAsync(_aws.Region, "no-such-addon", "1.30"));

        var principals = await _clients.Eks.ListAccessEntriesAsync(_aws.Region, "prod");
        Assert.Equal(121, principals.Count);
        Assert.Equal(2, _aws.CountRequests("eks", "ListAccessEntries"));
        var policies = await _clients.Eks.ListAssociatedAccessPoliciesAsync(_aws.Region, "prod", admin);
        Assert.Equal([(StubAccessEntry.ClusterAdminPolicy, "cluster", ""), (StubAccessEntry.ViewPolicy, "namespace", "shop,ops")],
            policies.Select(p => (p.PolicyArn, p.ScopeType, string.Join(',', p.Namespaces))));
        Assert.Equal(admin, _aws.Requests[^1].Parameter("principalArn"));

        var groups = await _clients.Eks.ListNodegroupsAsync(_aws.Region, "prod");
        Assert.Equal(102, groups.Count);
        Assert.Equal(2, _aws.CountRequests("eks", "ListNodegroups"));
        var group = await _clients.Eks.DescribeNodegroupAsync(_aws.Region, "prod", "custom");
        Assert.Equal(("custom", "AL2_x86_64", "1.30.4-20240917", "1.30", "DEGRADED", "lt-0abcdef1234567890", "7"),
            (group.Name, group.AmiType, group.ReleaseVersion, group.Version, group.Status, group.LaunchTemplateId, group.LaunchTemplateVersion));
        Assert.Equal(custom.AutoScalingGroups, group.AutoScalingGroups);
    }

    public static TheoryData<string, AwsErrorKind> EksErrorCalls => new()
    {
        { "ListAddons of an unknown cluster", AwsErrorKind.NotFound },
        { "DescribeAddon of an unknown add-on", AwsErrorKind.NotFound },
        { "ListAccessEntries of an unknown cluster", AwsErrorKind.NotFound },
        { "ListAssociatedAccessPolicies of an unknown principal", AwsErrorKind.NotFound },
        { "ListAssociatedAccessPolicies of a principal that is not an ARN", AwsErrorKind.Invalid },
        { "ListNodegroups of an unknown cluster", AwsErrorKind.NotFound },
        { "DescribeNodegroup of an unknown node group", AwsErrorKind.NotFound },
        { "DescribeClusterVersions throttled", AwsErrorKind.Throttled },
        { "DescribeAddonVersions denied", AwsErrorKind.AccessDenied },
    };

    [Theory]
    [MemberData(nameof(EksErrorCalls))]
    public async Task Eks_errors_of_the_new_operations_map_to_their_kinds(string call, AwsErrorKind kind)
    {
        _aws.Eks.AddCluster(new StubCluster { Name = "prod" });
        _aws.Faults.Throttle("eks", "DescribeClusterVersions");
        _aws.Faults.DenyAccess("eks", "DescribeAddonVersions");
        Task Call() => call switch
        {
            "ListAddons of an unknown cluster" => _clients.Eks.ListAddonsAsync(_aws.Region, "ghost"),
            "DescribeAddon of an unknown add-on" => _clients.Eks.DescribeAddonAsync(_aws.Region, "prod", "coredns"),
            "ListAccessEntries of an unknown cluster" => _clients.Eks.ListAccessEntriesAsync(_aws.Region, "ghost"),
            "ListAssociatedAccessPolicies of an unknown principal" => _clients.Eks.ListAssociatedAccessPoliciesAsync(_aws.Region, "prod", "arn:aws:iam::123456789012:role/ghost"),
            "ListAssociatedAccessPolicies of a principal that is not an ARN" => _clients.Eks.ListAssociatedAccessPoliciesAsync(_aws.Region, "prod", "admin"),
            "ListNodegroups of an unknown cluster" => _clients.Eks.ListNodegroupsAsync(_aws.Region, "ghost"),
            "DescribeNodegroup of an unknown node group" => _clients.Eks.DescribeNodegroupAsync(_aws.Region, "prod", "ng"),
            "DescribeClusterVersions throttled" => _clients.Eks.DescribeClusterVersionsAsync(_aws.Region, "1.31"),
            _ => _clients.Eks.DescribeAddonVersionsAsync(_aws.Region, "vpc-cni", "1.31"),
        };

        var error = await Assert.ThrowsAsync<AwsServiceException>(Call);

        Assert.Equal((kind, "eks"), (error.Kind, error.Service));
    }

    [Fact]
    public async Task Iam_operations_page_and_decode_documents()
    {
        var inline = Enumerable.Range(0, 1200).ToDictionary(i => $"p{i:0000}", i => $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{{i}}/*"}]}""");
        var managed = _aws.Iam.AddManagedPolicy(StubManagedPolicy.Create("ReadOnly", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}"""));
        _aws.Iam.AddRole(new StubRole { Name = "app", InlinePolicies = inline, AttachedPolicyArns = [managed.Arn!] });

        var role = await _clients.Iam.GetRoleAsync("app");
        Assert.Contains("\"Statement\"", role.AssumeRolePolicyDocument);
        var names = await _clients.Iam.ListRolePoliciesAsync("app");
        Assert.Equal(1200, names.Count);
        Assert.True(_aws.CountRequests("iam", "ListRolePolicies") >= 2);
        var document = await _clients.Iam.GetRolePolicyAsync("app", "p0007");
        Assert.Contains("arn:aws:s3:::b7/*", document.PolicyDocument);
        var attached = Assert.Single(await _clients.Iam.ListAttachedRolePoliciesAsync("app"));
        var policy = await _clients.Iam.GetPolicyAsync(attached.PolicyArn);
        var version = await _clients.Iam.GetPolicyVersionAsync(policy.PolicyArn, policy.DefaultVersionId);
        Assert.Contains("ec2:Describe*", version.Document);

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.Iam.GetRoleAsync("nope"));
        Assert.Equal(AwsErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task Kms_operations_through_the_official_client()
    {
        var key = _aws.Kms.AddKey(new StubKey { RotationEnabled = true });
        var described = await _clients.Kms.DescribeKeyAsync(_aws.Region, key.Arn!);
        Assert.True(described.Enabled);
        Assert.True((await _clients.Kms.GetKeyRotationStatusAsync(_aws.Region, key.Arn!)).RotationEnabled);
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.Kms.GetKeyRotationStatusAsync(_aws.Region, "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"));
        Assert.Equal(AwsErrorKind.NotFound, missing.Kind);
    }

    [Theory]
    [InlineData("ecr")]
    [InlineData("eks")]
    [InlineData("iam")]
    [InlineData("kms")]
    public async Task AccessDenied_and_persistent_throttling_map_to_their_kinds_in_every_protocol(string service)
    {
        _aws.Eks.AddCluster(new StubCluster { Name = "prod" });
        var key = _aws.Kms.AddKey(new StubKey());
        _aws.Iam.AddRole(new StubRole { Name = "app" });
        _aws.Ecr.AddRepository(new AwsStub.Ecr.EcrRepository { Name = "repo" });
        Task Call() => service switch
        {
            "ecr" => _clients.Ecr.DescribeRepositoriesAsync(_registry, ["repo"]),
            "eks" => _clients.Eks.DescribeClusterAsync(_aws.Region, "prod"),
            "iam" => _clients.Iam.GetRoleAsync("app"),
            _ => _clients.Kms.DescribeKeyAsync(_aws.Region, key.Arn!),
        };

        var denied = _aws.Faults.DenyAccess(service);
        Assert.Equal(AwsErrorKind.AccessDenied, (await Assert.ThrowsAsync<AwsServiceException>(Call)).Kind);
        _aws.Faults.Remove(denied);
        _aws.Faults.Throttle(service);
        Assert.Equal(AwsErrorKind.Throttled, (await Assert.ThrowsAsync<AwsServiceException>(Call)).Kind);
    }
}
