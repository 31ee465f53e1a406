namespace EksHardening.Operator.Aws;

/// <summary>The wire protocol of a service: how its errors and bodies look.</summary>
public enum AwsProtocol
{
    /// <summary>JSON 1.0/1.1 RPC: POST / with <c>X-Amz-Target</c> (ECR, KMS).</summary>
    Json,

    /// <summary>REST with JSON bodies: the operation is the method and path (EKS).</summary>
    RestJson,

    /// <summary>Query: form-encoded POST with <c>Action</c> and <c>Version</c>, XML answers (IAM, STS).</summary>
    Query,
}

/// <summary>One AWS API call before signing; a fresh HTTP request is built from it for every attempt.</summary>
public sealed record AwsRequest
{
    /// <summary>The signing name, which also picks the endpoint: <c>ecr</c>, <c>eks</c>, <c>iam</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The API operation, for errors, logs and counters.</summary>
    public required string Operation { get; init; }

    public required AwsProtocol Protocol { get; init; }
    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>The path below the endpoint, already percent-encoded (labels escaped with <see cref="SigV4Signer.UriEncode"/>).</summary>
    public string Path { get; init; } = "/";

    /// <summary>Query parameters, not encoded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public byte[]? Body { get; init; }

    /// <summary>The exact Content-Type value sent and signed.</summary>
    public string? ContentType { get; init; }
}
