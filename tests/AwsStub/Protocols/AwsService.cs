namespace EksHardening.AwsStub.Protocols;

/// <summary>The wire protocols of the served services.</summary>
internal enum WireProtocol
{
    /// <summary>POST / with <c>X-Amz-Target</c> and a JSON body; errors carry <c>__type</c> (CloudTrail, ECR, KMS).</summary>
    AwsJson11,

    /// <summary>HTTP verbs and paths with JSON bodies; errors carry <c>x-amzn-ErrorType</c> (EKS, GuardDuty).</summary>
    RestJson,

    /// <summary>Form-encoded <c>Action</c> and <c>Version</c>; XML responses and errors (IAM, STS).</summary>
    Query,

    /// <summary>
    /// EC2's variant of Query: the same form-encoded input (lists as <c>Name.N</c>, no <c>member</c>), responses
    /// without a Result wrapper, lists as <c>item</c> elements, errors as <c>Response/Errors/Error</c>.
    /// </summary>
    Ec2Query,
}

/// <summary>What the stub knows about one service: its signing name, protocol and protocol constants.</summary>
internal sealed record AwsService(
    string Name,
    WireProtocol Protocol,
    string? TargetPrefix = null,
    string? ApiVersion = null,
    string? XmlNamespace = null,
    string? GlobalRegion = null)
{
    public static readonly AwsService CloudTrail = new("cloudtrail", WireProtocol.AwsJson11, TargetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101");
    public static readonly AwsService Ec2 = new("ec2", WireProtocol.Ec2Query, ApiVersion: "2016-11-15",
        XmlNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/");
    public static readonly AwsService Ecr = new("ecr", WireProtocol.AwsJson11, TargetPrefix: "AmazonEC2ContainerRegistry_V20150921");
    public static readonly AwsService Eks = new("eks", WireProtocol.RestJson);
    public static readonly AwsService GuardDuty = new("guardduty", WireProtocol.RestJson);
    public static readonly AwsService Iam = new("iam", WireProtocol.Query, ApiVersion: "2010-05-08",
        XmlNamespace: "https://iam.amazonaws.com/doc/2010-05-08/", GlobalRegion: "us-east-1");
    public static readonly AwsService Kms = new("kms", WireProtocol.AwsJson11, TargetPrefix: "TrentService");
    public static readonly AwsService Ssm = new("ssm", WireProtocol.AwsJson11, TargetPrefix: "AmazonSSM");
    public static readonly AwsService Sts = new("sts", WireProtocol.Query, ApiVersion: "2011-06-15",
        XmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/");

    public static readonly IReadOnlyList<AwsService> All = [CloudTrail, Ec2, Ecr, Eks, GuardDuty, Iam, Kms, Ssm, Sts];

    /// <summary>Form-encoded input with <c>Action</c> and <c>Version</c> (IAM, STS, EC2).</summary>
    public bool IsQueryFamily => Protocol is WireProtocol.Query or WireProtocol.Ec2Query;

    /// <summary>How far a signature's date may be from the clock: AWS allows 15 minutes on the Query services, 5 elsewhere.</summary>
    public TimeSpan DefaultClockSkew => IsQueryFamily ? TimeSpan.FromMinutes(15) : TimeSpan.FromMinutes(5);

    /// <summary>The error code a signature that does not match gets.</summary>
    public string SignatureMismatchCode => Protocol switch
    {
        WireProtocol.Query => "SignatureDoesNotMatch",
        WireProtocol.Ec2Query => "AuthFailure",
        _ => "InvalidSignatureException",
    };

    /// <summary>The status a rejected signature gets: 400 on JSON 1.1, 401 on EC2, 403 on REST-JSON and Query.</summary>
    public int AuthFailureStatus => Protocol switch
    {
        WireProtocol.AwsJson11 => 400,
        WireProtocol.Ec2Query => 401,
        _ => 403,
    };

    public static AwsService? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public static AwsService? ByTarget(string target) =>
        All.FirstOrDefault(s => s.TargetPrefix is { } prefix && target.StartsWith(prefix + ".", StringComparison.Ordinal));

    public static AwsService? ByQueryVersion(string version) => All.FirstOrDefault(s => s.ApiVersion == version);
}
