namespace EksHardening.AwsStub.Protocols;

/// <summary>A rendered answer: status, content type, body, the error code when it is an error, extra headers.</summary>
internal sealed record AwsResponse(int StatusCode, string ContentType, byte[] Body, string? ErrorCode = null)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
