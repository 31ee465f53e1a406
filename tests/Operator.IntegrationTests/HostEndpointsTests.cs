namespace EksHardening.Operator.IntegrationTests;

public sealed class HostEndpointsTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Health_is_always_up_readiness_follows_the_caches_and_metrics_report_the_counters()
    {
        // Readiness must wait for the caches: hold the first pod list back.
        _bed.Emulator.Faults.FailRequests("list", 503, resource: "pods", times: 3);
        var app = await _bed.StartOperatorAsync();
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app) };

        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        await Eventually.True(async () => (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode, "ready once synced");
        await _bed.ConvergedAsync("production");

        // The status lands before the writer counts it: wait for the counter rather than race it.
        await Eventually.True(async () => (await MetricsEndpointTests.ScrapeAsync(http)).Value("eks_hardening_status_writes_total") == 1,
            "the status write is counted");
        var metrics = await MetricsEndpointTests.ScrapeAsync(http);
        Assert.Equal("counter", metrics.Family("eks_hardening_status_writes_total").Type);
        Assert.Equal(1, metrics.Value("eks_hardening_status_writes_total"));
        Assert.Equal(1, metrics.Value("eks_hardening_informer_synced", ("resource", "pods")));
        // The 503s carry Retry-After: the API client waits them out and sends the informer's one list again, so the
        // informer counts one list while the request counter sees all four requests.
        Assert.Equal(1, metrics.Value("eks_hardening_informer_lists_total", ("resource", "pods")));
        Assert.Equal(3, metrics.Sum("eks_hardening_kubernetes_requests_total", ("verb", "list"), ("resource", "pods"), ("code", "503")));
        Assert.Equal(4, metrics.Sum("eks_hardening_kubernetes_requests_total", ("verb", "list"), ("resource", "pods")));
        Assert.Equal(1, metrics.Value("eks_hardening_leader"));
    }

    [Fact]
    public async Task A_failing_status_write_is_retried_with_backoff_until_it_lands()
    {
        var rule = _bed.Emulator.Faults.FailRequests("patch", 500, resource: "responsibilitypolicies/status", times: 3);
        var app = await _bed.StartOperatorAsync();
        await _bed.ConvergedAsync("production");
        await Eventually.True(() => _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status") >= 4, "the answered patch is logged");
        Assert.Equal(4, _bed.Emulator.CountRequests("patch", "responsibilitypolicies/status"));
        GC.KeepAlive(rule);
        GC.KeepAlive(app);
    }
}
