using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EksHardening.Benchmarks;

/// <summary>
/// Admission latency for a pod with 10 containers under a policy with every admission-decidable rule on
/// (restricted PSS, limits, read-only root, registries, tags, IRSA, scan thresholds with known facts, one
/// exemption). Each iteration is one request (invocation count 1), so the P50 and P99 columns are per-request
/// latencies: "decision" parses the AdmissionReview bytes and decides; "https" is the full round trip to the
/// endpoint on a loopback TLS 1.3 listener over a kept-alive connection.
/// </summary>
[Config(typeof(LatencyConfig))]
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private const int Containers = 10;
    private const string Registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    /// <summary>A compliant pod (the common case) or one that fails most rules in every container.</summary>
    [Params(false, true)]
    public bool Violating { get; set; }

    private byte[] _review = [];
    private AdmissionDecider _decider = null!;
    private StaticAdmissionContext _context = null!;
    private IImageFacts _images = null!;
    private WebApplication? _server;
    private HttpClient? _client;

    [GlobalSetup]
    public void Setup()
    {
        var policy = new ResponsibilityPolicy
        {
            Metadata = new() { Name = "bench" },
            Spec = KubernetesYaml.Deserialize<ResponsibilityPolicySpec>("""
                mode: Enforce
                match: {namespaceSelector: {matchLabels: {env: prod}}, excludeNamespaces: [kube-system]}
                imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/eks-distro/**"], disallowLatestTag: true, vulnerabilityThresholds: {critical: 0, high: 5}, ignoreFindings: [CVE-2026-0001]}
                irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true}
                podSecurity: {level: restricted, requireResourceLimits: true, requireReadOnlyRootFilesystem: true}
                exemptions:
                - {name: legacy, namespaces: [batch], images: ["docker.io/library/nginx:*"], rules: ["image.*"], reason: bench, expires: "2030-01-01T00:00:00Z"}
                admission: {unknownImages: Deny}
                """),
        };
        var snapshot = ClusterSnapshot.FromObjects(
        [
            new k8s.Models.V1Namespace { Metadata = new() { Name = "shop", Labels = new Dictionary<string, string> { ["env"] = "prod" } } },
            new k8s.Models.V1ServiceAccount { Metadata = new() { Name = "web", NamespaceProperty = "shop" } },
        ]);
        _context = new StaticAdmissionContext([policy], snapshot);
        _decider = new AdmissionDecider(TimeProvider.System);
        _images = new KnownImages();
        _review = Encoding.UTF8.GetBytes(Review(Violating));

        var decision = Decide();
        if (decision.Allowed == Violating) throw new InvalidOperationException($"unexpected verdict: {decision.Message}");
        StartServer();
    }

    [Benchmark(Description = "decision (parse + decide)")]
    public bool Decision() => Decide().Allowed;

    [Benchmark(Description = "https round trip")]
    public async Task<int> Https()
    {
        using var content = new ByteArrayContent(_review);
        content.Headers.ContentType = new("application/json");
        using var response = await _client!.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return body.Length;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            _server.StopAsync().GetAwaiter().GetResult();
            _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private AdmissionDecision Decide()
    {
        using var document = JsonDocument.Parse(_review, AdmissionReviewJson.DocumentOptions);
        var request = AdmissionReviewJson.ReadRequest(document.RootElement);
        return _decider.Decide(request, _context.Policies, _context, _images);
    }

    private void StartServer()
    {
        var bundle = CertificateRotation.Renew(null, new WebhookOptions().DnsNames, DateTimeOffset.UtcNow).Bundle;
        var holder = new ServingCertificateHolder();
        holder.Set(bundle.LoadServingCertificate());
        var endpoint = new AdmissionEndpoint(_decider, _context, _images, new WebhookOptions(), NullLogger<AdmissionEndpoint>.Instance);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "admission-bench" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseWebhookTls(holder)));
        _server = builder.Build();
        _server.MapPost(AdmissionEndpoint.Path, endpoint.HandleAsync);
        _server.StartAsync().GetAwaiter().GetResult();
        var port = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        var ca = bundle.CaCertificates()[0];
        _client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "eks-hardening-webhook.eks-hardening-system.svc",
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 leaf && chain.Build(leaf);
                },
            },
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri($"https://eks-hardening-webhook.eks-hardening-system.svc:{port}") };
        // One warm request: connection and TLS session are set up before measuring.
        if (Https().GetAwaiter().GetResult() == 0) throw new InvalidOperationException("no answer from the endpoint");
    }

    private static string Review(bool violating)
    {
        var containers = string.Join(",", Enumerable.Range(0, Containers).Select(i => violating
            ? $$$"""{"name":"c{{{i}}}","image":"docker.io/library/busybox:latest","securityContext":{"privileged":true,"runAsUser":0},"ports":[{"containerPort":80,"hostPort":{{{8000 + i}}}}]}"""
            : $$$"""{"name":"c{{{i}}}","image":"{{{Registry}}}/shop/svc{{{i}}}:1.{{{i}}}.0","securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"ports":[{"containerPort":{{{8080 + i}}},"protocol":"TCP"}],"env":[{"name":"MODE","value":"prod"}],"volumeMounts":[{"name":"tmp","mountPath":"/tmp"}]}"""));
        return $$$"""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
             "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
             "requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},
             "name":"web-7c9f8d6b5-x2x9q","namespace":"shop","operation":"CREATE",
             "userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["system:serviceaccounts","system:authenticated"]},
             "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7c9f8d6b5-x2x9q","namespace":"shop","labels":{"app":"web","pod-template-hash":"7c9f8d6b5"},
               "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7c9f8d6b5","uid":"0c1d2e3f-aaaa-bbbb-cccc-000000000001","controller":true,"blockOwnerDeletion":true}]},
              "spec":{"serviceAccountName":"web","automountServiceAccountToken":false,
               "securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},
               "volumes":[{"name":"tmp","emptyDir":{}}],"containers":[{{{containers}}}]}},
             "oldObject":null,"dryRun":false,"options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"} } }
            """;
    }

    /// <summary>Every image is known with findings under the thresholds.</summary>
    private sealed class KnownImages : IImageFacts
    {
        private static readonly ImageScanFacts Facts = ImageScanFacts.Known(DateTimeOffset.UtcNow.AddDays(-1),
            new Dictionary<Severity, int> { [Severity.Critical] = 0, [Severity.High] = 3, [Severity.Medium] = 12 },
            [new ImageVulnerability("CVE-2026-0001", Severity.High)]);

        public ImageScanFacts Lookup(ImageLocation image) => Facts;
    }

    /// <summary>
    /// "per-request": one request per iteration, 2,000 iterations after 200 warm-ups, in process, so the percentiles
    /// are over single requests (each with the caches a lone request finds); "batched": the usual batches, for the mean.
    /// </summary>
    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            AddJob(Job.Default
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
                .WithInvocationCount(1).WithUnrollFactor(1)
                .WithWarmupCount(200).WithIterationCount(2000)
                .WithId("per-request"));
            // Batches of requests, as BenchmarkDotNet measures by default: the steady-state mean with warm caches.
            AddJob(Job.Default
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)
                .WithIterationCount(30).WithWarmupCount(5)
                .WithId("batched"));
            AddColumn(new PercentileColumn(50), new PercentileColumn(99), StatisticColumn.Max);
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }

    /// <summary>
    /// A percentile of every measured request, outliers included (BenchmarkDotNet's own percentile columns are
    /// computed after it removes outliers, which would hide exactly the tail a P99 is for, and it has no P99).
    /// </summary>
    private sealed class PercentileColumn(int percentile) : IColumn
    {
        public string Id => $"p{percentile}-all";
        public string ColumnName => $"p{percentile} (all)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Statistics;
        public int PriorityInCategory => 10;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Time;
        public string Legend => $"Percentile {percentile} of all measured requests, outliers included";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report is null) return "-";
            var sorted = report.AllMeasurements
                .Where(m => m.IterationMode == BenchmarkDotNet.Engines.IterationMode.Workload && m.IterationStage == BenchmarkDotNet.Engines.IterationStage.Actual)
                .Select(m => m.Nanoseconds / m.Operations)
                .Order()
                .ToList();
            if (sorted.Count == 0) return "-";
            var nanoseconds = sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
            return $"{nanoseconds / 1000.0:N1} us";
        }
    }
}
