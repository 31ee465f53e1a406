using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksHardening.Operator.Admission;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// An HttpClient that calls the webhook as the API server does: by the Service's DNS name (connected to 127.0.0.1
/// underneath), trusting only the given CA bundle, checking the name.
/// </summary>
internal static class WebhookClient
{
    public static HttpClient Create(IReadOnlyList<X509Certificate2> trusted, string host, int port, Action<X509Certificate2>? onServerCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not X509Certificate2 leaf || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                    onServerCertificate?.Invoke(leaf);
                    return TrustedBy(leaf, trusted);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://{host}:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Chain validation against <paramref name="trusted"/> alone; the system store plays no part.</summary>
    public static bool TrustedBy(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> trusted)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var ca in trusted) chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf);
    }

    /// <summary>A TCP port free right now (Kestrel binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An AdmissionReview v1 for a CREATE of a Pod or Deployment named shop/web with the given pod spec.</summary>
    public static string Review(string kind, string podSpec)
    {
        var (group, resource) = kind == "Pod" ? ("", "pods") : ("apps", "deployments");
        var spec = JsonNode.Parse(podSpec)!;
        var obj = new JsonObject
        {
            ["apiVersion"] = kind == "Pod" ? "v1" : "apps/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop" },
            ["spec"] = kind == "Pod" ? spec : new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } }, ["spec"] = spec },
            },
        };
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = "v1", ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = "v1", ["resource"] = resource },
            ["name"] = "web",
            ["namespace"] = "shop",
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "admin" },
            ["object"] = obj,
            ["oldObject"] = null,
            ["dryRun"] = false,
        };
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    /// <summary>Posts the review to /validate and returns its response, checking the status and the echoed uid.</summary>
    public static async Task<JsonElement> PostReviewAsync(HttpClient client, string review)
    {
        using var content = new StringContent(review, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answer = document.RootElement.GetProperty("response").Clone();
        Assert.Equal(JsonDocument.Parse(review).RootElement.GetProperty("request").GetProperty("uid").GetString(), answer.GetProperty("uid").GetString());
        return answer;
    }
}
