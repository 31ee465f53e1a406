using k8s.Autorest;

namespace EksHardening.ApiEmulator.Tests;

/// <summary>Every fault knob, observed through the real client.</summary>
public class FaultInjectionTests : EmulatorTest
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected override void Configure(ApiEmulatorOptions options) => options.TimeProvider = _clock;

    [Theory]
    [InlineData(400, "BadRequest")]
    [InlineData(404, "NotFound")]
    [InlineData(409, "Conflict")]
    [InlineData(410, "Expired")]
    [InlineData(422, "Invalid")]
    [InlineData(429, "TooManyRequests")]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(504, "Timeout")]
    public async Task An_error_rule_answers_with_its_code_and_the_matching_Status_reason(int code, string reason)
    {
        Emulator.Faults.FailRequests("get", code, resource: "pods");
        var status = await ApiAssert.FailsWith((HttpStatusCode)code, () => Client.CoreV1.ReadNamespacedPodAsync("any", "default"));
        Assert.Equal(reason, status.Reason);
    }

    [Fact]
    public async Task A_rule_with_a_count_fails_only_that_many_matching_requests()
    {
        Emulator.Seed(Objects.Pod("p"));
        var rule = Emulator.Faults.FailRequests("list", 500, resource: "pods", times: 2);
        await ApiAssert.FailsWith(HttpStatusCode.InternalServerError, () => Client.CoreV1.ListNamespacedPodAsync("default"));
        await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        await Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        await ApiAssert.FailsWith(HttpStatusCode.InternalServerError, () => Client.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Single((await Client.CoreV1.ListNamespacedPodAsync("default")).Items);
        Assert.Equal(2, rule.Hits);
    }

    [Fact]
    public async Task Throttling_sends_429_with_Retry_After()
    {
        Emulator.Faults.FailRequests(null, 429, retryAfterSeconds: 3);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Response.StatusCode);
        Assert.Equal(["3"], error.Response.Headers["Retry-After"]);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal(3, status.Details.RetryAfterSeconds);
    }

    [Fact]
    public async Task Rules_can_target_a_subresource_and_a_namespace()
    {
        Emulator.Seed(Objects.Deployment("web"));
        Emulator.Seed(Objects.Deployment("web", "kube-system"));
        Emulator.Faults.Add(new FaultRule { Verb = "patch", Resource = "deployments/status", Namespace = "default", StatusCode = 409 });
        var patch = new V1Patch("""{"status":{"replicas":1}}""", V1Patch.PatchType.MergePatch);
        await ApiAssert.FailsWith(HttpStatusCode.Conflict, () => Client.AppsV1.PatchNamespacedDeploymentStatusAsync(patch, "web", "default"));
        await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(patch, "web", "kube-system");
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "web", "default");
    }

    [Fact]
    public async Task An_error_rate_fails_roughly_that_share_of_requests()
    {
        Emulator.Faults.FailRequests("list", 500, rate: 0.3);
        var failures = 0;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await Client.CoreV1.ListNamespacedConfigMapAsync("default");
            }
            catch (HttpOperationException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 15, 45);
    }

    [Fact]
    public async Task Latency_delays_every_request()
    {
        Emulator.Faults.Latency = TimeSpan.FromMilliseconds(200);
        var stopwatch = Stopwatch.StartNew();
        await Client.CoreV1.ListNamespaceAsync();
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(190), $"took {stopwatch.Elapsed}");
        Emulator.Faults.Latency = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, Emulator.Faults.Latency);
    }

    [Fact]
    public async Task Dropping_watches_ends_open_streams_cleanly()
    {
        Emulator.Seed(Objects.Pod("a"));
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) => Client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();
        Assert.Equal(1, Emulator.OpenWatches);
        Assert.Equal(1, Emulator.Faults.DropWatches());
        await watch.WaitEndedAsync();
        Assert.Null(watch.Thrown);
        await Eventually(() => Emulator.OpenWatches == 0);
    }

    [Fact]
    public async Task A_dropped_watch_that_never_got_an_event_surfaces_as_the_clients_end_of_stream_error()
    {
        // KubernetesClient peeks the first line before handing out the stream, so a watch closed before any
        // event (drop, timeout) throws HttpRequestException(EndOfStreamException) rather than ending quietly.
        // A real API server closing an idle watch produces the same; informers must treat it as a normal end.
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: start, onError: onError, cancellationToken: ct));
        await Eventually(() => Emulator.OpenWatches == 1);
        Emulator.Faults.DropWatches();
        await watch.WaitEndedAsync();
        var thrown = Assert.IsType<HttpRequestException>(watch.Thrown);
        Assert.IsType<EndOfStreamException>(thrown.InnerException);
    }

    [Fact]
    public async Task Forcing_expiry_gives_the_next_watch_a_410_and_later_watches_work()
    {
        Emulator.Faults.ExpireNextWatches();
        var start = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var expired = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: start, onError: onError, cancellationToken: ct)))
        {
            var error = Assert.IsType<KubernetesException>(await expired.ErrorAsync());
            Assert.Equal(410, error.Status.Code);
            await expired.WaitEndedAsync();
        }

        await using var healthy = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: start, onError: onError, cancellationToken: ct));
        await Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        Assert.Equal(WatchEventType.Added, (await healthy.NextChangeAsync()).Type);
    }

    [Fact]
    public async Task Compacting_history_expires_every_older_resourceVersion()
    {
        var old = Emulator.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Emulator.Seed(Objects.Pod("a"));
        Emulator.Faults.CompactHistory();
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: old, onError: onError, cancellationToken: ct));
        Assert.Equal(410, Assert.IsType<KubernetesException>(await watch.ErrorAsync()).Status.Code);
    }

    [Fact]
    public async Task Downtime_answers_503_drops_watches_and_ends_by_itself()
    {
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) =>
            Client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: "1", onError: onError, cancellationToken: ct));
        await Eventually(() => Emulator.OpenWatches == 1);

        Emulator.Faults.StartDowntime(TimeSpan.FromMinutes(1));
        await watch.WaitEndedAsync();
        Assert.True(Emulator.Faults.IsDown);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Response.StatusCode);
        Assert.True(error.Response.Headers.ContainsKey("Retry-After"));

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(Emulator.Faults.IsDown);
        Assert.NotEmpty((await Client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task Connection_reset_downtime_fails_at_the_transport_and_can_be_ended_early()
    {
        Emulator.Faults.StartDowntime(TimeSpan.FromHours(1), DowntimeMode.ConnectionReset);
        await Assert.ThrowsAsync<HttpRequestException>(() => Client.CoreV1.ListNamespaceAsync());
        Assert.Contains(Emulator.Requests, r => r.StatusCode == 0);
        Emulator.Faults.EndDowntime();
        Assert.NotEmpty((await Client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task A_failing_watch_request_throws_from_the_enumeration()
    {
        Emulator.Faults.FailRequests("watch", 503, times: 1);
        await using var watch = WatchRecorder.Start<V1Pod>((onError, ct) => Client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        await watch.WaitEndedAsync();
        var failure = Assert.IsType<HttpOperationException>(watch.Thrown);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.Response.StatusCode);
    }

    [Fact]
    public async Task Reset_clears_every_knob()
    {
        Emulator.Faults.FailRequests(null, 500);
        Emulator.Faults.Latency = TimeSpan.FromSeconds(5);
        Emulator.Faults.ExpireNextWatches(3);
        Emulator.Faults.StartDowntime(TimeSpan.FromHours(1));
        Emulator.Faults.Reset();
        Assert.Empty(Emulator.Faults.Rules);
        Assert.False(Emulator.Faults.IsDown);
        Assert.NotEmpty((await Client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task Knobs_can_change_while_requests_are_in_flight()
    {
        var rule = Emulator.Faults.FailRequests("list", 500);
        await ApiAssert.FailsWith(HttpStatusCode.InternalServerError, () => Client.CoreV1.ListNamespaceAsync());
        Emulator.Faults.Remove(rule);
        var tasks = Enumerable.Range(0, 20).Select(_ => Client.CoreV1.ListNamespaceAsync()).ToList();
        Emulator.Faults.Latency = TimeSpan.FromMilliseconds(5);
        await Task.WhenAll(tasks);
        Assert.All(tasks, t => Assert.NotEmpty(t.Result.Items));
    }

    [Fact]
    public async Task A_hook_lets_another_writer_slip_in_between_a_read_and_a_write()
    {
        Emulator.Seed(Objects.Deployment("web"));
        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        var hook = Emulator.Faults.BeforeRequests("patch", "deployments/status", () =>
        {
            var other = Emulator.Get<V1Deployment>("default", "web")!;
            other.Spec.Replicas = 5;
            Emulator.Seed(other);
        }, times: 1);

        var patched = await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"status":{"observedGeneration":1}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(5, patched.Spec.Replicas);   // the other writer's change landed first
        Assert.NotEqual(read.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);
        Assert.Equal(2, patched.Metadata.Generation);

        await Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"observedGeneration":2}}""", V1Patch.PatchType.MergePatch), "web", "default");
        await Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal(1, hook.Hits);
        Assert.Equal(2, Emulator.Get<V1Deployment>("default", "web")!.Metadata.Generation);   // used up after one
    }

    [Fact]
    public async Task Hooks_match_by_verb_and_resource_and_are_cleared_with_the_rules()
    {
        var runs = 0;
        var hook = Emulator.Faults.BeforeRequests("list", "pods", () => runs++);
        await Client.CoreV1.ListNamespacedPodAsync("default");
        await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        await Client.CoreV1.ListNamespaceAsync();
        Assert.Equal((1, 1), (runs, hook.Hits));
        Emulator.Faults.ClearRules();
        await Client.CoreV1.ListNamespacedPodAsync("default");
        Assert.Equal(1, runs);
    }
}
