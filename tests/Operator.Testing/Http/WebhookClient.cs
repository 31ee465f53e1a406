namespace EksHardening.Operator.Testing.Http;

/// <summary>
/// An HttpClient that calls the webhook as the API server does: by the Service's DNS name (connected to 127.0.0.1
/// underneath), trusting only the given CA bundle, checking the name.
/// </summary>
public static class WebhookClient
{
    public static HttpClient Create(IReadOnlyList<X509Certificate2> trusted, string host, int port, Action<X509Certificate2>? onServerCertificate = null) =>
        LoopbackTlsClient.Create(trusted, host, port, onServerCertificate);

    /// <summary>Chain validation against <paramref name="trusted"/> alone; the system store plays no part.</summary>
    public static bool TrustedBy(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> trusted) => LoopbackTlsClient.TrustedBy(leaf, trusted);

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

    /// <summary>An AdmissionReview v1 for a CREATE of any object (a binding, a claim...) of the given group and resource.</summary>
    public static string ObjectReview(IKubernetesObject<V1ObjectMeta> obj, string group, string resource)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!;
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = group, ["version"] = "v1", ["kind"] = obj.Kind },
            ["resource"] = new JsonObject { ["group"] = group, ["version"] = "v1", ["resource"] = resource },
            ["name"] = obj.Metadata.Name,
            ["namespace"] = obj.Metadata.NamespaceProperty,
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "admin" },
            ["object"] = json,
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
