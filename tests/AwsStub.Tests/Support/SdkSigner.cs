using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;

namespace EksHardening.AwsStub.Tests.Support;

/// <summary>
/// Builds requests by hand from the API reference and signs them with the AWS SDK's own SigV4 signer
/// (<see cref="AWS4Signer"/>), the oracle for services whose SDK clients are not available here.
/// </summary>
public static class SdkSigner
{
    public static HttpRequestMessage Sign(
        string baseUrl,
        string service,
        string region,
        HttpMethod method,
        string path,
        byte[]? body,
        IReadOnlyDictionary<string, string>? headers,
        IReadOnlyDictionary<string, string>? query,
        StubCredentials credentials,
        DateTime? signedAt = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? listQuery = null,
        IReadOnlyDictionary<string, string>? pathLabels = null)
    {
        var request = new DefaultRequest(new HandBuiltRequest(), service)
        {
            HttpMethod = method.Method,
            Endpoint = new Uri(baseUrl),
            ResourcePath = path,
            AuthenticationRegion = region,
            OverrideSigningServiceName = service,
            Content = body ?? [],
            UseQueryString = query is { Count: > 0 } || listQuery is { Count: > 0 },
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers[name] = value;
        }

        foreach (var (name, value) in query ?? new Dictionary<string, string>())
        {
            request.Parameters[name] = value;
        }

        foreach (var (name, values) in listQuery ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            request.ParameterCollection.Add(name, values.ToList());
        }

        // Path labels as the SDK's REST marshallers set them ("{name}" in the path), so the signer encodes them its way.
        foreach (var (name, value) in pathLabels ?? new Dictionary<string, string>())
        {
            request.AddPathResource("{" + name + "}", value);
        }

        if (credentials.SessionToken is { } token)
        {
            request.Headers["X-Amz-Security-Token"] = token;
        }

        var config = new AmazonKeyManagementServiceConfig { ServiceURL = baseUrl, AuthenticationRegion = region };
        var result = new AWS4Signer().SignRequest(request, config, new RequestMetrics(), credentials.AccessKeyId, credentials.SecretAccessKey,
            signedAt ?? DateTime.UtcNow);
        request.Headers["Authorization"] = result.ForAuthorizationHeader;
        foreach (var (name, value) in pathLabels ?? new Dictionary<string, string>())
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return ToHttp(baseUrl, method, path, request);
    }

    /// <summary>A presigned GET URL (SigV4 query authentication) made by the SDK's <see cref="AWS4PreSignedUrlSigner"/>.</summary>
    public static Uri Presign(string baseUrl, string service, string region, IReadOnlyDictionary<string, string> query, StubCredentials credentials, int expiresSeconds = 60)
    {
        var request = new DefaultRequest(new HandBuiltRequest(), service)
        {
            HttpMethod = "GET",
            Endpoint = new Uri(baseUrl),
            ResourcePath = "/",
            AuthenticationRegion = region,
            OverrideSigningServiceName = service,
            UseQueryString = true,
        };
        foreach (var (name, value) in query)
        {
            request.Parameters[name] = value;
        }

        request.Parameters["X-Amz-Expires"] = expiresSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var config = new AmazonKeyManagementServiceConfig { ServiceURL = baseUrl, AuthenticationRegion = region };
        var result = new AWS4PreSignedUrlSigner().SignRequest(request, config, new RequestMetrics(), credentials.AccessKeyId, credentials.SecretAccessKey);
        var parameters = string.Join('&', request.Parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return new Uri($"{baseUrl.TrimEnd('/')}/?{parameters}&{result.ForQueryParameters}");
    }

    private static HttpRequestMessage ToHttp(string baseUrl, HttpMethod method, string path, DefaultRequest request)
    {
        var url = baseUrl.TrimEnd('/') + path;
        var parameters = request.ParameterCollection.GetSortedParametersList();
        if (parameters.Count > 0)
        {
            url += "?" + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        }

        var message = new HttpRequestMessage(method, url);
        if (request.Content is { Length: > 0 } content)
        {
            message.Content = new ByteArrayContent(content);
        }

        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                // HttpClient sets it from the content.
            }
            else if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>The SDK's request object for a hand-built request; only its type is read by the signer.</summary>
    private sealed class HandBuiltRequest : AmazonWebServiceRequest;
}

/// <summary>Hand-built calls to the services whose SDK clients are not available: ECR (JSON 1.1), EKS (REST-JSON), IAM (Query).</summary>
public sealed class HandClient(AwsEndpointStub stub, HttpClient http)
{
    public StubCredentials Credentials { get; set; } = stub.Credentials;

    public string Region { get; set; } = stub.Region;

    public Task<HttpResponseMessage> EcrAsync(string operation, string json) =>
        SendAsync(Json11("ecr", "AmazonEC2ContainerRegistry_V20150921." + operation, json));

    public HttpRequestMessage Json11(string service, string target, string json, DateTime? signedAt = null) =>
        SdkSigner.Sign(stub.BaseUrl, service, Region, HttpMethod.Post, "/", Encoding.UTF8.GetBytes(json),
            new Dictionary<string, string> { ["X-Amz-Target"] = target, ["Content-Type"] = "application/x-amz-json-1.1" }, null, Credentials, signedAt);

    /// <summary>A signed EKS GET; <c>{name}</c> in <paramref name="path"/> is replaced by the escaped <paramref name="labels"/> value.</summary>
    public Task<HttpResponseMessage> EksAsync(string path, IReadOnlyDictionary<string, string>? query = null, IReadOnlyDictionary<string, string>? labels = null) =>
        SendAsync(SdkSigner.Sign(stub.BaseUrl, "eks", Region, HttpMethod.Get, path, null, null, query, Credentials, pathLabels: labels));

    public Task<HttpResponseMessage> IamAsync(string action, params (string Name, string Value)[] parameters) => SendAsync(Iam(action, parameters));

    public HttpRequestMessage Iam(string action, params (string Name, string Value)[] parameters) =>
        Query("iam", "us-east-1", "2010-05-08", action, parameters);

    public HttpRequestMessage Query(string service, string region, string version, string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters)
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
        return SdkSigner.Sign(stub.BaseUrl, service, region, HttpMethod.Post, "/", Encoding.UTF8.GetBytes(form),
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }, null, Credentials);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => http.SendAsync(request);
}
