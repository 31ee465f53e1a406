namespace EksHardening.AwsStub.Diagnostics;

/// <summary>What a fault predicate sees of a call: service, operation, its input members flattened, the signing key.</summary>
public sealed record AwsCallInfo(string Service, string Operation, IReadOnlyDictionary<string, string> Parameters, string? AccessKeyId)
{
    /// <summary>An input member by its flattened path, e.g. <c>imageId.imageDigest</c>, <c>RoleName</c>, <c>name</c>.</summary>
    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);
}

/// <summary>
/// One request the stub answered: its service and operation (<c>unknown</c> when it named none the stub serves),
/// status (0 when the connection was dropped), error code, signing key, input members, and the fault that shaped it.
/// </summary>
public sealed record AwsRequestRecord(
    DateTimeOffset Time,
    string RequestId,
    string Service,
    string Operation,
    int StatusCode,
    string? ErrorCode,
    string? AccessKeyId,
    IReadOnlyDictionary<string, string> Parameters,
    Faults.AwsFaultKind? Fault)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>An input member by its flattened path, e.g. <c>imageId.imageDigest</c>.</summary>
    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);
}
