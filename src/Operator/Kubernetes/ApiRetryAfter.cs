using System.Net.Http.Headers;
using k8s.Autorest;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// The wait an API server asks for with <c>Retry-After</c> on a 429 Too Many Requests (API Priority and Fairness) or a
/// 503 Service Unavailable: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Other answers ask for nothing.
/// </summary>
public static class ApiRetryAfter
{
    public const string Header = "Retry-After";

    /// <summary>The wait <paramref name="response"/> asks for, or null.</summary>
    public static TimeSpan? Of(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!AsksToWait(response.StatusCode) || response.Headers.RetryAfter is not { } value) return null;
        return Of(value, now);
    }

    /// <summary>The wait the API answer behind <paramref name="error"/> (or one of its inner exceptions, the first of an aggregate) asks for, or null.</summary>
    public static TimeSpan? Of(Exception? error, DateTimeOffset now)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is HttpOperationException { Response: { } response } && AsksToWait(response.StatusCode))
            {
                var value = response.Headers.FirstOrDefault(h => string.Equals(h.Key, Header, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
                return value is not null && RetryConditionHeaderValue.TryParse(value, out var parsed) ? Of(parsed, now) : null;
            }
        }

        return null;
    }

    private static bool AsksToWait(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    private static TimeSpan? Of(RetryConditionHeaderValue value, DateTimeOffset now) => value switch
    {
        { Delta: { } delta } => delta >= TimeSpan.Zero ? delta : null,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
