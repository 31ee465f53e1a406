using AwsServiceException = EksHardening.Operator.Aws.AwsServiceException;
using StubGroup = EksHardening.AwsStub.Ec2.Ec2SecurityGroup;
using StubImage = EksHardening.AwsStub.Ec2.Ec2Image;
using StubInstance = EksHardening.AwsStub.Ec2.Ec2Instance;
using StubPermission = EksHardening.AwsStub.Ec2.Ec2IpPermission;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>The operator's EC2 and Systems Manager clients against the stub: batching, pagination, absent ids, every parsed field, error kinds.</summary>
public sealed class Ec2SsmClientConformanceTests : IAsyncLifetime
{
    private const string Recommended = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version";

    private AwsEndpointStub _aws = null!;
    private AwsClients _clients = null!;

    public async Task InitializeAsync()
    {
        _aws = await AwsEndpointStub.StartNewAsync();
        _clients = Clients(maxAttempts: 3);
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _aws.DisposeAsync();
    }

    private AwsClients Clients(int maxAttempts)
    {
        var env = _aws.EnvironmentVariables();
        return new AwsClients(new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k), Retry = new AwsRetryOptions { MaxAttempts = maxAttempts } },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
    }

    [Fact]
    public async Task DescribeInstances_parses_every_field()
    {
        var stub = _aws.Ec2.AddInstance(new StubInstance
        {
            ImageId = "ami-0aaaaaaaaaaaaaaa1", HttpTokens = "optional", HttpPutResponseHopLimit = 2, HttpEndpoint = "disabled",
            SecurityGroupIds = ["sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"], State = "stopping",
        });

        var instance = Assert.Single(await _clients.Ec2.DescribeInstancesAsync(_aws.Region, [stub.InstanceId!]));

        Assert.Equal(new Ec2Instance(stub.InstanceId!, "ami-0aaaaaaaaaaaaaaa1", "optional", 2, "disabled", instance.SecurityGroupIds, "stopping"), instance);
        Assert.Equal(["sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"], instance.SecurityGroupIds);
        Assert.Equal(1, _clients.Counters.Count("ec2", "DescribeInstances", AwsCallCounters.Success));
    }

    [Fact]
    public async Task Instances_go_in_batches_of_200_ids_and_unknown_terminated_or_malformed_ids_are_absent()
    {
        var seeded = Enumerable.Range(0, 450).Select(_ => _aws.Ec2.AddInstance(new StubInstance()).InstanceId!).ToList();
        var terminated = _aws.Ec2.AddInstance(new StubInstance { State = "terminated" }).InstanceId!;
        var gone = _aws.Ec2.AddInstance(new StubInstance()).InstanceId!;
        _aws.Ec2.RemoveInstance(gone);
        string[] odd = ["i-0123456789abcdef0", "not-an-id", "i-*", ""];

        var instances = await _clients.Ec2.DescribeInstancesAsync(_aws.Region, [.. seeded, seeded[0], terminated, gone, .. odd]);

        Assert.Equal(seeded.Append(terminated).Order(StringComparer.Ordinal), instances.Select(i => i.InstanceId).Order(StringComparer.Ordinal));
        Assert.Equal("terminated", instances.Single(i => i.InstanceId == terminated).State);
        // 454 distinct plain ids (a plain malformed one matches nothing, as in EC2): 3 batches. A wildcard and an empty id are never sent.
        Assert.Equal(3, _aws.CountRequests("ec2", "DescribeInstances"));
        Assert.All(_aws.Requests.Where(r => r.Service == "ec2"), r => Assert.Equal("instance-id", r.Parameters["Filter.1.Name"]));
        Assert.All(_aws.Requests.Where(r => r.Service == "ec2"), r => Assert.False(r.Parameters.ContainsKey("Filter.1.Value.201")));
        Assert.DoesNotContain(_aws.Requests.SelectMany(r => r.Parameters.Values), v => v is "i-*" or "");
        Assert.Empty(await _clients.Ec2.DescribeInstancesAsync(_aws.Region, []));
    }

    [Fact]
    public async Task Every_page_of_a_batch_is_followed()
    {
        var seeded = Enumerable.Range(0, 12).Select(_ => _aws.Ec2.AddInstance(new StubInstance()).InstanceId!).ToList();
        var groups = Enumerable.Range(0, 7).Select(_ => _aws.Ec2.AddSecurityGroup(new StubGroup()).GroupId!).ToList();
        var images = Enumerable.Range(0, 4).Select(_ => _aws.Ec2.AddImage(new StubImage()).ImageId!).ToList();
        _aws.Ec2.MaxPageSize = 5;

        Assert.Equal(12, (await _clients.Ec2.DescribeInstancesAsync(_aws.Region, seeded)).Count);
        Assert.Equal(7, (await _clients.Ec2.DescribeSecurityGroupsAsync(_aws.Region, groups)).Count);
        Assert.Equal(4, (await _clients.Ec2.DescribeImagesAsync(_aws.Region, images)).Count);

        Assert.Equal(3, _aws.CountRequests("ec2", "DescribeInstances"));
        Assert.Equal(2, _aws.CountRequests("ec2", "DescribeSecurityGroups"));
        Assert.Equal(1, _aws.CountRequests("ec2", "DescribeImages"));
        Assert.Equal(3, _clients.Counters.Count("ec2", "DescribeInstances", AwsCallCounters.Success));
    }

    [Fact]
    public async Task DescribeImages_parses_every_field_and_finds_deprecated_images()
    {
        var created = new DateTimeOffset(2023, 11, 2, 8, 15, 30, TimeSpan.Zero);
        var old = _aws.Ec2.AddImage(new StubImage { Name = "amazon-eks-node-1.28-v20231102", CreationDate = created, DeprecationTime = created.AddYears(2) });
        var deregistered = _aws.Ec2.AddImage(new StubImage());
        _aws.Ec2.RemoveImage(deregistered.ImageId!);

        var image = Assert.Single(await _clients.Ec2.DescribeImagesAsync(_aws.Region, [old.ImageId!, deregistered.ImageId!]));

        Assert.Equal(new Ec2Image(old.ImageId!, "amazon-eks-node-1.28-v20231102", "602401143452", created), image);
        var request = _aws.Requests.Single(r => r.Operation == "DescribeImages");
        Assert.Equal(("true", "true"), (request.Parameters["IncludeDeprecated"], request.Parameters["IncludeDisabled"]));
    }

    [Fact]
    public async Task DescribeSecurityGroups_parses_every_source_of_every_ingress_rule()
    {
        var group = _aws.Ec2.AddSecurityGroup(new StubGroup
        {
            GroupName = "nodes", VpcId = "vpc-0123456789abcdef0",
            Ingress =
            [
                new StubPermission
                {
                    Protocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = ["0.0.0.0/0"], Ipv6Ranges = ["::/0"],
                    PrefixListIds = ["pl-0123456789abcdef0"], SourceGroupIds = ["sg-0fedcba9876543210"],
                },
                new StubPermission { Protocol = "-1", SourceGroupIds = ["sg-0fedcba9876543210"] },
            ],
        });

        var found = Assert.Single(await _clients.Ec2.DescribeSecurityGroupsAsync(_aws.Region, [group.GroupId!, "sg-0000000000000000a"]));

        Assert.Equal((group.GroupId, "nodes", "vpc-0123456789abcdef0"), (found.GroupId, found.GroupName, found.VpcId));
        Assert.Equal(2, found.Ingress.Count);
        var ssh = found.Ingress[0];
        Assert.Equal(("tcp", (int?)22, (int?)22), (ssh.Protocol, ssh.FromPort, ssh.ToPort));
        Assert.Equal(["0.0.0.0/0"], ssh.Ipv4Ranges);
        Assert.Equal(["::/0"], ssh.Ipv6Ranges);
        Assert.Equal(["pl-0123456789abcdef0"], ssh.PrefixListIds);
        Assert.Equal(["sg-0fedcba9876543210"], ssh.SourceGroupIds);
        var all = found.Ingress[1];
        Assert.Equal(("-1", (int?)null, (int?)null), (all.Protocol, all.FromPort, all.ToPort));
        Assert.Empty(all.Ipv4Ranges);
        Assert.Equal(["sg-0fedcba9876543210"], all.SourceGroupIds);
    }

    [Fact]
    public async Task GetEbsEncryptionByDefault_reads_the_region_flag()
    {
        Assert.False(await _clients.Ec2.GetEbsEncryptionByDefaultAsync(_aws.Region));
        _aws.Ec2.SetEbsEncryptionByDefault(true);
        Assert.True(await _clients.Ec2.GetEbsEncryptionByDefaultAsync(_aws.Region));
    }

    [Fact]
    public async Task GetParameter_returns_the_value_or_null_when_the_parameter_does_not_exist()
    {
        _aws.Ssm.PutParameter(Recommended, "1.31.3-20250201");

        Assert.Equal("1.31.3-20250201", await _clients.Ssm.GetParameterAsync(_aws.Region, Recommended));
        Assert.Null(await _clients.Ssm.GetParameterAsync(_aws.Region, Recommended.Replace("1.31", "1.99", StringComparison.Ordinal)));

        Assert.Equal(1, _clients.Counters.Count("ssm", "GetParameter", AwsCallCounters.Success));
        Assert.Equal(1, _clients.Counters.Count("ssm", "GetParameter", nameof(AwsErrorKind.NotFound)));
    }

    [Fact]
    public async Task Throttling_is_retried_and_succeeds()
    {
        _aws.Ec2.SetEbsEncryptionByDefault(true);
        _aws.Faults.Throttle("ec2", "GetEbsEncryptionByDefault", times: 2);
        _aws.Ssm.PutParameter(Recommended, "v");
        _aws.Faults.Throttle("ssm", "GetParameter", times: 1);

        Assert.True(await _clients.Ec2.GetEbsEncryptionByDefaultAsync(_aws.Region));
        Assert.Equal("v", await _clients.Ssm.GetParameterAsync(_aws.Region, Recommended));

        Assert.Equal(3, _aws.CountRequests("ec2", "GetEbsEncryptionByDefault"));
        Assert.Equal(2, _aws.CountRequests("ssm", "GetParameter"));
    }

    public static TheoryData<string, string, AwsErrorKind, string, int> Failures => new()
    {
        // service, operation, kind, code, attempts expected (3 allowed)
        { "ec2", "DescribeInstances", AwsErrorKind.AccessDenied, "UnauthorizedOperation", 1 },
        { "ec2", "DescribeImages", AwsErrorKind.Throttled, "RequestLimitExceeded", 3 },
        { "ec2", "DescribeSecurityGroups", AwsErrorKind.Invalid, "InvalidParameterValue", 1 },
        { "ec2", "GetEbsEncryptionByDefault", AwsErrorKind.ServerError, "InternalError", 3 },
        { "ssm", "GetParameter", AwsErrorKind.AccessDenied, "AccessDeniedException", 1 },
        { "ssm", "GetParameter", AwsErrorKind.Throttled, "ThrottlingException", 3 },
        { "ssm", "GetParameter", AwsErrorKind.Invalid, "ValidationException", 1 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Each_error_kind_is_mapped_counted_and_retried_only_when_transient(string service, string operation, AwsErrorKind kind, string code, int attempts)
    {
        _ = kind switch
        {
            AwsErrorKind.AccessDenied => _aws.Faults.DenyAccess(service, operation),
            AwsErrorKind.Throttled => _aws.Faults.Throttle(service, operation),
            _ => _aws.Faults.Fail(service, operation, code, kind == AwsErrorKind.ServerError ? 500 : 400),
        };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Call(service, operation));

        Assert.Equal((kind, code, service, operation), (error.Kind, error.ErrorCode, error.Service, error.Operation));
        Assert.Equal(attempts, _aws.CountRequests(service, operation));
        Assert.Equal(1, _clients.Counters.Count(service, operation, kind.ToString()));
    }

    [Fact]
    public async Task A_malformed_answer_is_an_error_not_an_empty_result()
    {
        _aws.Ec2.AddInstance(new StubInstance { InstanceId = "i-0aaaaaaaaaaaaaaa1" });
        _aws.Faults.MalformResponses("ec2", "DescribeInstances");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _clients.Ec2.DescribeInstancesAsync(_aws.Region, ["i-0aaaaaaaaaaaaaaa1"]));

        Assert.Equal("ec2", error.Service);
        Assert.Equal(1, _clients.Counters.Count("ec2", "DescribeInstances", error.Kind.ToString()));
    }

    private Task Call(string service, string operation) => (service, operation) switch
    {
        ("ec2", "DescribeInstances") => _clients.Ec2.DescribeInstancesAsync(_aws.Region, ["i-0aaaaaaaaaaaaaaa1"]),
        ("ec2", "DescribeImages") => _clients.Ec2.DescribeImagesAsync(_aws.Region, ["ami-0aaaaaaaaaaaaaaa1"]),
        ("ec2", "DescribeSecurityGroups") => _clients.Ec2.DescribeSecurityGroupsAsync(_aws.Region, ["sg-0aaaaaaaaaaaaaaa1"]),
        ("ec2", "GetEbsEncryptionByDefault") => _clients.Ec2.GetEbsEncryptionByDefaultAsync(_aws.Region),
        _ => _clients.Ssm.GetParameterAsync(_aws.Region, Recommended),
    };
}
