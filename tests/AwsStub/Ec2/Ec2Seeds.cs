namespace EksHardening.AwsStub.Ec2;

/// <summary>An EC2 instance as DescribeInstances shows it: image, state, metadata options, security groups.</summary>
public sealed record Ec2Instance
{
    /// <summary>Filled in (<c>i-</c> and 17 hex digits) when unset.</summary>
    public string? InstanceId { get; init; }

    public string ImageId { get; init; } = "ami-0123456789abcdef0";

    /// <summary>pending, running, shutting-down, terminated, stopping or stopped.</summary>
    public string State { get; init; } = "running";

    public string InstanceType { get; init; } = "m5.large";

    /// <summary><c>required</c> (IMDSv2 only) or <c>optional</c>.</summary>
    public string HttpTokens { get; init; } = "required";

    /// <summary>1–64; EC2's default is 1.</summary>
    public int HttpPutResponseHopLimit { get; init; } = 1;

    /// <summary><c>enabled</c> or <c>disabled</c>.</summary>
    public string HttpEndpoint { get; init; } = "enabled";

    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];

    public string VpcId { get; init; } = "vpc-0a1b2c3d4e5f60718";

    public DateTimeOffset? LaunchTime { get; init; }
}

/// <summary>An AMI as DescribeImages shows it.</summary>
public sealed record Ec2Image
{
    /// <summary>Filled in (<c>ami-</c> and 17 hex digits) when unset.</summary>
    public string? ImageId { get; init; }

    public string Name { get; init; } = "amazon-eks-node-al2023-x86_64-standard-1.31-v20250101";

    /// <summary>Default: the account that publishes the EKS-optimized AMIs in most regions.</summary>
    public string OwnerId { get; init; } = "602401143452";

    /// <summary>Filled in with the stub's clock when unset.</summary>
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>When set and past, the image is deprecated: hidden from other accounts unless IncludeDeprecated or its id is listed.</summary>
    public DateTimeOffset? DeprecationTime { get; init; }

    /// <summary>available, pending, failed, deregistered, disabled, …; disabled images need IncludeDisabled.</summary>
    public string State { get; init; } = "available";

    public bool Public { get; init; } = true;
}

/// <summary>A security group and its inbound rules.</summary>
public sealed record Ec2SecurityGroup
{
    /// <summary>Filled in (<c>sg-</c> and 17 hex digits) when unset.</summary>
    public string? GroupId { get; init; }

    public string GroupName { get; init; } = "default";

    public string Description { get; init; } = "security group";

    public string VpcId { get; init; } = "vpc-0a1b2c3d4e5f60718";

    /// <summary>Default: the stub's account.</summary>
    public string? OwnerId { get; init; }

    public IReadOnlyList<Ec2IpPermission> Ingress { get; init; } = [];
}

/// <summary>One inbound rule: protocol (<c>tcp</c>, <c>udp</c>, <c>icmp</c>, a number, or <c>-1</c> for all), ports and sources.</summary>
public sealed record Ec2IpPermission
{
    public string Protocol { get; init; } = "tcp";

    /// <summary>Left out of the answer when null (as for protocol -1).</summary>
    public int? FromPort { get; init; }

    public int? ToPort { get; init; }

    public IReadOnlyList<string> Ipv4Ranges { get; init; } = [];

    public IReadOnlyList<string> Ipv6Ranges { get; init; } = [];

    public IReadOnlyList<string> PrefixListIds { get; init; } = [];

    public IReadOnlyList<string> SourceGroupIds { get; init; } = [];

    /// <summary>A TCP rule for one port from these IPv4 CIDRs.</summary>
    public static Ec2IpPermission Tcp(int port, params string[] ipv4Ranges) =>
        new() { Protocol = "tcp", FromPort = port, ToPort = port, Ipv4Ranges = ipv4Ranges };
}
