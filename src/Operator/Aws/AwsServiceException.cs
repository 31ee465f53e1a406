using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>A failed AWS call: its kind, the AWS error code and message, and where it happened.</summary>
public sealed class AwsServiceException(AwsErrorKind kind, string service, string operation, string message,
    string? errorCode = null, HttpStatusCode? statusCode = null, string? requestId = null, int attempts = 1, Exception? innerException = null)
    : Exception(message, innerException)
{
    public AwsErrorKind Kind { get; } = kind;
    public string Service { get; } = service;
    public string Operation { get; } = operation;

    /// <summary>The AWS error code (<c>AccessDeniedException</c>, <c>NoSuchEntity</c>, …), when the response carried one.</summary>
    public string? ErrorCode { get; } = errorCode;

    public HttpStatusCode? StatusCode { get; } = statusCode;
    public string? RequestId { get; } = requestId;

    /// <summary>How many attempts were made before giving up.</summary>
    public int Attempts { get; } = attempts;

    /// <summary>The failure as a fact the rules can read: service, operation, kind and message, nothing of the request.</summary>
    public FactError ToFactError() => new(Service, Operation, Kind.ToString(), Message);

    internal AwsServiceException WithAttempts(int attempts) =>
        attempts == Attempts ? this : new AwsServiceException(Kind, Service, Operation, Message, ErrorCode, StatusCode, RequestId, attempts, InnerException);

    public override string ToString() =>
        $"{Service}:{Operation} {Kind}{(ErrorCode is null ? "" : $" ({ErrorCode})")}{(StatusCode is null ? "" : $" HTTP {(int)StatusCode}")}: {Message}";
}
