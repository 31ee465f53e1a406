namespace EksHardening.Operator.Aws;

internal static partial class AwsLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "AWS {Service}:{Operation} attempt {Attempt} failed with {Kind} ({ErrorCode}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string service, string operation, int attempt, AwsErrorKind kind, string? errorCode, long delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AWS {Service}:{Operation} failed after {Attempts} attempts with {Kind} ({ErrorCode}): {Message}")]
    public static partial void Failed(ILogger logger, string service, string operation, int attempts, AwsErrorKind kind, string? errorCode, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "AWS {Service}:{Operation} not retried: the retry quota is exhausted")]
    public static partial void QuotaExhausted(ILogger logger, string service, string operation);
}
