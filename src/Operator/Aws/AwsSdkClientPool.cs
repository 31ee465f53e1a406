using Amazon.Runtime;

namespace EksHardening.Operator.Aws;

/// <summary>
/// Official AWS SDK clients of one service, one per region, configured like the thin clients: the same endpoint
/// resolution (<c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, <c>AWS_ENDPOINT_URL</c>), the same credentials source, the
/// standard retry mode with the same attempt count and timeout. Every call is counted by service and operation and
/// its errors become <see cref="AwsServiceException"/>s of the project's kinds.
/// </summary>
internal sealed class AwsSdkClientPool<TClient, TConfig> : IDisposable
    where TClient : AmazonServiceClient
    where TConfig : ClientConfig, new()
{
    private readonly string _service;
    private readonly string _displayName;
    private readonly IAwsCredentialsSource _credentials;
    private readonly AwsEndpoints _endpoints;
    private readonly AwsRetryOptions _retry;
    private readonly HttpMessageHandler? _handler;
    private readonly Func<AWSCredentials, TConfig, TClient> _create;
    private readonly ConcurrentDictionary<string, TClient> _clients = new(StringComparer.Ordinal);

    /// <param name="service">The signing name (<see cref="AwsServices"/>), also the counters' service label.</param>
    /// <param name="displayName">How messages name the service: <c>KMS</c>, <c>EC2</c>.</param>
    /// <param name="handler">The HTTP handler for the SDK clients (tests answer in-process); default: the SDK's own.</param>
    public AwsSdkClientPool(string service, string displayName, Func<AWSCredentials, TConfig, TClient> create, IAwsCredentialsSource credentials,
        AwsEndpoints? endpoints, AwsRetryOptions? retry, AwsCallCounters? counters, HttpMessageHandler? handler)
    {
        _service = service;
        _displayName = displayName;
        _create = create;
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _endpoints = endpoints ?? new AwsEndpoints();
        _retry = retry ?? new AwsRetryOptions();
        Counters = counters ?? new AwsCallCounters();
        _handler = handler;
    }

    public AwsCallCounters Counters { get; }

    /// <summary>One SDK call (one page of a listing is one call): counted, and its failure translated.</summary>
    public async Task<T> CallAsync<T>(string region, string operation, Func<TClient, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        try
        {
            var result = await call(ClientFor(region)).ConfigureAwait(false);
            Counters.RecordSuccess(_service, operation);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = Translate(e, _service, _displayName, operation);
            Counters.RecordFailure(_service, operation, error.Kind);
            if (AwsErrorClassifier.IsExpiredCredentials(error.ErrorCode)) _credentials.Invalidate();
            throw error;
        }
    }

    /// <summary>An SDK exception as an <see cref="AwsServiceException"/>: service errors by code and status, connection failures as timeouts.</summary>
    internal static AwsServiceException Translate(Exception e, string service, string displayName, string operation) => e switch
    {
        AwsServiceException own => own,
        AmazonServiceException error when error.StatusCode != 0 || error.ErrorCode is not null => new AwsServiceException(
            AwsErrorClassifier.Classify(error.ErrorCode, error.StatusCode == 0 ? null : (int)error.StatusCode),
            service, operation, AwsErrorMessages.Clean(error.Message ?? ""), error.ErrorCode, error.StatusCode == 0 ? null : error.StatusCode, error.RequestId, innerException: e),
        OperationCanceledException or TimeoutException => new AwsServiceException(AwsErrorKind.Timeout, service, operation, $"No answer from {displayName} in time.", innerException: e),
        HttpRequestException or AmazonServiceException or AmazonClientException or IOException => new AwsServiceException(AwsErrorKind.Timeout, service, operation,
            $"Connection to {displayName} failed: {e.Message}", errorCode: "ConnectionFailed", innerException: e),
        _ => new AwsServiceException(AwsErrorKind.Unknown, service, operation, e.Message, innerException: e),
    };

    private TClient ClientFor(string region) => _clients.GetOrAdd(region, r =>
    {
        var endpoint = _endpoints.Resolve(_service, r);
        var config = new TConfig
        {
            ServiceURL = endpoint.Uri.ToString(),
            AuthenticationRegion = endpoint.SigningRegion,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = Math.Max(0, _retry.MaxAttempts - 1),
            Timeout = _retry.RequestTimeout,
        };
        if (_handler is not null) config.HttpClientFactory = new HandlerHttpClientFactory(_handler);
        return _create(new SourceCredentials(_credentials), config);
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
