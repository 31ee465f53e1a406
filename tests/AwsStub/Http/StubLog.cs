namespace EksHardening.AwsStub.Http;

/// <summary>The stub's log messages.</summary>
internal static partial class StubLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Service} {Operation} answered {StatusCode} {ErrorCode}: {ErrorMessage}")]
    public static partial void Rejected(ILogger logger, string service, string operation, int statusCode, string errorCode, string errorMessage);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Service} {Operation} failed inside the stub")]
    public static partial void Failed(ILogger logger, Exception exception, string service, string operation);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Service} {Operation}: fault {Fault} injected")]
    public static partial void FaultInjected(ILogger logger, string service, string operation, Faults.AwsFaultKind fault);
}
