namespace EksHardening.AwsStub.Protocols;

/// <summary>The errors every service can answer with, in the code and status each protocol uses for them.</summary>
internal static class ServiceErrors
{
    /// <summary>EC2 says no more than this of any credential or signature problem.</summary>
    public const string Ec2AuthFailureMessage = "AWS was not able to validate the provided access credentials";

    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public static AwsServiceException MissingAuthentication(AwsService service) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("MissingAuthenticationToken", 401, "Request is missing Authentication Token"),
        WireProtocol.Query => new("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        _ => new("MissingAuthenticationTokenException", service.AuthFailureStatus, "Missing Authentication Token"),
    };

    public static AwsServiceException IncompleteSignature(AwsService service, string message) => service.Protocol switch
    {
        WireProtocol.Query or WireProtocol.Ec2Query => new("IncompleteSignature", 400, message),
        WireProtocol.RestJson => new("IncompleteSignatureException", 403, message),
        _ => new("IncompleteSignatureException", 400, message),
    };

    public static AwsServiceException UnrecognizedClient(AwsService service) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("AuthFailure", 401, Ec2AuthFailureMessage),
        WireProtocol.Query => new("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        _ => new("UnrecognizedClientException", service.AuthFailureStatus, "The security token included in the request is invalid."),
    };

    public static AwsServiceException ExpiredToken(AwsService service) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("RequestExpired", 400, "Request has expired."),
        WireProtocol.Query => new("ExpiredToken", 400, "The security token included in the request is expired"),
        _ => new("ExpiredTokenException", service.AuthFailureStatus, "The security token included in the request is expired"),
    };

    /// <summary>A signature that does not hold; EC2 gives no detail (AuthFailure), the others say what they expected.</summary>
    public static AwsServiceException SignatureMismatch(AwsService service, string message) =>
        new(service.SignatureMismatchCode, service.AuthFailureStatus, service.Protocol == WireProtocol.Ec2Query ? Ec2AuthFailureMessage : message);

    /// <summary>Rate limiting as each service reports it; the AWS SDKs retry all of these.</summary>
    public static AwsServiceException Throttling(AwsService service, string? message = null) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("RequestLimitExceeded", 503, message ?? "Request limit exceeded."),
        WireProtocol.Query => new("Throttling", 400, message ?? "Rate exceeded"),
        WireProtocol.RestJson => new("ThrottlingException", 429, message ?? "Rate exceeded"),
        _ => new("ThrottlingException", 400, message ?? "Rate exceeded"),
    };

    public static AwsServiceException AccessDenied(AwsService service, string message) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("UnauthorizedOperation", 403, message),
        WireProtocol.Query => new("AccessDenied", 403, message),
        WireProtocol.RestJson => new("AccessDeniedException", 403, message),
        _ => new("AccessDeniedException", 400, message),
    };

    public static AwsServiceException UnknownOperation(AwsService service, string operation) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("InvalidAction", 400, $"The action {operation} is not valid for this web service."),
        WireProtocol.Query => new("InvalidAction", 400, $"Could not find operation {operation} for version {service.ApiVersion}"),
        WireProtocol.RestJson => new("UnknownOperationException", 404, $"The operation {operation} is not served."),
        _ => new("UnknownOperationException", 400, $"The operation {operation} is not served."),
    };

    /// <summary>A member constraint failed: each service's own validation error.</summary>
    public static AwsServiceException Validation(AwsService service, string message)
    {
        if (service == AwsService.Ecr || service == AwsService.Eks || service == AwsService.CloudTrail)
        {
            return new("InvalidParameterException", 400, message);
        }

        if (service == AwsService.GuardDuty)
        {
            return new("BadRequestException", 400, message, Fields(("type", "InvalidInputException")));
        }

        return service.Protocol switch
        {
            WireProtocol.Query => new("ValidationError", 400, message),
            WireProtocol.Ec2Query => new("InvalidParameterValue", 400, message),
            _ => new("ValidationException", 400, message),
        };
    }

    public static AwsServiceException Serialization(string message) => new("SerializationException", 400, message);

    public static AwsServiceException Internal(AwsService service) => service.Protocol switch
    {
        WireProtocol.Ec2Query => new("InternalError", 500, "An internal error has occurred"),
        WireProtocol.Query => new("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."),
        _ when service == AwsService.GuardDuty => new("InternalServerErrorException", 500, "The request is rejected because an internal server error occurred."),
        _ => new(service == AwsService.Kms ? "KMSInternalException" : service == AwsService.Ssm ? "InternalServerError" : "ServerException", 500, "An internal error occurred."),
    };

    public static JsonObject Fields(params (string Name, string? Value)[] fields)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                obj[name] = value;
            }
        }

        return obj;
    }
}
