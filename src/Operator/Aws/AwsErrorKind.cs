namespace EksHardening.Operator.Aws;

/// <summary>What went wrong with an AWS call, in the terms the rules report (every kind is an <c>error</c> result, never a pass).</summary>
public enum AwsErrorKind
{
    /// <summary>The caller lacks permission, or its credentials are missing, invalid or expired.</summary>
    AccessDenied,

    /// <summary>AWS throttled the call (retried, then given up).</summary>
    Throttled,

    /// <summary>The repository, image, scan, cluster, role, policy or key does not exist.</summary>
    NotFound,

    /// <summary>No answer: the request timed out or the connection failed.</summary>
    Timeout,

    /// <summary>AWS rejected the request as malformed or invalid.</summary>
    Invalid,

    /// <summary>AWS failed on its side (5xx).</summary>
    ServerError,

    /// <summary>Anything else.</summary>
    Unknown,
}
