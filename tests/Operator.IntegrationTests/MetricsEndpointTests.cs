namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// Scrapes <c>/metrics</c> from the operator running against the API emulator and checks each family against what
/// the emulator saw and what the policies' status says.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string OperatorNamespace = "eks-hardening-system";

    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
        _bed.Emulator.Seed(new V1Namespace { Metadata = new() { Name = OperatorNamespace } });
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    /// <summary>Every family the operator promises, with the webhook on.</summary>
    private static readonly string[] Families =
    [
        "eks_hardening_leader", "eks_hardening_reconciles_total", "eks_hardening_reconcile_duration_seconds", "eks_hardening_reconciles_unchanged_total",
        "eks_hardening_status_writes_total", "eks_hardening_events_sent_total",
        "eks_hardening_workqueue_depth", "eks_hardening_workqueue_adds_total", "eks_hardening_workqueue_retries_total",
        "eks_hardening_informer_objects", "eks_hardening_informer_synced", "eks_hardening_informer_lists_total",
        "eks_hardening_informer_relists_total", "eks_hardening_watch_restarts_total",
        "eks_hardening_kubernetes_requests_total",
        "eks_hardening_cache_hits_total", "eks_hardening_cache_misses_total", "eks_hardening_cache_hit_ratio",
        "eks_hardening_violations",
        "eks_hardening_policy_report_writes_total", "eks_hardening_policy_report_failures_total", "eks_hardening_policy_reports_served",
        "eks_hardening_admission_requests_total", "eks_hardening_admission_duration_seconds",
        "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total", "process_start_time_seconds",
        "dotnet_gc_heap_size_bytes", "dotnet_gc_allocated_bytes_total", "dotnet_gc_collections_total",
    ];

    /// <summary>
    /// Labelled families whose series all come from events this scenario does not cause (no AWS call, no refused
    /// webhook request): as with the Prometheus client libraries, a labelled family is listed from its first series on.
    /// </summary>
    private static readonly string[] FamiliesWithoutSeriesHere =
        ["eks_hardening_aws_calls_total", "eks_hardening_aws_retries_total", "eks_hardening_admission_rejected_total"];

    [Fact]
    public async Task Every_family_is_served_with_values_that_match_the_cluster_and_the_status()
    {
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app, port) };
        await Eventually.True(async () => (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode, "ready");
        await _bed.ConvergedAsync("production");
        await _bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: staging}
            spec:
              mode: Warn
              match: {namespaceSelector: {matchLabels: {env: dev}}}
              podSecurity: {level: baseline}
              imageScanning: {disallowLatestTag: true}
            """);
        await _bed.ConvergedAsync("staging");
        // A change to one workload: the production policy is evaluated again, reusing the findings of the others.
        _bed.Emulator.Seed(new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = "late", NamespaceProperty = "prod-b" },
            Spec = MixedWorkloads.PodSpec(compliant: false, 1),
        });
        await _bed.ConvergedAsync("production");

        var bundle = await app.Services.GetRequiredService<WebhookCertificates>().EnsureAsync(CancellationToken.None);
        using (var webhook = WebhookClient.Create(bundle.CaCertificates(), $"eks-hardening-webhook.{OperatorNamespace}.svc", port))
        {
            const string spec = """{"containers": [{"name": "web", "image": "registry.example.com/shop/web:1.4.2"}]}""";
            Assert.True((await WebhookClient.PostReviewAsync(webhook, WebhookClient.Review("Pod", spec))).GetProperty("allowed").GetBoolean());
            Assert.True((await WebhookClient.PostReviewAsync(webhook, WebhookClient.Review("Deployment", spec))).GetProperty("allowed").GetBoolean());
        }

        // Quiescence: nothing queued, and what the operator counted is what the emulator answered.
        PrometheusExposition metrics = null!;
        var mismatch = "";
        await Eventually.True(async () =>
        {
            metrics = await ScrapeAsync(http);
            mismatch = string.Join("; ", ApiCountsThatDiffer(metrics).Concat(QueueNotQuiet(metrics)));
            return mismatch.Length == 0;
        }, $"the operator is quiet and its counts match the emulator's ({mismatch})");

        foreach (var family in Families) Assert.True(metrics.Families.ContainsKey(family), $"family {family} is missing");
        foreach (var family in FamiliesWithoutSeriesHere) Assert.False(metrics.Families.ContainsKey(family), $"family {family} has series nothing here caused");
        // One instrument per family: two instruments of one name would be merged into a family of mixed label sets.
        Assert.All(metrics.Families.Values, f => Assert.Single(f.Samples.Select(s => string.Join(",", s.Labels.Keys.Where(k => k != "le").Order(StringComparer.Ordinal))).Distinct()));
        Assert.Equal(1, metrics.Value("eks_hardening_leader"));

        // Reconciles: every one counted by policy and result, and timed.
        var reconciles = metrics.Sum("eks_hardening_reconciles_total", ("policy", "production"));
        Assert.True(reconciles >= 2, $"production reconciled {reconciles} times");
        // The status controller comes back when the evaluation is due; the others act once per evaluation.
        var statusReconciles = metrics.Sum("eks_hardening_reconciles_total", ("policy", "production"), ("controller", "status"));
        Assert.True(statusReconciles >= 1, $"status reconciled production {statusReconciles} times");
        Assert.Equal(statusReconciles, metrics.Sum("eks_hardening_reconciles_total", ("policy", "production"), ("controller", "status"), ("result", "requeue_after")));
        // One controller per concern, each counted under its own label, each with its own queue.
        Assert.Equal(["events", "remediation", "reports", "status"],
            metrics.Samples("eks_hardening_reconciles_total").Select(s => s.Label("controller")).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["events", "remediation", "reports", "status"],
            metrics.Samples("eks_hardening_workqueue_depth").Select(s => s.Label("controller")).Order(StringComparer.Ordinal));
        Assert.Equal(reconciles, metrics.Sum("eks_hardening_reconcile_duration_seconds_count", ("policy", "production")));
        Assert.InRange(metrics.Sum("eks_hardening_reconcile_duration_seconds_sum", ("policy", "production")), 0, 30 * reconciles);
        // Each add was reconciled once (adds of a key already waiting are not counted), checked at quiescence above.
        Assert.Equal(metrics.Sum("eks_hardening_reconciles_total"), metrics.Sum("eks_hardening_workqueue_adds_total"));
        Assert.Equal(0, metrics.Sum("eks_hardening_workqueue_retries_total"));

        // Informers: the objects the emulator holds, listed once, never restarted.
        Assert.Equal(_bed.Emulator.List<V1Pod>().Count, metrics.Value("eks_hardening_informer_objects", ("resource", "pods")));
        Assert.Equal(2, metrics.Value("eks_hardening_informer_objects", ("resource", "responsibilitypolicies")));
        Assert.All(metrics.Samples("eks_hardening_informer_synced"), s => Assert.Equal(1, s.Value));
        Assert.All(metrics.Samples("eks_hardening_watch_restarts_total"), s => Assert.Equal(0, s.Value));
        Assert.All(metrics.Samples("eks_hardening_informer_relists_total"), s => Assert.Equal(0, s.Value));

        // Violations: one series per failing rule, adding up to the status, by row and in all.
        foreach (var name in new[] { "production", "staging" })
        {
            var status = _bed.Policy(name)!.Status;
            Assert.Equal(status.TotalViolations ?? -1, metrics.Sum("eks_hardening_violations", ("policy", name)));
            foreach (var row in status.Responsibilities!)
            {
                Assert.Equal(row.Failed, metrics.Sum("eks_hardening_violations", ("policy", name), ("row", row.Row.ToString())));
            }

            var expected = _bed.ExpectedEvaluation(name).AllFindings.Where(f => f.Result == FindingResult.Fail)
                .GroupBy(f => f.Rule).ToDictionary(g => g.Key.Id, g => (Count: (double)g.Count(), Severity: g.Key.Severity.ToString().ToLowerInvariant()));
            var series = metrics.Samples("eks_hardening_violations").Where(s => s.Label("policy") == name).ToList();
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), series.Select(s => s.Label("rule")).Order(StringComparer.Ordinal));
            Assert.All(series, s => Assert.Equal(expected[s.Label("rule")], (s.Value, s.Label("severity"))));
        }

        // The findings cache: the second evaluation reused what had not changed.
        var hits = metrics.Value("eks_hardening_cache_hits_total", ("cache", "findings"))!.Value;
        var misses = metrics.Value("eks_hardening_cache_misses_total", ("cache", "findings"))!.Value;
        Assert.True(hits > 0 && misses > 0, $"findings cache: {hits} hits, {misses} misses");
        Assert.Equal(hits / (hits + misses), metrics.Value("eks_hardening_cache_hit_ratio", ("cache", "findings"))!.Value, 9);

        // Admission: both reviews, by operation, kind and decision, and timed.
        Assert.Equal(1, metrics.Value("eks_hardening_admission_requests_total", ("operation", "CREATE"), ("kind", "Pod"), ("decision", AdmissionMetrics.Allowed)));
        Assert.Equal(1, metrics.Value("eks_hardening_admission_requests_total", ("operation", "CREATE"), ("kind", "Deployment"), ("decision", AdmissionMetrics.Allowed)));
        Assert.Equal(2, metrics.Value("eks_hardening_admission_duration_seconds_count"));

        // The process: what the scale benchmark reads.
        Assert.InRange(metrics.Value("process_resident_memory_bytes")!.Value, 10e6, 64e9);
        Assert.InRange(metrics.Value("dotnet_gc_heap_size_bytes")!.Value, 1e5, 64e9);
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(metrics.Value("process_start_time_seconds")!.Value * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);

        // A deleted policy leaves no violation series behind.
        await _bed.Client.CustomObjects.DeleteClusterCustomObjectAsync(ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, "staging");
        await Eventually.True(async () => !(await ScrapeAsync(http)).Samples("eks_hardening_violations").Any(s => s.Label("policy") == "staging"),
            "the deleted policy's violations are gone");
    }

    [Fact]
    public async Task Every_instrument_has_a_series_limit_and_none_overflows()
    {
        var port = WebhookClient.FreePort();
        var app = await _bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        await _bed.ConvergedAsync("production");
        var own = app.Services.GetRequiredService<IMeterFactory>();
        var instruments = new List<string>();
        // Start publishes every instrument created so far; the host creates all of its own when it starts. The exporter
        // reads the operator's meters (EksHardening.*), not ASP.NET Core's of the same factory.
        using (var listener = new MeterListener { InstrumentPublished = (instrument, _) => { if (ReferenceEquals(instrument.Meter.Scope, own) && instrument.Meter.Name.StartsWith("EksHardening.", StringComparison.Ordinal)) lock (instruments) instruments.Add(instrument.Name); } })
        {
            listener.Start();
        }

        lock (instruments) Assert.Contains(PolicyMetrics.Violations, instruments);
        lock (instruments) Assert.All(instruments, name => Assert.True(MetricSeriesLimits.Of(name) is not null, $"{name} has no series limit in MetricSeriesLimits"));
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.DoesNotContain("otel_metric_overflow", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_operators_in_one_process_each_serve_only_their_own_series()
    {
        // A second cluster that differs from the first by a violating pod: every host must report its own cluster only,
        // although both create instruments of the same names in meters of the same names.
        await using var other = await OperatorTestbed.StartWithMixedWorkloadsAsync();
        other.Emulator.Seed(new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = "extra", NamespaceProperty = "prod-b" },
            Spec = MixedWorkloads.PodSpec(compliant: false, 1),
        });
        var hosts = new[] { (Bed: _bed, App: await _bed.StartOperatorAsync()), (Bed: other, App: await other.StartOperatorAsync()) };
        foreach (var (bed, _) in hosts) await bed.ConvergedAsync("production");
        Assert.NotEqual(_bed.Policy("production")!.Status.TotalViolations, other.Policy("production")!.Status.TotalViolations);

        foreach (var (bed, app) in hosts)
        {
            using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };
            // The reader fails on a series served twice, which is what another host's instrument of the same name gives.
            var metrics = await ScrapeAsync(http);
            var status = bed.Policy("production")!.Status;
            Assert.Equal(status.TotalViolations ?? -1, metrics.Sum("eks_hardening_violations", ("policy", "production")));
            foreach (var row in status.Responsibilities!)
            {
                Assert.Equal(row.Failed, metrics.Sum("eks_hardening_violations", ("policy", "production"), ("row", row.Row.ToString())));
            }

            Assert.Equal(bed.Emulator.List<V1Pod>().Count, metrics.Value("eks_hardening_informer_objects", ("resource", "pods")));
            Assert.Equal(bed.Emulator.CountRequests("list", "pods"), metrics.Sum("eks_hardening_kubernetes_requests_total", ("verb", "list"), ("resource", "pods")));
        }
    }

    /// <summary>Reads /metrics, checking the content type; the reader fails on anything that breaks the format's rules.</summary>
    internal static async Task<PrometheusExposition> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        return PrometheusExposition.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The request counts the operator keeps that differ from the emulator's log (and the writes and events that went with them).</summary>
    private IEnumerable<string> ApiCountsThatDiffer(PrometheusExposition metrics)
    {
        (string Verb, string Resource)[] checkedRequests =
        [
            ("list", "pods"), ("watch", "pods"), ("list", "responsibilitypolicies"), ("watch", "responsibilitypolicies"),
            ("patch", "responsibilitypolicies/status"), ("create", "events"),
        ];
        foreach (var (verb, resource) in checkedRequests)
        {
            var counted = metrics.Sum("eks_hardening_kubernetes_requests_total", ("verb", verb), ("resource", resource));
            var logged = _bed.Emulator.CountRequests(verb, resource);
            if (counted != logged) yield return $"{verb} {resource}: counted {counted}, emulator {logged}";
        }

        var patches = _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status");
        if (metrics.Value("eks_hardening_status_writes_total") != patches) yield return $"status writes {metrics.Value("eks_hardening_status_writes_total")}, patches {patches}";
        var events = _bed.Emulator.CountRequests("create", "events");
        if (metrics.Value("eks_hardening_events_sent_total") != events) yield return $"events sent {metrics.Value("eks_hardening_events_sent_total")}, created {events}";
        if (metrics.Sum("eks_hardening_kubernetes_requests_total", ("code", "200")) == 0) yield return "no request answered 200";
    }

    /// <summary>Keys still waiting, or added and not yet reconciled.</summary>
    private static IEnumerable<string> QueueNotQuiet(PrometheusExposition metrics)
    {
        if (metrics.Sum("eks_hardening_workqueue_depth") != 0) yield return $"queue depth {metrics.Sum("eks_hardening_workqueue_depth")}";
        var (adds, reconciles) = (metrics.Sum("eks_hardening_workqueue_adds_total"), metrics.Sum("eks_hardening_reconciles_total"));
        if (adds != reconciles) yield return $"{adds} adds, {reconciles} reconciles";
    }
}
