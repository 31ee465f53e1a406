using System.Net.Http.Headers;

namespace EksHardening.Operator.Aws;

/// <summary>
/// Sends AWS API calls: builds the HTTP request for the resolved endpoint, signs it with SigV4, applies a
/// per-attempt timeout, parses error responses into <see cref="AwsServiceException"/> and retries what the
/// standard retry mode retries (<see cref="AwsStandardRetryMode"/>). Counts every call by service, operation and outcome.
/// </summary>
public sealed class AwsHttpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IAwsCredentialsSource _credentials;
    private readonly SigV4Signer _signer;
    private readonly AwsStandardRetryMode _retryMode;
    private readonly TimeProvider _time;

    /// <param name="handler">The HTTP handler (tests pass one that answers in-process); default: a pooled SocketsHttpHandler.</param>
    public AwsHttpClient(IAwsCredentialsSource credentials, AwsEndpoints? endpoints = null, AwsRetryOptions? retry = null,
        TimeProvider? time = null, HttpMessageHandler? handler = null, AwsCallCounters? counters = null, ILogger<AwsHttpClient>? logger = null)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        Endpoints = endpoints ?? new AwsEndpoints();
        Retry = retry ?? new AwsRetryOptions();
        _time = time ?? TimeProvider.System;
        _signer = new SigV4Signer(_time);
        Counters = counters ?? new AwsCallCounters();
        _retryMode = new AwsStandardRetryMode(Retry, _credentials, Counters, _time, logger ?? NullLogger<AwsHttpClient>.Instance);
        _ownsHttp = handler is null;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public AwsEndpoints Endpoints { get; }
    public AwsRetryOptions Retry { get; }
    public AwsCallCounters Counters { get; }

    /// <summary>Tokens left in the retry quota.</summary>
    public int RetryQuotaAvailable => _retryMode.QuotaAvailable;

    /// <summary>Sends the call to the service's endpoint in <paramref name="region"/>; returns the body of a 2xx answer.</summary>
    public Task<byte[]> SendAsync(AwsRequest request, string region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(request, Endpoints.Resolve(request.Service, region), cancellationToken);
    }

    public Task<byte[]> SendAsync(AwsRequest request, AwsServiceEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        return _retryMode.ExecuteAsync(request.Service, request.Operation, (_, token) => AttemptAsync(request, endpoint, token), cancellationToken);
    }

    private async Task<byte[]> AttemptAsync(AwsRequest request, AwsServiceEndpoint endpoint, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        using var message = BuildMessage(request, endpoint);
        _signer.Sign(message, request.Body ?? [], credentials, endpoint.SigningRegion, endpoint.Service);

        using var timeout = new CancellationTokenSource(Retry.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return body;
            throw ErrorFrom(request, response.StatusCode, response.Headers, body, credentials);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsServiceException(AwsErrorKind.Timeout, request.Service, request.Operation,
                $"No answer from {endpoint.Uri.Host} within {Retry.RequestTimeout.TotalSeconds:0.###} s.", innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new AwsServiceException(AwsErrorKind.Timeout, request.Service, request.Operation,
                $"Connection to {endpoint.Uri.Host} failed: {e.Message}", errorCode: "ConnectionFailed", innerException: e);
        }
    }

    internal static AwsServiceException ErrorFrom(AwsRequest request, HttpStatusCode status, HttpResponseHeaders? headers, byte[] body, AwsCredentials? credentials = null)
    {
        var details = AwsErrorParser.Parse(headers, body);
        var kind = AwsErrorClassifier.Classify(details.Code, (int)status);
        var message = details.Message is { Length: > 0 } m ? AwsErrorMessages.Clean(m, credentials)
            : details.Code is not null ? details.Code
            : $"HTTP {(int)status} {status}";
        return new AwsServiceException(kind, request.Service, request.Operation, message, details.Code, status, details.RequestId);
    }

    internal static HttpRequestMessage BuildMessage(AwsRequest request, AwsServiceEndpoint endpoint)
    {
        var message = new HttpRequestMessage(request.Method, BuildUri(endpoint.Uri, request.Path, request.Query));
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        return message;
    }

    /// <summary>The endpoint's base path (an override may carry one) joined with the operation's path and query.</summary>
    internal static Uri BuildUri(Uri baseUri, string path, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        var basePath = baseUri.AbsolutePath.TrimEnd('/');
        var builder = new StringBuilder();
        builder.Append(baseUri.Scheme).Append("://").Append(baseUri.Authority).Append(basePath);
        builder.Append(path.StartsWith('/') ? path : "/" + path);
        for (var i = 0; i < query.Count; i++)
        {
            builder.Append(i == 0 ? '?' : '&').Append(SigV4Signer.UriEncode(query[i].Key)).Append('=').Append(SigV4Signer.UriEncode(query[i].Value));
        }

        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
