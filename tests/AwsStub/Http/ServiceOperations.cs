namespace EksHardening.AwsStub.Http;

/// <summary>The operations each service serves, and dispatch of an authenticated call to them.</summary>
internal sealed class ServiceOperations(Ec2Stub ec2, EcrStub ecr, EksStub eks, IamStub iam, KmsStub kms, SsmStub ssm, StsStub sts, GuardDutyStub guardDuty, CloudTrailStub cloudTrail)
{
    private readonly Ec2Operations _ec2 = new(ec2);
    private readonly SsmOperations _ssm = new(ssm);
    private readonly EcrOperations _ecr = new(ecr);
    private readonly EksOperations _eks = new(eks);
    private readonly IamOperations _iam = new(iam);
    private readonly KmsOperations _kms = new(kms);
    private readonly StsOperations _sts = new(sts, iam);
    private readonly GuardDutyOperations _guardDuty = new(guardDuty);
    private readonly CloudTrailOperations _cloudTrail = new(cloudTrail);

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Served = new Dictionary<string, IReadOnlyList<string>>
    {
        ["cloudtrail"] = [.. CloudTrailOperations.Operations.Order(StringComparer.Ordinal)],
        ["ec2"] = [.. Ec2Operations.Operations.Order(StringComparer.Ordinal)],
        ["ecr"] = [.. EcrOperations.Operations.Order(StringComparer.Ordinal)],
        ["eks"] = EksOperations.Operations,
        ["guardduty"] = [.. GuardDutyOperations.Operations.Order(StringComparer.Ordinal)],
        ["iam"] = [.. IamOperations.Operations.Order(StringComparer.Ordinal)],
        ["kms"] = [.. KmsOperations.Operations.Order(StringComparer.Ordinal)],
        ["ssm"] = [.. SsmOperations.Operations.Order(StringComparer.Ordinal)],
        ["sts"] = [.. StsOperations.Operations.Order(StringComparer.Ordinal)],
    };

    public static bool Serves(AwsService service, string operation) => Served.TryGetValue(service.Name, out var ops) && ops.Contains(operation);

    public AwsResponse Dispatch(AwsCall call, string signingRegion) => call.Service.Name switch
    {
        "ec2" => _ec2.Handle(call, signingRegion),
        "ecr" => _ecr.Handle(call),
        "eks" => _eks.Handle(call),
        "iam" => _iam.Handle(call),
        "kms" => _kms.Handle(call, signingRegion),
        "ssm" => _ssm.Handle(call, signingRegion),
        "sts" => _sts.Handle(call),
        "guardduty" => _guardDuty.Handle(call, signingRegion),
        "cloudtrail" => _cloudTrail.Handle(call, signingRegion),
        _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
    };
}
