using static EksHardening.Operator.Tests.Support.TestMeters;

namespace EksHardening.Operator.Tests.Admission;

public sealed class AdmissionEndpointTests
{
    private static StringContent Json(string body, string contentType = "application/json") => new(body, Encoding.UTF8, new System.Net.Http.Headers.MediaTypeHeaderValue(contentType.Split(';')[0]));

    [Fact]
    public async Task A_review_is_answered_with_the_uid_echoed_and_the_verdict()
    {
        await using var server = await AdmissionServer.StartAsync();
        using var client = server.Client();

        using var denied = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(AdmissionReviews.Review("Deployment", AdmissionReviews.PrivilegedLatestSpec)));
        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        Assert.Equal("application/json", denied.Content.Headers.ContentType!.MediaType);
        using var document = JsonDocument.Parse(await denied.Content.ReadAsStringAsync());
        var response = document.RootElement.GetProperty("response");
        Assert.Equal("admission.k8s.io/v1", document.RootElement.GetProperty("apiVersion").GetString());
        Assert.Equal(AdmissionReviews.Uid, response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Contains("pss.privileged", response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);

        using var allowed = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec)));
        using var allowedDocument = JsonDocument.Parse(await allowed.Content.ReadAsStringAsync());
        Assert.True(allowedDocument.RootElement.GetProperty("response").GetProperty("allowed").GetBoolean());
        Assert.Equal(2, server.Endpoint.Reviews);
        Assert.Equal(1, server.Endpoint.Denied);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_body_that_is_not_json_is_415(string contentType)
    {
        await using var server = await AdmissionServer.StartAsync();
        using var client = server.Client();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec)));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("content type must be application/json\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Assert.Single(server.Measurements.Rejected.GetMeasurementSnapshot(), m => m.MatchesTags(Tag("code", "415"))).Value);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_whether_announced_or_streamed()
    {
        await using var server = await AdmissionServer.StartAsync(new WebhookOptions { MaxBodyBytes = 64 * 1024 });
        using var client = server.Client();
        var big = new byte[64 * 1024 + 1];
        big.AsSpan().Fill((byte)' ');

        using var announced = new ByteArrayContent(big);
        announced.Headers.ContentType = new("application/json");
        using var first = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), announced);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, first.StatusCode);

        // Chunked: no Content-Length, so the limit can only be enforced while reading. The body never ends (64 MB is
        // sent at most, 1000 times the limit): the answer arriving while it is still being sent shows the server stopped reading.
        var (status, sent) = await SendEndlessChunkedAsync(server);
        Assert.Equal("HTTP/1.1 413 Payload Too Large", status);
        Assert.True(sent < 64L * 1024 * 1024, $"{sent} bytes sent before the answer");
    }

    /// <summary>Writes chunk after chunk over a raw TLS connection until the server answers (or 64 MB are out); returns the status line.</summary>
    private static async Task<(string Status, long Sent)> SendEndlessChunkedAsync(AdmissionServer server)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
            certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 leaf && WebhookClient.TrustedBy(leaf, server.Ca));
        await tls.AuthenticateAsClientAsync(AdmissionServer.Host);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {AdmissionEndpoint.Path} HTTP/1.1\r\nHost: {AdmissionServer.Host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));

        var reading = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                var n = await tls.ReadAsync(buffer);
                if (n == 0) break;
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            return received.ToString().Split("\r\n")[0];
        });

        var chunk = Encoding.ASCII.GetBytes("10000\r\n" + new string(' ', 0x10000) + "\r\n");
        long sent = 0;
        try
        {
            while (!reading.IsCompleted && sent < 64L * 1024 * 1024)
            {
                await tls.WriteAsync(chunk);
                sent += 0x10000;
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering.
        }

        return (await reading.WaitAsync(TimeSpan.FromSeconds(10)), sent);
    }

    [Theory]
    [InlineData("{\"apiVersion\": <script>alert(1)</script>", "body is not valid JSON\n")]
    [InlineData("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"<script>\"}}", "invalid AdmissionReview: request.kind must be an object\n")]
    [InlineData("{\"apiVersion\": \"<script>\", \"kind\": \"AdmissionReview\"}", "invalid AdmissionReview: apiVersion must be admission.k8s.io/v1\n")]
    [InlineData("", "body is not valid JSON\n")]
    public async Task Malformed_input_is_400_with_a_short_reason_that_never_echoes_it(string body, string expected)
    {
        await using var server = await AdmissionServer.StartAsync();
        using var client = server.Client();
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(expected, text);
        Assert.DoesNotContain("script", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_object_inside_a_good_envelope_is_400()
    {
        await using var server = await AdmissionServer.StartAsync();
        using var client = server.Client();
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative),
            Json(AdmissionReviews.Review("StatefulSet", """{"containers": [{"name": ["x"]}]}""")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid AdmissionReview: request.object is not a valid StatefulSet\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Only_post_is_served()
    {
        await using var server = await AdmissionServer.StartAsync();
        using var client = server.Client();
        using var response = await client.GetAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData(WebhookFailurePolicy.Ignore)]
    [InlineData(WebhookFailurePolicy.Fail)]
    public async Task A_slow_lookup_is_answered_within_the_budget_by_the_failure_policy(WebhookFailurePolicy failurePolicy)
    {
        using var release = new ManualResetEventSlim();
        var options = new WebhookOptions { TimeoutSeconds = 1, FailurePolicy = failurePolicy };   // budget: 500 ms
        await using var server = await AdmissionServer.StartAsync(options, new BlockingImageFacts(release),
            "mode: Enforce\nimageScanning: {vulnerabilityThresholds: {critical: 0}}");
        using var client = server.Client();

        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec)));
        var elapsed = clock.Elapsed;
        release.Set();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Answered at the budget (500 ms), long before the lookup would have returned (10 s); slack for a busy test machine.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromMilliseconds(2500));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answer = document.RootElement.GetProperty("response");
        Assert.Equal(AdmissionReviews.Uid, answer.GetProperty("uid").GetString());
        if (failurePolicy == WebhookFailurePolicy.Ignore)
        {
            Assert.True(answer.GetProperty("allowed").GetBoolean());
            Assert.Equal("eks-hardening could not finish the policy check within 0.5s; admitted unchecked (failurePolicy Ignore)",
                answer.GetProperty("warnings")[0].GetString());
        }
        else
        {
            Assert.False(answer.GetProperty("allowed").GetBoolean());
            Assert.Equal(504, answer.GetProperty("status").GetProperty("code").GetInt32());
            Assert.Equal("Timeout", answer.GetProperty("status").GetProperty("reason").GetString());
        }

        Assert.Equal(1, server.Endpoint.Timeouts);
    }

    [Theory]
    [InlineData(WebhookFailurePolicy.Ignore, true)]
    [InlineData(WebhookFailurePolicy.Fail, false)]
    public async Task A_failing_lookup_is_answered_by_the_failure_policy(WebhookFailurePolicy failurePolicy, bool allowed)
    {
        await using var server = await AdmissionServer.StartAsync(new WebhookOptions { FailurePolicy = failurePolicy }, new ThrowingImageFacts(),
            "mode: Enforce\nimageScanning: {vulnerabilityThresholds: {critical: 0}}");
        using var client = server.Client();
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec)));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answer = document.RootElement.GetProperty("response");
        Assert.Equal(allowed, answer.GetProperty("allowed").GetBoolean());
        if (!allowed) Assert.Equal("InternalError", answer.GetProperty("status").GetProperty("reason").GetString());
        Assert.Equal(1, server.Endpoint.Failures);
        // Whatever the failure policy answered, the webhook did not decide.
        Assert.Equal(1, server.Measurements.Answered("CREATE", "Pod", AdmissionMetrics.Error));
    }

    [Fact]
    public async Task Answers_are_counted_by_operation_kind_and_decision_with_their_latency()
    {
        await using var server = await AdmissionServer.StartAsync(null, null, AdmissionServer.EnforceEverywhere, "mode: Warn\nimageScanning: {requireDigest: true}");
        using var client = server.Client();
        async Task PostAsync(string review)
        {
            using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Json(review));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await PostAsync(AdmissionReviews.Review("Deployment", AdmissionReviews.PrivilegedLatestSpec));
        await PostAsync(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec));   // a tag, not a digest: the Warn policy warns
        await PostAsync(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec, operation: "UPDATE", oldPodSpec: AdmissionReviews.CompliantSpec));
        await PostAsync(AdmissionReviews.Review("Pod", AdmissionReviews.CompliantSpec, subResource: "status"));

        var measured = server.Measurements;
        Assert.Equal(1, measured.Answered("CREATE", "Deployment", AdmissionMetrics.Denied));
        Assert.Equal(1, measured.Answered("CREATE", "Pod", AdmissionMetrics.Warned));
        Assert.Equal(1, measured.Answered("UPDATE", "Pod", AdmissionMetrics.Allowed));   // the template did not change
        Assert.Equal(1, measured.Answered("CREATE", "other", AdmissionMetrics.Allowed));   // a subresource not judged
        Assert.Equal(4, measured.Requests.GetMeasurementSnapshot().EvaluateAsCounter());
        var durations = measured.Durations.GetMeasurementSnapshot();
        Assert.Equal(4, durations.Count);
        Assert.InRange(durations.Sum(m => m.Value), 0, 10);
        Assert.Equal(AdmissionMetrics.DurationBuckets, Buckets(measured.Durations.Instrument));
    }

    private sealed class BlockingImageFacts(ManualResetEventSlim release) : IImageFacts
    {
        public ImageScanFacts Lookup(ImageLocation image)
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return ImageScanFacts.Unknown;
        }
    }

    private sealed class ThrowingImageFacts : IImageFacts
    {
        public ImageScanFacts Lookup(ImageLocation image) => throw new InvalidOperationException("cache corrupted");
    }
}
