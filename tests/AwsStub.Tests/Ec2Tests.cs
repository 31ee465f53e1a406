using Amazon.EC2;
using Amazon.EC2.Model;
using SdkFilter = Amazon.EC2.Model.Filter;

namespace EksHardening.AwsStub.Tests;

/// <summary>EC2 through the official AWSSDK.EC2 client (its unmarshallers are the oracle of the wire shape), and by hand for error documents.</summary>
public class Ec2Tests : StubTest
{
    private const string Version = "2016-11-15";

    protected override void Configure(AwsStubOptions options) => options.AdditionalRegions.Add("us-east-2");

    [Fact]
    public async Task DescribeInstances_by_filter_returns_metadata_options_image_groups_and_state()
    {
        var group = Stub.Ec2.AddSecurityGroup(new Ec2SecurityGroup { GroupName = "nodes" });
        var node = Stub.Ec2.AddInstance(new Ec2Instance
        {
            ImageId = "ami-0aaaaaaaaaaaaaaa1", HttpTokens = "optional", HttpPutResponseHopLimit = 3, HttpEndpoint = "enabled",
            SecurityGroupIds = [group.GroupId!], State = "stopped",
        });
        Stub.Ec2.AddInstance(new Ec2Instance());
        using var ec2 = Ec2();

        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new SdkFilter("instance-id", [node.InstanceId!])] });

        var instance = Assert.Single(Assert.Single(response.Reservations).Instances);
        Assert.Equal((node.InstanceId, "ami-0aaaaaaaaaaaaaaa1"), (instance.InstanceId, instance.ImageId));
        Assert.Equal(HttpTokensState.Optional, instance.MetadataOptions.HttpTokens);
        Assert.Equal(3, instance.MetadataOptions.HttpPutResponseHopLimit);
        Assert.Equal(InstanceMetadataEndpointState.Enabled, instance.MetadataOptions.HttpEndpoint);
        Assert.Equal((InstanceStateName.Stopped, 80), (instance.State.Name, instance.State.Code));
        var identifier = Assert.Single(instance.SecurityGroups);
        Assert.Equal((group.GroupId, "nodes"), (identifier.GroupId, identifier.GroupName));
        Assert.Null(response.NextToken);
    }

    [Fact]
    public async Task A_filter_value_that_names_nothing_matches_nothing_whether_unknown_or_malformed()
    {
        var node = Stub.Ec2.AddInstance(new Ec2Instance());
        using var ec2 = Ec2();

        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new SdkFilter("instance-id", [node.InstanceId!, "i-0123456789abcdef0", "not-an-id"])],
        });

        Assert.Equal([node.InstanceId], response.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));
    }

    [Theory]
    [InlineData("i-0123456789abcdef0", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")]
    [InlineData("i-nothex", "InvalidInstanceID.Malformed", "Invalid id: \"i-nothex\" (expecting \"i-...\")")]
    public async Task An_unknown_or_malformed_id_in_the_id_list_fails_the_whole_call(string bad, string code, string message)
    {
        var node = Stub.Ec2.AddInstance(new Ec2Instance());
        using var ec2 = Ec2();

        var error = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() =>
            ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [node.InstanceId!, bad] }));

        Assert.Equal((code, message, HttpStatusCode.BadRequest), (error.ErrorCode, error.Message, error.StatusCode));
    }

    [Fact]
    public async Task Filters_are_ANDed_their_values_ORed_and_wildcards_match()
    {
        var a = Stub.Ec2.AddInstance(new Ec2Instance { ImageId = "ami-0aaaaaaaaaaaaaaa1" });
        var b = Stub.Ec2.AddInstance(new Ec2Instance { ImageId = "ami-0bbbbbbbbbbbbbbb2", State = "terminated" });
        Stub.Ec2.AddInstance(new Ec2Instance { ImageId = "ami-0ccccccccccccccc3" });
        using var ec2 = Ec2();

        async Task<IReadOnlyList<string>> Ids(params SdkFilter[] filters) =>
            [.. ((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] })).Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId).Order()];

        Assert.Equal(new[] { a.InstanceId!, b.InstanceId! }.Order(), await Ids(new SdkFilter("image-id", ["ami-0aaaaaaaaaaaaaaa1", "ami-0bbb*"])));
        Assert.Equal([b.InstanceId!], await Ids(new SdkFilter("image-id", ["ami-0?aaaaaaaaaaaaaa1", "ami-0bbb*"]), new SdkFilter("instance-state-name", ["terminated"])));
        Assert.Empty(await Ids(new SdkFilter("instance-id", ["I-*"])));
    }

    [Fact]
    public async Task More_than_200_values_in_a_filter_is_FilterLimitExceeded_and_an_unknown_filter_is_invalid()
    {
        using var ec2 = Ec2();
        var ids = Enumerable.Range(0, 201).Select(i => $"i-{i:x17}").ToList();

        var tooMany = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() =>
            ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new SdkFilter("instance-id", ids)] }));
        Assert.Equal("FilterLimitExceeded", tooMany.ErrorCode);
        // The SDK leaves an empty list null.
        Assert.Null((await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new SdkFilter("instance-id", ids[..200])] })).Reservations);

        var unknown = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() =>
            ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new SdkFilter("tag:Name", ["x"])] }));
        Assert.Equal(("InvalidParameterValue", "The filter 'tag:Name' is invalid"), (unknown.ErrorCode, unknown.Message));
    }

    [Fact]
    public async Task DescribeInstances_pages_with_MaxResults_and_NextToken()
    {
        var seeded = Enumerable.Range(0, 12).Select(_ => Stub.Ec2.AddInstance(new Ec2Instance()).InstanceId!).Order().ToList();
        using var ec2 = Ec2();
        var filter = new SdkFilter("instance-id", seeded);

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [filter], MaxResults = 5, NextToken = token });
            Assert.True(page.Reservations.Count <= 5);
            seen.AddRange(page.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(seeded, seen.Order());

        var first = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [filter], MaxResults = 5 });
        var otherListing = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(new DescribeInstancesRequest
        {
            Filters = [new SdkFilter("instance-state-name", ["running"])], MaxResults = 5, NextToken = first.NextToken,
        }));
        Assert.Equal("InvalidParameterValue", otherListing.ErrorCode);
    }

    [Theory]
    [InlineData(4, true, false, "InvalidParameterValue")]
    [InlineData(1001, true, false, "InvalidParameterValue")]
    [InlineData(5, false, true, "InvalidParameterCombination")]
    public async Task MaxResults_must_be_5_to_1000_and_cannot_go_with_instance_ids(int maxResults, bool withFilter, bool withIds, string code)
    {
        var node = Stub.Ec2.AddInstance(new Ec2Instance());
        using var ec2 = Ec2();
        var request = new DescribeInstancesRequest { MaxResults = maxResults };
        if (withFilter) request.Filters = [new SdkFilter("instance-id", [node.InstanceId!])];
        if (withIds) request.InstanceIds = [node.InstanceId!];

        var error = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() => ec2.DescribeInstancesAsync(request));

        Assert.Equal(code, error.ErrorCode);
    }

    [Fact]
    public async Task DescribeImages_returns_name_owner_and_ISO_8601_creation_date()
    {
        var created = new DateTimeOffset(2024, 5, 1, 12, 34, 56, TimeSpan.Zero);
        var image = Stub.Ec2.AddImage(new Ec2Image { Name = "amazon-eks-node-1.31-v20240501", CreationDate = created });
        using var ec2 = Ec2();

        var response = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new SdkFilter("image-id", [image.ImageId!])] });

        var found = Assert.Single(response.Images);
        Assert.Equal((image.ImageId, "amazon-eks-node-1.31-v20240501", "602401143452"), (found.ImageId, found.Name, found.OwnerId));
        Assert.Equal("2024-05-01T12:34:56.000Z", found.CreationDate);
        Assert.Equal(ImageState.Available, found.State);
    }

    [Fact]
    public async Task Deprecated_images_of_other_accounts_need_IncludeDeprecated_or_their_id_and_disabled_ones_IncludeDisabled()
    {
        var past = Stub.Ec2.Context.Now.AddDays(-1);
        var deprecated = Stub.Ec2.AddImage(new Ec2Image { DeprecationTime = past });
        var own = Stub.Ec2.AddImage(new Ec2Image { DeprecationTime = past, OwnerId = Stub.AccountId, Public = false });
        var disabled = Stub.Ec2.AddImage(new Ec2Image { State = "disabled", OwnerId = Stub.AccountId, Public = false });
        var future = Stub.Ec2.AddImage(new Ec2Image { DeprecationTime = Stub.Ec2.Context.Now.AddDays(30) });
        using var ec2 = Ec2();
        var filter = new SdkFilter("image-id", [deprecated.ImageId!, own.ImageId!, disabled.ImageId!, future.ImageId!]);

        async Task<IReadOnlyList<string>> Ids(DescribeImagesRequest request) => [.. ((await ec2.DescribeImagesAsync(request)).Images ?? []).Select(i => i.ImageId).Order()];

        Assert.Equal(new[] { own.ImageId!, future.ImageId! }.Order(), await Ids(new DescribeImagesRequest { Filters = [filter] }));
        Assert.Equal(new[] { deprecated.ImageId!, own.ImageId!, future.ImageId! }.Order(), await Ids(new DescribeImagesRequest { Filters = [filter], IncludeDeprecated = true }));
        Assert.Equal(new[] { deprecated.ImageId!, own.ImageId!, disabled.ImageId!, future.ImageId! }.Order(),
            await Ids(new DescribeImagesRequest { Filters = [filter], IncludeDeprecated = true, IncludeDisabled = true }));
        Assert.Equal([deprecated.ImageId!], await Ids(new DescribeImagesRequest { ImageIds = [deprecated.ImageId!] }));
    }

    [Fact]
    public async Task DescribeSecurityGroups_returns_every_source_of_an_ingress_rule_and_pages()
    {
        var rule = new Ec2IpPermission
        {
            Protocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = ["0.0.0.0/0", "10.0.0.0/8"], Ipv6Ranges = ["::/0"],
            PrefixListIds = ["pl-0123456789abcdef0"], SourceGroupIds = ["sg-0123456789abcdef0"],
        };
        var group = Stub.Ec2.AddSecurityGroup(new Ec2SecurityGroup { GroupName = "ssh", VpcId = "vpc-0123456789abcdef0", Ingress = [rule, new Ec2IpPermission { Protocol = "-1" }] });
        var others = Enumerable.Range(0, 7).Select(_ => Stub.Ec2.AddSecurityGroup(new Ec2SecurityGroup()).GroupId!).ToList();
        using var ec2 = Ec2();

        var response = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new SdkFilter("group-id", [group.GroupId!])] });

        var found = Assert.Single(response.SecurityGroups);
        Assert.Equal((group.GroupId, "ssh", "vpc-0123456789abcdef0", Stub.AccountId), (found.GroupId, found.GroupName, found.VpcId, found.OwnerId));
        Assert.Equal(2, found.IpPermissions.Count);
        var ssh = found.IpPermissions[0];
        Assert.Equal(("tcp", 22, 22), (ssh.IpProtocol, ssh.FromPort, ssh.ToPort));
        Assert.Equal(["0.0.0.0/0", "10.0.0.0/8"], ssh.Ipv4Ranges.Select(r => r.CidrIp));
        Assert.Equal(["::/0"], ssh.Ipv6Ranges.Select(r => r.CidrIpv6));
        Assert.Equal(["pl-0123456789abcdef0"], ssh.PrefixListIds.Select(p => p.Id));
        Assert.Equal(["sg-0123456789abcdef0"], ssh.UserIdGroupPairs.Select(p => p.GroupId));
        var all = found.IpPermissions[1];
        Assert.Equal("-1", all.IpProtocol);
        Assert.Null(all.FromPort);

        Stub.Ec2.MaxPageSize = 3;
        var page = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new SdkFilter("group-id", others)], MaxResults = 1000 });
        Assert.Equal(3, page.SecurityGroups.Count);
        Assert.NotNull(page.NextToken);
    }

    [Fact]
    public async Task EBS_encryption_by_default_is_per_region_and_off_until_set()
    {
        using var home = Ec2();
        using var other = Ec2(region: "us-east-2");
        Assert.False((await home.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);

        Stub.Ec2.SetEbsEncryptionByDefault(true);

        Assert.True((await home.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
        Assert.False((await other.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
    }

    [Fact]
    public async Task Responses_are_in_the_EC2_namespace_with_a_requestId_and_no_Result_wrapper()
    {
        using var response = await Hand.SendAsync(Hand.Query("ec2", Stub.Region, Version, "GetEbsEncryptionByDefault"));

        var root = await Responses.XmlAsync(response);
        Assert.Equal(Responses.Ec2Ns + "GetEbsEncryptionByDefaultResponse", root.Name);
        Assert.False(string.IsNullOrEmpty(root.Element(Responses.Ec2Ns + "requestId")?.Value));
        Assert.Equal("false", root.Element(Responses.Ec2Ns + "ebsEncryptionByDefault")?.Value);
    }

    [Fact]
    public async Task Errors_are_EC2_documents_with_EC2_codes()
    {
        Stub.Faults.Throttle("ec2", "DescribeInstances", times: 1);
        Stub.Faults.DenyAccess("ec2", "DescribeImages", times: 1);

        using (var throttled = await Hand.SendAsync(Hand.Query("ec2", Stub.Region, Version, "DescribeInstances")))
        {
            Assert.Equal("RequestLimitExceeded", (await Responses.Ec2ErrorAsync(throttled, HttpStatusCode.ServiceUnavailable)).Code);
        }

        using (var denied = await Hand.SendAsync(Hand.Query("ec2", Stub.Region, Version, "DescribeImages")))
        {
            Assert.Equal("UnauthorizedOperation", (await Responses.Ec2ErrorAsync(denied, HttpStatusCode.Forbidden)).Code);
        }

        using (var unknown = await Hand.SendAsync(Hand.Query("ec2", Stub.Region, Version, "RunInstances")))
        {
            Assert.Equal(("InvalidAction", "The action RunInstances is not valid for this web service."), await Responses.Ec2ErrorAsync(unknown, HttpStatusCode.BadRequest));
        }

        Hand.Credentials = Stub.Credentials with { SecretAccessKey = "wrong" };
        using var badSignature = await Hand.SendAsync(Hand.Query("ec2", Stub.Region, Version, "DescribeInstances"));
        Assert.Equal(("AuthFailure", "AWS was not able to validate the provided access credentials"), await Responses.Ec2ErrorAsync(badSignature, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task The_SDK_maps_EC2_errors_and_retries_throttling()
    {
        Stub.Faults.Throttle("ec2", "GetEbsEncryptionByDefault", times: 2);
        using var ec2 = Ec2(maxErrorRetry: 2);

        Assert.False((await ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);
        Assert.Equal(3, Stub.CountRequests("ec2", "GetEbsEncryptionByDefault"));

        Stub.Faults.DenyAccess("ec2", "DescribeSecurityGroups");
        var denied = await Assert.ThrowsAnyAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));
        Assert.Equal(("UnauthorizedOperation", HttpStatusCode.Forbidden), (denied.ErrorCode, denied.StatusCode));
        Assert.Equal(1, Stub.CountRequests("ec2", "DescribeSecurityGroups"));
    }

    [Fact]
    public void The_stub_lists_the_EC2_and_SSM_operations()
    {
        Assert.Equal(["DescribeImages", "DescribeInstances", "DescribeSecurityGroups", "GetEbsEncryptionByDefault"], AwsEndpointStub.ServedOperations["ec2"]);
        Assert.Equal(["GetParameter"], AwsEndpointStub.ServedOperations["ssm"]);
    }
}
