namespace EksHardening.Operator.Aws;

/// <summary>Maps AWS error codes and HTTP statuses to <see cref="AwsErrorKind"/> and decides which failures are worth a retry.</summary>
public static class AwsErrorClassifier
{
    private static readonly FrozenDictionary<string, AwsErrorKind> Codes = new Dictionary<string, AwsErrorKind>(StringComparer.Ordinal)
    {
        // Permission and authentication
        ["AccessDeniedException"] = AwsErrorKind.AccessDenied,
        ["AccessDenied"] = AwsErrorKind.AccessDenied,
        ["UnauthorizedOperation"] = AwsErrorKind.AccessDenied,
        ["UnauthorizedException"] = AwsErrorKind.AccessDenied,
        ["UnrecognizedClientException"] = AwsErrorKind.AccessDenied,
        ["InvalidClientTokenId"] = AwsErrorKind.AccessDenied,
        ["InvalidSignatureException"] = AwsErrorKind.AccessDenied,
        ["SignatureDoesNotMatch"] = AwsErrorKind.AccessDenied,
        ["IncompleteSignature"] = AwsErrorKind.AccessDenied,
        ["IncompleteSignatureException"] = AwsErrorKind.AccessDenied,
        ["MissingAuthenticationToken"] = AwsErrorKind.AccessDenied,
        ["MissingAuthenticationTokenException"] = AwsErrorKind.AccessDenied,
        ["ExpiredToken"] = AwsErrorKind.AccessDenied,
        ["ExpiredTokenException"] = AwsErrorKind.AccessDenied,
        ["AuthFailure"] = AwsErrorKind.AccessDenied,
        ["NotAuthorized"] = AwsErrorKind.AccessDenied,
        ["OptInRequired"] = AwsErrorKind.AccessDenied,
        ["KMSAccessDeniedException"] = AwsErrorKind.AccessDenied,
        ["RequestExpired"] = AwsErrorKind.AccessDenied,

        // Throttling: the SDKs' list of throttling codes
        ["Throttling"] = AwsErrorKind.Throttled,
        ["ThrottlingException"] = AwsErrorKind.Throttled,
        ["ThrottledException"] = AwsErrorKind.Throttled,
        ["RequestThrottledException"] = AwsErrorKind.Throttled,
        ["RequestThrottled"] = AwsErrorKind.Throttled,
        ["TooManyRequestsException"] = AwsErrorKind.Throttled,
        ["ProvisionedThroughputExceededException"] = AwsErrorKind.Throttled,
        ["TransactionInProgressException"] = AwsErrorKind.Throttled,
        ["RequestLimitExceeded"] = AwsErrorKind.Throttled,
        ["BandwidthLimitExceeded"] = AwsErrorKind.Throttled,
        ["LimitExceededException"] = AwsErrorKind.Throttled,
        ["SlowDown"] = AwsErrorKind.Throttled,
        ["PriorRequestNotComplete"] = AwsErrorKind.Throttled,
        ["EC2ThrottledException"] = AwsErrorKind.Throttled,

        // Missing things
        ["RepositoryNotFoundException"] = AwsErrorKind.NotFound,
        ["ImageNotFoundException"] = AwsErrorKind.NotFound,
        ["ScanNotFoundException"] = AwsErrorKind.NotFound,
        ["RegistryPolicyNotFoundException"] = AwsErrorKind.NotFound,
        ["RepositoryPolicyNotFoundException"] = AwsErrorKind.NotFound,
        ["LifecyclePolicyNotFoundException"] = AwsErrorKind.NotFound,
        ["ResourceNotFoundException"] = AwsErrorKind.NotFound,
        ["NotFoundException"] = AwsErrorKind.NotFound,
        ["NoSuchEntity"] = AwsErrorKind.NotFound,
        ["NoSuchEntityException"] = AwsErrorKind.NotFound,
        ["TrailNotFoundException"] = AwsErrorKind.NotFound,
        ["ParameterNotFound"] = AwsErrorKind.NotFound,
        ["ParameterVersionNotFound"] = AwsErrorKind.NotFound,
        ["InvalidInstanceID.NotFound"] = AwsErrorKind.NotFound,
        ["InvalidAMIID.NotFound"] = AwsErrorKind.NotFound,
        ["InvalidGroup.NotFound"] = AwsErrorKind.NotFound,

        // Client-side timeouts reported by the service
        ["RequestTimeout"] = AwsErrorKind.Timeout,
        ["RequestTimeoutException"] = AwsErrorKind.Timeout,

        // Invalid requests
        ["ValidationException"] = AwsErrorKind.Invalid,
        ["ValidationError"] = AwsErrorKind.Invalid,
        ["InvalidParameterException"] = AwsErrorKind.Invalid,
        ["InvalidParameterValue"] = AwsErrorKind.Invalid,
        ["InvalidParameterValueException"] = AwsErrorKind.Invalid,
        ["InvalidParameterCombination"] = AwsErrorKind.Invalid,
        ["InvalidInput"] = AwsErrorKind.Invalid,
        ["InvalidRequestException"] = AwsErrorKind.Invalid,
        ["InvalidAction"] = AwsErrorKind.Invalid,
        ["MissingParameter"] = AwsErrorKind.Invalid,
        ["MissingAction"] = AwsErrorKind.Invalid,
        ["MalformedQueryString"] = AwsErrorKind.Invalid,
        ["MalformedPolicyDocument"] = AwsErrorKind.Invalid,
        ["SerializationException"] = AwsErrorKind.Invalid,
        ["UnknownOperationException"] = AwsErrorKind.Invalid,
        ["InvalidArnException"] = AwsErrorKind.Invalid,
        ["UnsupportedOperationException"] = AwsErrorKind.Invalid,
        ["UnsupportedImageTypeException"] = AwsErrorKind.Invalid,
        ["ClientException"] = AwsErrorKind.Invalid,
        ["FilterLimitExceeded"] = AwsErrorKind.Invalid,

        // Service failures
        ["InternalFailure"] = AwsErrorKind.ServerError,
        ["InternalError"] = AwsErrorKind.ServerError,
        ["InternalServerError"] = AwsErrorKind.ServerError,
        ["InternalServerException"] = AwsErrorKind.ServerError,
        ["ServiceFailure"] = AwsErrorKind.ServerError,
        ["ServiceUnavailable"] = AwsErrorKind.ServerError,
        ["ServiceUnavailableException"] = AwsErrorKind.ServerError,
        ["ServerException"] = AwsErrorKind.ServerError,
        ["ServerError"] = AwsErrorKind.ServerError,
        ["KMSInternalException"] = AwsErrorKind.ServerError,
        ["DependencyTimeoutException"] = AwsErrorKind.ServerError,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Service failures that the standard retry mode treats as transient whatever their status.</summary>
    private static readonly FrozenSet<string> TransientCodes = FrozenSet.ToFrozenSet(
        ["InternalFailure", "InternalError", "InternalServerError", "InternalServerException", "ServiceUnavailable",
         "ServiceUnavailableException", "ServerException", "KMSInternalException", "DependencyTimeoutException"], StringComparer.Ordinal);

    /// <summary>The kind of an error: the code decides when it is known, else the HTTP status.</summary>
    public static AwsErrorKind Classify(string? errorCode, int? statusCode)
    {
        if (errorCode is not null && Codes.TryGetValue(errorCode, out var kind)) return kind;
        return statusCode switch
        {
            429 => AwsErrorKind.Throttled,
            401 or 403 => AwsErrorKind.AccessDenied,
            404 => AwsErrorKind.NotFound,
            408 => AwsErrorKind.Timeout,
            >= 500 and <= 599 => AwsErrorKind.ServerError,
            >= 400 and <= 499 => AwsErrorKind.Invalid,
            _ => AwsErrorKind.Unknown,
        };
    }

    /// <summary>
    /// The standard retry mode's rule: throttling, timeouts and connection failures, and transient service
    /// failures (HTTP 500, 502, 503, 504 or a transient code) are retried; nothing else is.
    /// </summary>
    public static bool IsRetryable(AwsServiceException error) => error.Kind switch
    {
        AwsErrorKind.Throttled or AwsErrorKind.Timeout => true,
        AwsErrorKind.ServerError => error.StatusCode is null || (int)error.StatusCode is 500 or 502 or 503 or 504
            || (error.ErrorCode is not null && TransientCodes.Contains(error.ErrorCode)),
        _ => false,
    };

    /// <summary>Codes that mean the credentials themselves are stale, so that they are fetched again.</summary>
    public static bool IsExpiredCredentials(string? errorCode) =>
        errorCode is "ExpiredToken" or "ExpiredTokenException" or "RequestExpired" or "InvalidClientTokenId" or "UnrecognizedClientException";
}
