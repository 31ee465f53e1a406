using static EksHardening.Operator.Tests.Support.TestMeters;

namespace EksHardening.Operator.Tests.Admission;

/// <summary>
/// The admission endpoint alone on a loopback HTTPS listener (the operator's TLS settings and certificate holder),
/// with a certificate from a fresh CA for <see cref="Host"/> and the test policies.
/// </summary>
internal sealed class AdmissionServer : IAsyncDisposable
{
    public const string Host = "eks-hardening-webhook.eks-hardening-system.svc";

    private readonly WebApplication _app;

    private AdmissionServer(WebApplication app, AdmissionEndpoint endpoint, ServingCertificateHolder holder, WebhookTlsBundle bundle, int port,
        AdmissionMeasurements measurements)
    {
        _app = app;
        Measurements = measurements;
        Endpoint = endpoint;
        Holder = holder;
        Bundle = bundle;
        Port = port;
    }

    public AdmissionEndpoint Endpoint { get; }
    /// <summary>What the endpoint's instruments recorded.</summary>
    public AdmissionMeasurements Measurements { get; }
    public ServingCertificateHolder Holder { get; }
    public WebhookTlsBundle Bundle { get; }
    public int Port { get; }
    public X509Certificate2 Ca => Bundle.CaCertificates()[0];

    public static async Task<AdmissionServer> StartAsync(WebhookOptions? options = null, IImageFacts? images = null, params string[] policySpecs)
    {
        options ??= new WebhookOptions();
        var bundle = CertificateRotation.Renew(null, new WebhookOptions().DnsNames, DateTimeOffset.UtcNow).Bundle;
        var holder = new ServingCertificateHolder();
        holder.Set(bundle.LoadServingCertificate());

        var policies = (policySpecs.Length == 0 ? [EnforceEverywhere] : policySpecs).Select((spec, i) =>
        {
            var policy = TestEvaluation.Policy(spec);
            policy.Metadata.Name = $"p{i}";
            return policy;
        }).ToList<ResponsibilityPolicy>();
        var context = new StaticAdmissionContext(policies, AdmissionReviews.Cluster());
        var meters = TestMeters.Create();
        var measurements = new AdmissionMeasurements(meters);
        var endpoint = new AdmissionEndpoint(new AdmissionDecider(TimeProvider.System), context, images ?? NoImageFacts.Instance, options, NullLogger<AdmissionEndpoint>.Instance,
            new AdmissionMetrics(meters));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "admission-test" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseWebhookTls(holder)));
        var app = builder.Build();
        app.MapPost(AdmissionEndpoint.Path, endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AdmissionServer(app, endpoint, holder, bundle, new Uri(address).Port, measurements);
    }

    /// <summary>Judges every namespace: restricted PSS and the image provenance rules.</summary>
    public const string EnforceEverywhere = """
        mode: Enforce
        imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com"], disallowLatestTag: true}
        podSecurity: {level: restricted}
        """;

    public HttpClient Client(Action<X509Certificate2>? onServerCertificate = null, SslProtocols protocols = SslProtocols.None) =>
        WebhookClient.Create(Ca, Host, Port, onServerCertificate, protocols);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Measurements.Dispose();
    }
}

/// <summary>Collectors on the webhook's three instruments.</summary>
internal sealed class AdmissionMeasurements(IMeterFactory meters) : IDisposable
{
    public MetricCollector<long> Requests { get; } = new(meters, AdmissionMetrics.MeterName, "eks_hardening_admission_requests_total");
    public MetricCollector<double> Durations { get; } = new(meters, AdmissionMetrics.MeterName, "eks_hardening_admission_duration_seconds");
    public MetricCollector<long> Rejected { get; } = new(meters, AdmissionMetrics.MeterName, "eks_hardening_admission_rejected_total");

    public long Answered(string operation, string kind, string decision) =>
        Requests.GetMeasurementSnapshot().Where(m => m.MatchesTags(Tag("operation", operation), Tag("kind", kind), Tag("decision", decision))).Sum(m => m.Value);

    public void Dispose()
    {
        Requests.Dispose();
        Durations.Dispose();
        Rejected.Dispose();
    }
}

/// <summary>
/// An HttpClient that talks to the webhook the way the API server does: to the Service's DNS name (connected to
/// 127.0.0.1 underneath), trusting only the given CA and checking the name.
/// </summary>
internal static class WebhookClient
{
    public static HttpClient Create(X509Certificate2 ca, string host, int port, Action<X509Certificate2>? onServerCertificate = null, SslProtocols protocols = SslProtocols.None) =>
        LoopbackTlsClient.Create([ca], host, port, onServerCertificate, protocols);

    /// <summary>Chain validation against <paramref name="ca"/> alone: the system store plays no part.</summary>
    public static bool TrustedBy(X509Certificate2 leaf, X509Certificate2 ca) => LoopbackTlsClient.TrustedBy(leaf, [ca]);
}
