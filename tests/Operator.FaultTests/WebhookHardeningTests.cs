namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Item 8: the webhook of the running operator as an attacker meets it: a body size limit enforced while reading,
/// time limits on slow bodies and slow headers, and user input never reflected unescaped. (TLS 1.2+ only is
/// proven against the same listener by the integration tests' WebhookTests.Tls_1_1_is_refused_and_tls_1_2_and_1_3_are_served.)
/// </summary>
[Trait("Category", "Slow")]
public sealed class WebhookHardeningTests : IAsyncLifetime
{
    private const string OperatorNamespace = "eks-hardening-system";
    private const string Host = "eks-hardening-webhook.eks-hardening-system.svc";
    private OperatorTestbed _bed = null!;
    private int _port;
    private IReadOnlyList<X509Certificate2> _trusted = [];

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartAsync();
        _bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = OperatorNamespace } });
        _bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["env"] = "prod" } } });
        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: enforce}
            spec:
              mode: Enforce
              match: {namespaceSelector: {matchLabels: {env: prod}}}
              podSecurity: {level: restricted}
              imageScanning: {disallowLatestTag: true, allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"]}
            """);
        _port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", _port.ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        _trusted = (await app.Services.GetRequiredService<WebhookCertificates>().EnsureAsync(CancellationToken.None)).CaCertificates();
        await Eventually.True(() => OperatorTestbed.Controller(app).IsLeader, "the operator runs");
        await Task.Delay(200);   // the informers have the policy
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<SslStream> ConnectAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => certificate is X509Certificate2 leaf && WebhookClient.TrustedBy(leaf, _trusted));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Host });
        return tls;
    }

    /// <summary>Reads until the server closes or sends a status line; returns it (empty when closed without one) and when it came.</summary>
    private static async Task<string> ReadStatusLineAsync(Stream stream, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        var text = new StringBuilder();
        try
        {
            while (!text.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0) break;
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (IOException)
        {
            // reset by the server
        }

        var all = text.ToString();
        return all.Contains("\r\n", StringComparison.Ordinal) ? all[..all.IndexOf("\r\n", StringComparison.Ordinal)] : all;
    }

    /// <summary>Writes <paramref name="data"/> once a second until the server answers or closes; true when it closed.</summary>
    private static async Task<bool> TrickleAsync(Stream stream, byte[] data, Task answer, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!answer.IsCompleted && clock.Elapsed < limit)
        {
            try
            {
                await stream.WriteAsync(data);
            }
            catch (IOException)
            {
                return true;
            }

            await Task.WhenAny(answer, Task.Delay(1000));
        }

        return false;
    }

    [Fact]
    public async Task A_10_MiB_body_is_413_whether_announced_or_streamed_and_is_not_read_to_the_end()
    {
        // Announced: refused on the Content-Length alone, before a byte of the body is read.
        await using (var announced = await ConnectAsync())
        {
            await announced.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: {Host}\r\nContent-Type: application/json\r\nContent-Length: {10 * 1024 * 1024}\r\n\r\n{{"));
            Assert.Equal("HTTP/1.1 413 Payload Too Large", await ReadStatusLineAsync(announced, TimeSpan.FromSeconds(30)));
        }

        // Chunked, no length: 10 MiB offered in 64 KiB chunks; the answer comes before it is all sent.
        await using var tls = await ConnectAsync();
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: {Host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var chunk = Encoding.ASCII.GetBytes($"10000\r\n{new string(' ', 0x10000)}\r\n");
        var answer = ReadStatusLineAsync(tls, TimeSpan.FromSeconds(30));
        var sent = 0L;
        try
        {
            while (!answer.IsCompleted && sent < 10L * 1024 * 1024)
            {
                await tls.WriteAsync(chunk);
                sent += 0x10000;
            }
        }
        catch (IOException)
        {
            // the server stopped reading and closed
        }

        Assert.Equal("HTTP/1.1 413 Payload Too Large", await answer);
        Assert.True(sent < 10L * 1024 * 1024, $"{sent} bytes went out before the answer");
    }

    [Fact]
    public async Task A_body_trickled_a_byte_a_second_is_cut_off_with_408_within_the_decision_budget()
    {
        await using var tls = await ConnectAsync();
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: {Host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"));
        var clock = Stopwatch.StartNew();
        var answer = ReadStatusLineAsync(tls, TimeSpan.FromSeconds(30));
        await TrickleAsync(tls, " "u8.ToArray(), answer, TimeSpan.FromSeconds(30));

        Assert.Equal("HTTP/1.1 408 Request Timeout", await answer);
        // The budget is the 5 s webhook timeout less one second; a busy CI machine gets slack on top.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Headers_trickled_a_byte_a_second_are_cut_off_by_the_headers_timeout()
    {
        await using var tls = await ConnectAsync();
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: {Host}\r\n"));
        var clock = Stopwatch.StartNew();
        var answer = ReadStatusLineAsync(tls, TimeSpan.FromSeconds(40));
        var closed = await TrickleAsync(tls, "X"u8.ToArray(), answer, TimeSpan.FromSeconds(40));

        var status = await answer;
        Assert.True(closed || status.Length == 0 || status.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), $"answer: {status}");
        Assert.InRange(clock.Elapsed, WebhookListener.RequestHeadersTimeout - TimeSpan.FromSeconds(1), WebhookListener.RequestHeadersTimeout + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task User_input_comes_back_escaped_and_cleaned_and_refusals_never_echo_it()
    {
        const string Script = "</script><script>alert(1)</script>";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop" },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = $"app{Script}\u202e\u0007\nX-Injected: yes",
                    ["image"] = $"evil.example.com/{Script}:latest",
                    ["securityContext"] = new JsonObject { ["privileged"] = true },
                }),
            },
        };
        var uid = $"\"{Script}";
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = "shop",
                ["name"] = "web",
                ["operation"] = "CREATE",
                ["userInfo"] = new JsonObject { ["username"] = Script },
                ["object"] = pod,
            },
        };

        using var client = WebhookClient.Create(_trusted, Host, _port);
        using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", raw, StringComparison.OrdinalIgnoreCase);   // HTML-sensitive characters are escaped
        Assert.DoesNotContain("\nX-Injected", raw, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(raw);
        var answer = document.RootElement.GetProperty("response");
        Assert.Equal(uid, answer.GetProperty("uid").GetString());   // echoed exactly, as JSON
        Assert.False(answer.GetProperty("allowed").GetBoolean());
        var message = answer.GetProperty("status").GetProperty("message").GetString()!;
        Assert.Contains("pss.privileged", message, StringComparison.Ordinal);
        Assert.DoesNotContain(message, c => char.IsControl(c) || c == '\u202e');

        // A review we cannot read is refused in our own words, whatever it carried.
        var bad = review.DeepClone().AsObject();
        bad["apiVersion"] = Script;
        using var refused = await client.PostAsync(new Uri("/validate", UriKind.Relative), new StringContent(bad.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("text/plain", refused.Content.Headers.ContentType?.MediaType);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.DoesNotContain("script", text, StringComparison.OrdinalIgnoreCase);
    }
}
