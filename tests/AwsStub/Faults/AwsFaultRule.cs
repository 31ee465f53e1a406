namespace EksHardening.AwsStub.Faults;

/// <summary>What a fault rule does to a matching call.</summary>
public enum AwsFaultKind
{
    /// <summary>Answers with <see cref="AwsFaultRule.ErrorCode"/> and <see cref="AwsFaultRule.StatusCode"/> in the service's error shape.</summary>
    Error,

    /// <summary>Answers with the service's own throttling error (ThrottlingException, or Throttling on IAM and STS).</summary>
    Throttling,

    /// <summary>Answers with the service's own access-denied error (AccessDeniedException, or AccessDenied on IAM and STS).</summary>
    AccessDenied,

    /// <summary>Runs the operation and sends 200 with the body cut in half, so that it does not parse.</summary>
    MalformedResponse,

    /// <summary>Resets the connection without an answer.</summary>
    DropConnection,

    /// <summary>Waits <see cref="AwsFaultRule.Delay"/> and then answers normally.</summary>
    Delay,
}

/// <summary>
/// A fault for matching calls. Null filters match anything. Of the matching calls only every
/// <see cref="EveryNth"/>-th is eligible, of those a <see cref="Rate"/> share fires, and at most <see cref="Times"/> times.
/// </summary>
public sealed class AwsFaultRule
{
    private int _hits;
    private int _seen;

    /// <summary>Signing name: <c>ecr</c>, <c>eks</c>, <c>iam</c>, <c>kms</c>, <c>sts</c>; null for any.</summary>
    public string? Service { get; init; }

    /// <summary>Operation name as in the API reference, e.g. <c>DescribeImageScanFindings</c>; null for any.</summary>
    public string? Operation { get; init; }

    /// <summary>A further filter on the call's input, e.g. one image digest.</summary>
    public Func<AwsCallInfo, bool>? When { get; init; }

    public AwsFaultKind Kind { get; init; } = AwsFaultKind.Error;

    /// <summary>For <see cref="AwsFaultKind.Error"/>: the error code, e.g. <c>ServerException</c>.</summary>
    public string ErrorCode { get; init; } = "InternalFailure";

    /// <summary>For <see cref="AwsFaultKind.Error"/>: the HTTP status.</summary>
    public int StatusCode { get; init; } = 500;

    public string? Message { get; init; }

    /// <summary>For <see cref="AwsFaultKind.Delay"/>: how long to wait.</summary>
    public TimeSpan Delay { get; init; }

    public double Rate { get; init; } = 1.0;

    public int EveryNth { get; init; } = 1;

    public int? Times { get; init; }

    /// <summary>How many calls this rule has affected so far.</summary>
    public int Hits => Volatile.Read(ref _hits);

    internal bool Exhausted => Times is { } times && Hits >= times;

    internal bool Matches(AwsCallInfo call) =>
        (Service is null || Service == call.Service)
        && (Operation is null || Operation == call.Operation)
        && (When is null || When(call));

    /// <summary>Counts a matching call and says whether it is one of every N-th.</summary>
    internal bool CountSeen() => ++_seen % Math.Max(1, EveryNth) == 0;

    internal void CountHit() => Interlocked.Increment(ref _hits);
}
