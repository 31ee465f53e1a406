namespace EksHardening.ScaleBenchmark;

/// <summary>
/// One size of the scenario: seed the emulator, measure the list floor, run the operator as a child process
/// through cold start, quiescence and the update phase, and read its memory and the API requests it made.
/// </summary>
internal sealed class ScaleScenario(ScaleOptions options, string operatorPath, TextWriter progress)
{
    private const string StatusResource = "responsibilitypolicies/status";
    private static readonly TimeSpan ColdStartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReflectTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Between the probe seeing a write and the emulator logging its request; the idle window starts after it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    public async Task<ScaleResult> RunAsync(int pods, int updates, CancellationToken cancellationToken)
    {
        var cluster = new SyntheticEksCluster(pods);
        var policies = ScalePolicies.Create();
        var directory = Directory.CreateTempSubdirectory("eks-hardening-scale-").FullName;
        var emulatorOptions = new ApiEmulatorOptions { RequestLogLimit = 1_000_000, ServerVersion = SyntheticEksCluster.ApiServerVersion };
        emulatorOptions.InitialNamespaces.Clear();   // the synthetic cluster brings its own
        await using var emulator = await ApiServerEmulator.StartNewAsync(emulatorOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = new ScaleResult { Pods = cluster.Pods };

            var seeding = Stopwatch.StartNew();
            emulator.Seed(ResponsibilityPolicyCrd.Definition());
            foreach (var obj in cluster.Objects())
            {
                emulator.Seed(obj);
                if (SyntheticEksCluster.IsCachedByOperator(obj)) result.Objects++;
            }

            foreach (var policy in policies) emulator.Seed(policy);
            result.SeedSeconds = seeding.Elapsed.TotalSeconds;
            var expected = Expected(cluster, policies);
            Report(pods, $"seeded {result.Objects:N0} objects in {result.SeedSeconds:0.0} s; expected {string.Join("; ", expected.Select(e => $"{e.Key}: {e.Value}"))}");

            result.FloorSeconds = await ListingFloor.MeasureFreshProcessAsync(emulator.BaseUrl, cancellationToken).ConfigureAwait(false);
            result.WarmListSeconds = await ListingFloor.MeasureWarmAsync(emulator, cancellationToken).ConfigureAwait(false);
            Report(pods, $"floor: a fresh client process listed everything in {result.FloorSeconds:0.000} s ({result.WarmListSeconds:0.000} s warm, in process)");

            var kubeconfig = Path.Combine(directory, "kubeconfig");
            await File.WriteAllTextAsync(kubeconfig, Kubeconfig(emulator.BaseUrl), cancellationToken).ConfigureAwait(false);
            emulator.ClearRequests();
            await using var probe = new PolicyStatusProbe(emulator, ScalePolicies.Names);
            var startTime = DateTimeOffset.UtcNow;
            await using var process = OperatorProcess.Start(operatorPath, kubeconfig);

            // Cold start: process start until every policy's status is what the rule engine says.
            long correctAt;
            try
            {
                correctAt = await probe.WaitUntilAsync((name, counts) => counts == expected[name], ColdStartTimeout,
                    () => "cold start: " + string.Join("; ", ScalePolicies.Names.Select(n => $"{n}: {probe.Latest(n)?.ToString() ?? "no status"}"))).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new InvalidOperationException($"{e.Message}\noperator output:\n{process.RecentOutput}", e);
            }

            result.ColdSeconds = Stopwatch.GetElapsedTime(process.StartedAt, correctAt).TotalSeconds;
            var correctTime = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(correctAt);
            Report(pods, $"cold start: status correct after {result.ColdSeconds:0.000} s");

            // Quiescence: nothing may be written while nothing changes.
            await Task.Delay(Grace + options.Idle, cancellationToken).ConfigureAwait(false);
            var quietEnd = DateTimeOffset.UtcNow;
            var requests = emulator.Requests;
            var sinceStart = Between(requests, startTime, quietEnd).ToList();
            var idle = Between(requests, correctTime + Grace, quietEnd).ToList();
            result.StartRequests = ByVerb(sinceStart);
            result.StartStatusWrites = sinceStart.Count(IsStatusWrite);
            result.Lists = sinceStart.Count(r => r.Verb == "list" && !r.Query.Contains("continue=", StringComparison.Ordinal));
            var lists = sinceStart.Where(r => r.Verb == "list").ToList();
            if (lists.Count > 0)
            {
                // From the first list's arrival (its answer, a page of thousands of objects, comes later) to the last answer.
                var firstAsked = lists.Min(r => r.Received);
                result.StartupSeconds = (firstAsked - startTime).TotalSeconds;
                result.ListSeconds = (lists.Max(r => r.Time) - firstAsked).TotalSeconds;
            }

            result.QuiescentRequests = ByVerb(idle);
            result.QuiescentStatusWrites = idle.Count(IsStatusWrite);
            result.HeapBytes = await process.MetricAsync("dotnet_gc_heap_size_bytes", cancellationToken).ConfigureAwait(false);
            result.QuiescentWorkingSet = process.ResidentSet().Current;
            Report(pods, $"quiescent: working set {Mb(result.QuiescentWorkingSet):0} MB, heap {(result.HeapBytes is { } h ? $"{Mb((long)h):0} MB" : "n/a")}, "
                + $"{result.QuiescentStatusWrites} status writes in {options.Idle.TotalSeconds:0} s idle");

            if (options.Hold > TimeSpan.Zero)
            {
                Report(pods, $"holding {options.Hold.TotalSeconds:0} s before the updates; the operator's pid is {process.Id}");
                await Task.Delay(options.Hold, cancellationToken).ConfigureAwait(false);
            }

            if (updates + options.SteadyUpdates > 0 && pods > 0)
            {
                // One plan for both phases (each object is changed once); the steady phase first, from a quiet operator.
                var plan = cluster.UpdatePlan(options.SteadyUpdates + updates, ScalePolicies.Changes);
                var added = ScalePolicies.Names.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
                if (options.SteadyUpdates > 0)
                {
                    var steady = await SendAndMeasureAsync("steady", plan.Take(options.SteadyUpdates).ToList(), options.SteadyRate, emulator, probe, expected, added,
                        result.Pods, cancellationToken).ConfigureAwait(false);
                    (result.SteadyP50Ms, result.SteadyP99Ms) = (Percentile(steady.Latencies, 0.50), Percentile(steady.Latencies, 0.99));
                    await Task.Delay(Grace, cancellationToken).ConfigureAwait(false);
                    result.SteadyStatusWrites = Between(emulator.Requests, steady.Start, steady.End + Grace).Count(IsStatusWrite);
                    Report(pods, $"steady phase ({options.SteadyRate:0.##} change/s): latency p50 {result.SteadyP50Ms:0} ms, p99 {result.SteadyP99Ms:0} ms; "
                        + $"{result.SteadyStatusWrites} status writes");
                }

                if (updates > 0) await UpdatePhaseAsync(plan.Skip(options.SteadyUpdates).ToList(), emulator, probe, expected, added, result, cancellationToken).ConfigureAwait(false);
            }

            result.PeakWorkingSet = process.ResidentSet().Peak;
            if (process.HasExited) throw new InvalidOperationException($"the operator exited during the run\n{process.RecentOutput}");
            return result;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The burst phase: updates at <c>--rate</c> (20 a second by default), each adding one violating resource to one
    /// policy (in turn): a compliant Deployment made privileged, :latest or run as the default account, a break-glass
    /// RoleBinding given a user, an Ingress without TLS (<see cref="SyntheticEksCluster.UpdatePlan"/>); its latency
    /// percentiles, API requests and status writes per policy.
    /// </summary>
    private async Task UpdatePhaseAsync(IReadOnlyList<(object Object, ClusterChange Change, string Policy)> plan, ApiServerEmulator emulator, PolicyStatusProbe probe,
        Dictionary<string, StatusCounts> expected, Dictionary<string, int> added, ScaleResult result, CancellationToken cancellationToken)
    {
        var (phaseStart, reflectedTime, latencies) = await SendAndMeasureAsync("burst", plan, options.Rate, emulator, probe, expected, added, result.Pods, cancellationToken)
            .ConfigureAwait(false);
        result.P50Ms = Percentile(latencies, 0.50);
        result.P99Ms = Percentile(latencies, 0.99);
        result.MaxMs = latencies[^1];

        await Task.Delay(Grace + options.Idle, cancellationToken).ConfigureAwait(false);
        var requests = emulator.Requests;
        var phase = Between(requests, phaseStart, reflectedTime + Grace).ToList();
        var seconds = (reflectedTime + Grace - phaseStart).TotalSeconds;
        result.UpdateRequests = ByVerb(phase);
        result.UpdateStatusWrites = phase.Count(IsStatusWrite);
        result.UpdateSeconds = seconds;
        // "At most one per second": the most writes of one policy that any one-second window holds, by when they reached
        // the API server (the load it takes); by when the emulator recorded its answer as well, which lags by its own work.
        List<List<DateTimeOffset>> WritesByPolicy(Func<RecordedRequest, DateTimeOffset> time) =>
            ScalePolicies.Names.Select(n => phase.Where(r => IsStatusWrite(r) && r.Name == n).Select(time).Order().ToList()).ToList();
        var writesByPolicy = WritesByPolicy(r => r.Received);
        var answersByPolicy = WritesByPolicy(r => r.Time);
        result.StatusWritesPerPolicyPerSecond = writesByPolicy.Max(w => w.Count) / seconds;
        result.MaxStatusWritesInOneSecond = MostInOneSecond(writesByPolicy);
        result.MaxStatusAnswersInOneSecond = MostInOneSecond(answersByPolicy);
        var closest = writesByPolicy.SelectMany(w => w.Zip(w.Skip(1), (a, b) => b - a)).DefaultIfEmpty().Min();
        result.AfterUpdateStatusWrites = Between(requests, reflectedTime + Grace, DateTimeOffset.UtcNow).Count(IsStatusWrite);
        Report(result.Pods, $"burst phase ({options.Rate:0.##} changes/s): latency p50 {result.P50Ms:0} ms, p99 {result.P99Ms:0} ms, max {result.MaxMs:0} ms; {result.UpdateStatusWrites} status writes in {seconds:0.0} s; "
            + $"{result.AfterUpdateStatusWrites} after; a policy's writes at least {closest.TotalMilliseconds:0} ms apart (by arrival)");
    }

    /// <summary>
    /// Sends <paramref name="plan"/> at <paramref name="rate"/> changes a second and waits until every policy's status
    /// shows them; the latency of update i is until the policy's status first shows the violating count that includes it.
    /// </summary>
    private async Task<(DateTimeOffset Start, DateTimeOffset End, List<double> Latencies)> SendAndMeasureAsync(string phase,
        IReadOnlyList<(object Object, ClusterChange Change, string Policy)> plan, double rate, ApiServerEmulator emulator, PolicyStatusProbe probe,
        Dictionary<string, StatusCounts> expected, Dictionary<string, int> added, int pods, CancellationToken cancellationToken)
    {
        var sent = new List<(long At, ClusterChange Change, string Policy, int Violating)>(plan.Count);
        var interval = Stopwatch.Frequency / rate;
        var phaseStart = DateTimeOffset.UtcNow;
        var first = Stopwatch.GetTimestamp();
        for (var i = 0; i < plan.Count; i++)
        {
            var due = first + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(2)) await Task.Delay(wait - TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
                else Thread.SpinWait(100);
            }

            var (update, change, policy) = plan[i];
            var at = Stopwatch.GetTimestamp();
            emulator.Seed(update);
            added[policy]++;
            sent.Add((at, change, policy, expected[policy].Violating + added[policy]));
        }

        Report(pods, $"{phase} updates: {plan.Count} sent in {Stopwatch.GetElapsedTime(first).TotalSeconds:0.00} s");
        var reflectedAt = await probe.WaitUntilAsync((name, counts) => counts?.Violating >= expected[name].Violating + added[name], ReflectTimeout,
            () => $"{phase} updates: " + string.Join("; ", ScalePolicies.Names.Select(n => $"{n}: violating {probe.Latest(n)?.Violating} of {expected[n].Violating + added[n]}"))).ConfigureAwait(false);
        var reflectedTime = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(reflectedAt);

        var measured = sent.Select(u => (u.Change, Ms: Stopwatch.GetElapsedTime(u.At, probe.FirstReaching(u.Policy, u.Violating, u.At)!.Value).TotalMilliseconds)).ToList();
        Report(pods, $"{phase} latency by change: " + string.Join("; ", measured.GroupBy(m => m.Change).Select(g =>
        {
            var sorted = g.Select(m => m.Ms).Order().ToList();
            return $"{g.Key} p50 {Percentile(sorted, 0.50):0} ms, p99 {Percentile(sorted, 0.99):0} ms ({sorted.Count})";
        })));
        return (phaseStart, reflectedTime, measured.Select(m => m.Ms).Order().ToList());
    }

    /// <summary>
    /// What the rule engine says each policy's status counts are for the seeded objects and the API server's version
    /// (as the integration tests' ExpectedStatus).
    /// </summary>
    private static Dictionary<string, StatusCounts> Expected(SyntheticEksCluster cluster, IReadOnlyList<ResponsibilityPolicy> policies)
    {
        var snapshot = ClusterSnapshot.FromObjects(cluster.Objects());
        snapshot.ApiServerVersion = SyntheticEksCluster.ApiServerVersion;
        var evaluator = new PolicyEvaluator(TimeProvider.System);
        return policies.ToDictionary(
            p => p.Metadata.Name,
            p => StatusCounts.Of(ComplianceStatus.FromEvaluation(p, evaluator.Evaluate(p, snapshot), null, DateTimeOffset.UtcNow, 50))!.Value,
            StringComparer.Ordinal);
    }

    private static int MostInOneSecond(List<List<DateTimeOffset>> timesByPolicy) =>
        timesByPolicy.Max(w => w.Count == 0 ? 0 : w.Max(t => w.Count(u => u >= t && u < t + TimeSpan.FromSeconds(1))));

    private static bool IsStatusWrite(RecordedRequest r) => r.Verb is "patch" or "update" && r.ResourceWithSubresource == StatusResource;

    private static IEnumerable<RecordedRequest> Between(IEnumerable<RecordedRequest> requests, DateTimeOffset from, DateTimeOffset to) =>
        requests.Where(r => r.Time >= from && r.Time < to);

    /// <summary>Requests by verb; writes also by resource (status patches apart from the events the operator records).</summary>
    private static SortedDictionary<string, int> ByVerb(IEnumerable<RecordedRequest> requests) =>
        new(requests.GroupBy(r => r.Verb is "get" or "list" or "watch" ? r.Verb : $"{r.Verb} {r.ResourceWithSubresource}")
            .ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private void Report(int pods, string message) => progress.WriteLine($"[N={pods}] {message}");

    private static string Kubeconfig(string server) => $$$"""
        apiVersion: v1
        kind: Config
        clusters: [{name: emulator, cluster: {server: "{{{server}}}"}}]
        users: [{name: benchmark, user: {token: benchmark-token}}]
        contexts: [{name: emulator, context: {cluster: emulator, user: benchmark}}]
        current-context: emulator
        """;
}
