using k8s.Autorest;

namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>The wait a 429 or 503 asks for with Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3).</summary>
public class ApiRetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(429, "3", 3_000)]
    [InlineData(503, "120", 120_000)]
    [InlineData(429, "0", 0)]
    [InlineData(429, "Sat, 28 Nov 2026 12:00:07 GMT", 7_000)]        // an HTTP date 7 s from now
    [InlineData(503, "Sat, 28 Nov 2026 11:59:00 GMT", 0)]            // a date already past: at once
    [InlineData(429, "soon", null)]                                  // not a Retry-After value
    [InlineData(429, "-5", null)]
    [InlineData(500, "3", null)]                                     // only 429 and 503 ask to wait
    [InlineData(409, "3", null)]
    public void The_wait_is_read_from_a_429_or_503_answer(int status, string header, int? expectedMilliseconds)
    {
        using var response = Answer(status, header);
        var expected = expectedMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;

        Assert.Equal(expected, ApiRetryAfter.Of(response, Now));
        Assert.Equal(expected, ApiRetryAfter.Of(Failure(response), Now));
    }

    [Fact]
    public void An_answer_without_Retry_After_asks_for_nothing()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(ApiRetryAfter.Of(response, Now));
        Assert.Null(ApiRetryAfter.Of(Failure(response), Now));
    }

    [Fact]
    public void The_API_answer_is_found_behind_wrapping_exceptions()
    {
        using var response = Answer(429, "4");
        var wrapped = new InvalidOperationException("reconcile failed", Failure(response));

        Assert.Equal(TimeSpan.FromSeconds(4), ApiRetryAfter.Of(wrapped, Now));
        Assert.Null(ApiRetryAfter.Of(new InvalidOperationException("no API answer"), Now));
        Assert.Null(ApiRetryAfter.Of((Exception?)null, Now));
    }

    internal static HttpResponseMessage Answer(int status, string retryAfter)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.TryAddWithoutValidation(ApiRetryAfter.Header, retryAfter);
        return response;
    }

    /// <summary>The exception KubernetesClient throws for a non-success answer.</summary>
    internal static HttpOperationException Failure(HttpResponseMessage response) =>
        new($"Operation returned an invalid status code '{response.StatusCode}'") { Response = new HttpResponseMessageWrapper(response, "") };
}
