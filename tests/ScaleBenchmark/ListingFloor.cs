namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The time for a bare client to list every object the operator watches once, paginated as the informers list and
/// deserialized into the same models, all kinds at once. Measured two ways: from a fresh process, as the operator
/// starts (the floor the cold start is divided by), and warm, in the benchmark's own process (for comparison).
/// </summary>
internal static class ListingFloor
{
    public const string ListOnceCommand = "list-once";
    private const int PageSize = 500;   // the informers' page size (InformerOptions.PageSize)
    private const string ListedLine = "listed ";

    /// <summary>
    /// A fresh process (this benchmark's <see cref="ListOnceCommand"/>) lists everything once: the time from its start to
    /// its report, the better of two, so that a stall of the shared machine does not inflate the floor.
    /// </summary>
    public static async Task<double> MeasureFreshProcessAsync(string server, CancellationToken cancellationToken)
    {
        var best = double.MaxValue;
        for (var run = 0; run < 2; run++)
        {
            var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "EksHardening.ScaleBenchmark.dll"), ListOnceCommand, server])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            // As the operator runs (OperatorProcess): workstation GC.
            start.Environment["DOTNET_gcServer"] = "0";
            var timer = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the listing client");
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null && !line.StartsWith(ListedLine, StringComparison.Ordinal))
            {
            }

            var elapsed = timer.Elapsed.TotalSeconds;
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (line is null || process.ExitCode != 0) throw new InvalidOperationException($"the listing client failed (exit code {process.ExitCode})");
            best = Math.Min(best, elapsed);
        }

        return best;
    }

    /// <summary>The same list in this (warm) process, after an untimed pass of one item per kind for the JIT.</summary>
    public static async Task<double> MeasureWarmAsync(ApiServerEmulator emulator, CancellationToken cancellationToken)
    {
        using var client = emulator.CreateClient();
        await ListAllAsync(client, pageSize: 1, onePage: true, cancellationToken).ConfigureAwait(false);
        var timer = Stopwatch.StartNew();
        await ListAllAsync(client, PageSize, onePage: false, cancellationToken).ConfigureAwait(false);
        return timer.Elapsed.TotalSeconds;
    }

    /// <summary>The <see cref="ListOnceCommand"/>: list everything from <paramref name="server"/> once and report the count.</summary>
    public static async Task<int> ListOnceAsync(string server)
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server });
        var counts = await ListAllAsync(client, PageSize, onePage: false, CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine($"{ListedLine}{counts.Sum()}");
        return 0;
    }

    /// <summary>The operator's own list adapters (the generated client calls, deserializing into the typed models), all kinds at once as its informers do.</summary>
    private static Task<int[]> ListAllAsync(IKubernetes client, int pageSize, bool onePage, CancellationToken cancellationToken) => Task.WhenAll(
        ListAsync(new ResponsibilityPolicySource(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Namespaces(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.NetworkPolicies(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.ServiceAccounts(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Pods(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Deployments(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.StatefulSets(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.DaemonSets(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.ReplicaSets(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Jobs(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.CronJobs(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.ReplicationControllers(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.PodTemplates(client), pageSize, onePage, cancellationToken),
        // The duties' kinds, which the operator lists once a policy turns the rbac, encryption or nodes duty on.
        ListAsync(ResourceSources.Nodes(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.StorageClasses(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.PersistentVolumeClaims(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Ingresses(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Services(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.ClusterRoles(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.ClusterRoleBindings(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.Roles(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.RoleBindings(client), pageSize, onePage, cancellationToken),
        ListAsync(ResourceSources.AwsAuth(client), pageSize, onePage, cancellationToken));

    private static async Task<int> ListAsync<T>(IResourceSource<T> source, int pageSize, bool onePage, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<k8s.Models.V1ObjectMeta>
    {
        await Task.Yield();
        var count = 0;
        string? next = null;
        do
        {
            var page = await source.ListAsync(next, pageSize, cancellationToken).ConfigureAwait(false);
            count += page.Items.Count;
            next = page.Continue;
        }
        while (!onePage && !string.IsNullOrEmpty(next));

        return count;
    }
}
