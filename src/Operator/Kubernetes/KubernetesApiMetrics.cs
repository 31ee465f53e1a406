namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Counts every request the operator's Kubernetes client sends, by API verb, resource and HTTP status code, from a
/// <see cref="DelegatingHandler"/> in the client's pipeline. A watch is counted once, when it opens (its response
/// headers arrive); a request that gets no answer is counted with code <c>error</c>, or <c>cancelled</c> when the
/// caller gave up on it.
/// </summary>
public sealed class KubernetesApiMetrics(IMeterFactory meters)
{
    private static readonly string[] CodeLabels = [.. Enumerable.Range(0, 600).Select(c => c.ToString(CultureInfo.InvariantCulture))];

    private readonly Counter<long> _requests = meters.Create(ControllerMetrics.MeterName).CreateCounter<long>("eks_hardening_kubernetes_requests_total",
        description: "Requests sent to the Kubernetes API, by verb, resource (with subresource) and HTTP status code; watches counted when opened.");

    /// <summary>A handler for one client's pipeline (a handler belongs to one client).</summary>
    public DelegatingHandler CreateHandler() => new CountingHandler(this);

    /// <summary>
    /// The API verb (get, list, watch, create, update, patch, delete, deletecollection) and the resource as RBAC names
    /// it (<c>pods</c>, <c>responsibilitypolicies/status</c>) that a request expresses; for a URL outside the resource
    /// paths, the verb <c>get</c> and the path itself.
    /// </summary>
    public static (string Verb, string Resource) Describe(HttpMethod method, Uri? uri)
    {
        var verb = method.Method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            var other => other.ToLowerInvariant(),
        };
        if (uri is null) return (verb, "");
        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // A server URL may carry a base path (a proxy): the API paths start at the first api or apis segment.
        var start = Array.FindIndex(segments, s => s is "api" or "apis");
        var prefix = start < 0 ? 0 : segments[start] == "api" ? 2 : 3;
        if (start < 0 || segments.Length <= start + prefix) return (verb, path);

        var rest = segments.AsSpan(start + prefix);
        var watch = false;
        if (rest[0] == "watch")
        {
            watch = true;
            rest = rest[1..];
            if (rest.Length == 0) return (verb, path);
        }

        string resource;
        string? name, subresource;
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            (resource, name, subresource) = (rest[2], rest.Length > 3 ? rest[3] : null, rest.Length > 4 ? rest[4] : null);
        }
        else
        {
            (resource, name, subresource) = (rest[0], rest.Length > 1 ? rest[1] : null, rest.Length > 2 ? rest[2] : null);
        }

        if (name is null)
        {
            watch |= IsWatchQuery(uri.IsAbsoluteUri ? uri.Query : "");
            verb = verb switch
            {
                "get" => watch ? "watch" : "list",
                "delete" => "deletecollection",
                _ => verb,
            };
        }
        else if (watch && verb == "get")
        {
            verb = "watch";
        }

        return (verb, subresource is null ? resource : resource + "/" + subresource);
    }

    private static bool IsWatchQuery(string query)
    {
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            if (part is "watch=true" or "watch=1") return true;
        }

        return false;
    }

    private void Count(string verb, string resource, string code) =>
        _requests.Add(1, new KeyValuePair<string, object?>("verb", verb), new KeyValuePair<string, object?>("resource", resource),
            new KeyValuePair<string, object?>("code", code));

    private sealed class CountingHandler(KubernetesApiMetrics metrics) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (verb, resource) = Describe(request.Method, request.RequestUri);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                metrics.Count(verb, resource, "cancelled");
                throw;
            }
            catch
            {
                metrics.Count(verb, resource, "error");
                throw;
            }

            var code = (int)response.StatusCode;
            metrics.Count(verb, resource, code is >= 0 and < 600 ? CodeLabels[code] : code.ToString(CultureInfo.InvariantCulture));
            return response;
        }
    }
}
