using System.Diagnostics;
using EksHardening.Emulator;
using EksHardening.Operator.Kubernetes;
using k8s;

namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The time for a bare client to list every object the operator watches once, paginated as the informers list and
/// deserialized into the same models, all kinds at once; in the benchmark's own (warm) process, so a strict floor.
/// </summary>
internal static class ListingFloor
{
    private const int PageSize = 500;   // the informers' page size (InformerOptions.PageSize)

    public static async Task<double> MeasureAsync(ApiEmulator emulator, CancellationToken cancellationToken)
    {
        using var client = emulator.CreateClient();
        // One item of each kind first, untimed: the floor is the listing, not the JIT compiling the client's types.
        await ListAllAsync(client, pageSize: 1, onePage: true, cancellationToken).ConfigureAwait(false);
        // The better of two lists: a stall of the shared machine during one should not inflate the floor and flatter the ratio.
        var best = double.MaxValue;
        for (var run = 0; run < 2; run++)
        {
            var timer = Stopwatch.StartNew();
            await ListAllAsync(client, PageSize, onePage: false, cancellationToken).ConfigureAwait(false);
            best = Math.Min(best, timer.Elapsed.TotalSeconds);
        }

        return best;
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
        ListAsync(ResourceSources.CronJobs(client), pageSize, onePage, cancellationToken));

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
