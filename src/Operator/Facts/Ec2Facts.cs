namespace EksHardening.Operator.Facts;

/// <summary>An EC2 instance behind a Node (DescribeInstances): its image, metadata options and security groups.</summary>
/// <param name="HttpTokens"><c>MetadataOptions.HttpTokens</c>: <c>required</c> (IMDSv2 only) or <c>optional</c>.</param>
/// <param name="HttpPutResponseHopLimit"><c>MetadataOptions.HttpPutResponseHopLimit</c> (1–64).</param>
/// <param name="HttpEndpoint"><c>MetadataOptions.HttpEndpoint</c>: <c>enabled</c> or <c>disabled</c>.</param>
/// <param name="State"><c>State.Name</c>: pending, running, shutting-down, terminated, stopping, stopped.</param>
public sealed record Ec2Instance(
    string InstanceId, string? ImageId, string? HttpTokens, int? HttpPutResponseHopLimit, string? HttpEndpoint,
    IReadOnlyList<string> SecurityGroupIds, string? State);

/// <summary>An AMI (DescribeImages): its name, owner and creation date.</summary>
public sealed record Ec2Image(string ImageId, string? Name, string? OwnerId, DateTimeOffset? CreationDate);

/// <summary>One inbound rule of a security group (IpPermissions): protocol, port range and sources.</summary>
/// <param name="Protocol"><c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, a protocol number, or <c>-1</c> (all).</param>
/// <param name="FromPort">Null or -1 for all ports (and for protocols without ports).</param>
public sealed record Ec2IngressRule(
    string Protocol, int? FromPort, int? ToPort, IReadOnlyList<string> Ipv4Ranges, IReadOnlyList<string> Ipv6Ranges,
    IReadOnlyList<string> PrefixListIds, IReadOnlyList<string> SourceGroupIds);

/// <summary>A security group (DescribeSecurityGroups) and its inbound rules.</summary>
public sealed record Ec2SecurityGroup(string GroupId, string? GroupName, string? VpcId, IReadOnlyList<Ec2IngressRule> Ingress);
