using AwsServiceException = EksHardening.Operator.Aws.AwsServiceException;
using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
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
