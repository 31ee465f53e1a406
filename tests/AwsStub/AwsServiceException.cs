namespace EksHardening.AwsStub;

/// <summary>
/// A service error as the service's protocol renders it: the error code (the <c>__type</c>, <c>x-amzn-ErrorType</c>
/// or XML <c>Code</c>), the HTTP status, the message, and extra members of the error shape.
/// </summary>
public sealed class AwsServiceException : Exception
{
    public AwsServiceException(string code, int statusCode, string message, JsonObject? fields = null)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
        Fields = fields;
    }

    public AwsServiceException()
        : this("InternalFailure", 500, "The request processing has failed because of an unknown error.")
    {
    }

    public AwsServiceException(string message)
        : this("InternalFailure", 500, message)
    {
    }

    public AwsServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "InternalFailure";
        StatusCode = 500;
    }

    public string Code { get; }

    public int StatusCode { get; }

    /// <summary>Members of the error shape besides the message (EKS: <c>clusterName</c>), or null.</summary>
    public JsonObject? Fields { get; }

    /// <summary>Query protocol fault type: <c>Sender</c> for 4xx, <c>Receiver</c> for 5xx.</summary>
    public string FaultType => StatusCode >= 500 ? "Receiver" : "Sender";
}
