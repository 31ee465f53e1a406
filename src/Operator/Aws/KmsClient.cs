using EksHardening.Operator.Facts;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace EksHardening.Operator.Aws;

/// <summary>
/// KMS through the official AWSSDK.KeyManagementService client, configured like the thin clients: the same
/// endpoint resolution (<c>AWS_ENDPOINT_URL_KMS</c>, <c>AWS_ENDPOINT_URL</c>), the same credentials source, the
/// standard retry mode with the same attempt count and timeout; its errors become <see cref="AwsServiceException"/>.
/// </summary>
public sealed class KmsClient : IKmsClient, IDisposable
{
    private readonly AwsSdkClientPool<AmazonKeyManagementServiceClient, AmazonKeyManagementServiceConfig> _clients;

    /// <param name="handler">The HTTP handler for the SDK client (tests answer in-process); default: the SDK's own.</param>
    public KmsClient(IAwsCredentialsSource credentials, AwsEndpoints? endpoints = null, AwsRetryOptions? retry = null, AwsCallCounters? counters = null, HttpMessageHandler? handler = null) =>
        _clients = new(AwsServices.Kms, "KMS", (c, config) => new AmazonKeyManagementServiceClient(c, config), credentials, endpoints, retry, counters, handler);

    public Task<KmsKey> DescribeKeyAsync(string region, string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return _clients.CallAsync(region, "DescribeKey", async client =>
        {
            var metadata = (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false)).KeyMetadata
                ?? new KeyMetadata();
            return new KmsKey(
                metadata.KeyId ?? keyId,
                metadata.Arn ?? "",
                metadata.KeyState?.Value ?? "",
                metadata.KeyManager?.Value ?? "",
                metadata.KeySpec?.Value ?? "",
                metadata.KeyUsage?.Value ?? "",
                metadata.Origin?.Value ?? "",
                metadata.Enabled ?? false);
        }, cancellationToken);
    }

    public Task<KmsKeyRotation> GetKeyRotationStatusAsync(string region, string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return _clients.CallAsync(region, "GetKeyRotationStatus", async client =>
        {
            var response = await client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false);
            return new KmsKeyRotation(
                response.KeyId ?? keyId,
                response.KeyRotationEnabled ?? false,
                response.RotationPeriodInDays,
                response.NextRotationDate is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next.ToUniversalTime(), DateTimeKind.Utc)) : null);
        }, cancellationToken);
    }

    public void Dispose() => _clients.Dispose();
}
