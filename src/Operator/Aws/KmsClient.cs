using EksHardening.Operator.Facts;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace EksHardening.Operator.Aws;

/// <summary>
/// KMS through the official AWSSDK.KeyManagementService client, configured like the thin clients: the same
/// endpoint resolution (<c>AWS_ENDPOINT_URL_KMS</c>, <c>AWS_ENDPOINT_URL</c>), the same credentials source, the
/// standard retry mode with the same attempt count and timeout; its errors become <see cref="AwsServiceException"/>.
/// </summary>
public sealed class KmsClient : IKmsClient, IDisposable
{
    private readonly IAwsCredentialsSource _credentials;
    private readonly AwsEndpoints _endpoints;
    private readonly AwsRetryOptions _retry;
    private readonly AwsCallCounters _counters;
    private readonly HttpMessageHandler? _handler;
    private readonly ConcurrentDictionary<string, AmazonKeyManagementServiceClient> _clients = new(StringComparer.Ordinal);

    /// <param name="handler">The HTTP handler for the SDK client (tests answer in-process); default: the SDK's own.</param>
    public KmsClient(IAwsCredentialsSource credentials, AwsEndpoints? endpoints = null, AwsRetryOptions? retry = null, AwsCallCounters? counters = null, HttpMessageHandler? handler = null)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _endpoints = endpoints ?? new AwsEndpoints();
        _retry = retry ?? new AwsRetryOptions();
        _counters = counters ?? new AwsCallCounters();
        _handler = handler;
    }

    public Task<KmsKey> DescribeKeyAsync(string region, string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return CallAsync(region, "DescribeKey", async client =>
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
        return CallAsync(region, "GetKeyRotationStatus", async client =>
        {
            var response = await client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false);
            return new KmsKeyRotation(
                response.KeyId ?? keyId,
                response.KeyRotationEnabled ?? false,
                response.RotationPeriodInDays,
                response.NextRotationDate is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next.ToUniversalTime(), DateTimeKind.Utc)) : null);
        }, cancellationToken);
    }

    private async Task<T> CallAsync<T>(string region, string operation, Func<AmazonKeyManagementServiceClient, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        try
        {
            var result = await call(ClientFor(region)).ConfigureAwait(false);
            _counters.RecordSuccess(AwsServices.Kms, operation);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = Translate(e, operation);
            _counters.RecordFailure(AwsServices.Kms, operation, error.Kind);
            if (AwsErrorClassifier.IsExpiredCredentials(error.ErrorCode)) _credentials.Invalidate();
            throw error;
        }
    }

    internal static AwsServiceException Translate(Exception e, string operation) => e switch
    {
        AwsServiceException own => own,
        AmazonServiceException service when service.StatusCode != 0 || service.ErrorCode is not null => new AwsServiceException(
            AwsErrorClassifier.Classify(service.ErrorCode, service.StatusCode == 0 ? null : (int)service.StatusCode),
            AwsServices.Kms, operation, AwsErrorMessages.Clean(service.Message ?? ""), service.ErrorCode, service.StatusCode == 0 ? null : service.StatusCode, service.RequestId, innerException: e),
        OperationCanceledException or TimeoutException => new AwsServiceException(AwsErrorKind.Timeout, AwsServices.Kms, operation, "No answer from KMS in time.", innerException: e),
        HttpRequestException or AmazonServiceException or AmazonClientException or IOException => new AwsServiceException(AwsErrorKind.Timeout, AwsServices.Kms, operation,
            $"Connection to KMS failed: {e.Message}", errorCode: "ConnectionFailed", innerException: e),
        _ => new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Kms, operation, e.Message, innerException: e),
    };

    private AmazonKeyManagementServiceClient ClientFor(string region) => _clients.GetOrAdd(region, r =>
    {
        var endpoint = _endpoints.Resolve(AwsServices.Kms, r);
        var config = new AmazonKeyManagementServiceConfig
        {
            ServiceURL = endpoint.Uri.ToString(),
            AuthenticationRegion = endpoint.SigningRegion,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = Math.Max(0, _retry.MaxAttempts - 1),
            Timeout = _retry.RequestTimeout,
        };
        if (_handler is not null) config.HttpClientFactory = new HandlerHttpClientFactory(_handler);
        return new AmazonKeyManagementServiceClient(new SourceCredentials(_credentials), config);
    });

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
    }

    /// <summary>Lets the SDK client use our credentials source, so that both signers see the same, refreshed credentials.</summary>
    private sealed class SourceCredentials(IAwsCredentialsSource source) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => ToImmutable(source.GetAsync().AsTask().GetAwaiter().GetResult());

        public override async Task<ImmutableCredentials> GetCredentialsAsync() => ToImmutable(await source.GetAsync().ConfigureAwait(false));

        private static ImmutableCredentials ToImmutable(AwsCredentials credentials) =>
            new(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);
    }

    private sealed class HandlerHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }
}
