using EksHardening.Operator.Kubernetes;
using k8s.Autorest;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// Whether the wgpolicyk8s.io/v1alpha2 report kinds are served (discovery, every <see cref="PolicyReportOptions.DiscoveryInterval"/>,
/// sooner after a write that suggests the CRDs went), and an informer over the operator's own reports of each kind
/// that is served: no report request at all without the CRDs, and none on a quiet cluster beyond the watches.
/// Runs while this replica leads (<see cref="RunAsync"/>); each informer change is handed to <see cref="AddHandler"/>'s handlers.
/// </summary>
public sealed partial class PolicyReportCaches(IKubernetes client, PolicyReportSources sources, PolicyReportOptions options, PolicyReportMetrics metrics,
    TimeProvider clock, ILoggerFactory loggers, InformerOptions? informerOptions = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<PolicyReportCaches>();
    private volatile Action<ReportKind, InformerEvent<PolicyReportBase>>[] _handlers = [];
    private volatile Action<ReportKind>[] _syncedHandlers = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _absenceLogged;
    private long _discoveries;

    /// <summary>Both kinds, namespaced first; read on every reconcile, so built once.</summary>
    public IReadOnlyList<ReportKind> Kinds { get; } =
        [new(PolicyReport.Plural, isCluster: false, clock), new(ClusterPolicyReport.Plural, isCluster: true, clock)];
    public ReportKind PolicyReports => Kinds[0];
    public ReportKind ClusterPolicyReports => Kinds[1];

    /// <summary>Discovery rounds done, each counted once the next one is scheduled.</summary>
    public long Discoveries => Interlocked.Read(ref _discoveries);

    /// <summary>Whether discovery last found PolicyReports and ClusterPolicyReports served, and no write was refused since (false before the first look).</summary>
    public bool PolicyReportsServed => PolicyReports.Served;
    public bool ClusterPolicyReportsServed => ClusterPolicyReports.Served;

    /// <summary>Called on the informer's loop for every change of a report of ours; must be quick.</summary>
    public void AddHandler(Action<ReportKind, InformerEvent<PolicyReportBase>> handler)
    {
        lock (sources) _handlers = [.. _handlers, handler];
    }

    /// <summary>Called once an informer has listed what exists (its kind can be written from then on).</summary>
    public void OnSynced(Action<ReportKind> handler)
    {
        lock (sources) _syncedHandlers = [.. _syncedHandlers, handler];
    }

    /// <summary>A write suggests the CRDs went (404): discovery looks again now rather than at its usual time.</summary>
    public void DiscoverSoon() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Discovery, and the informers of the served kinds, until <paramref name="term"/> ends; then the informers stop.</summary>
    public async Task RunAsync(CancellationToken term)
    {
        if (!options.Enabled) return;
        var running = new Dictionary<ReportKind, (CancellationTokenSource Stop, Task Run)>();
        try
        {
            while (!term.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake).Task;
                var next = await DiscoverAsync(term).ConfigureAwait(false);
                foreach (var kind in Kinds)
                {
                    if (kind.DiscoveredServed && !running.ContainsKey(kind)) running[kind] = Start(kind, term);
                    else if (!kind.DiscoveredServed && running.Remove(kind, out var stopped)) await StopAsync(kind, stopped).ConfigureAwait(false);
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(term);
                var delay = Task.Delay(next, clock, wait.Token);
                // A round counts once the next one is scheduled, so whoever moves the clock after seeing the count
                // (a test's fake clock) cannot move it before the wait exists.
                Interlocked.Increment(ref _discoveries);
                await Task.WhenAny(delay, wake).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (kind, run) in running) await StopAsync(kind, run).ConfigureAwait(false);
        }
    }

    /// <summary>Asks whether the report kinds are served; returns when to ask again.</summary>
    private async Task<TimeSpan> DiscoverAsync(CancellationToken cancellationToken)
    {
        var next = options.DiscoveryInterval;
        try
        {
            var resources = await client.CustomObjects.GetAPIResourcesAsync(PolicyReport.Group, PolicyReport.Version, cancellationToken).ConfigureAwait(false);
            var names = resources.Resources?.Select(r => r.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var kind in Kinds) SetServed(kind, names.Contains(kind.Plural));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            foreach (var kind in Kinds) SetServed(kind, false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or JsonException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Unknown: keep what was known and ask again soon.
            metrics.Failed("discovery", "get", e);
            next = options.DiscoveryRetry;
        }

        if (!Kinds.Any(k => k.DiscoveredServed) && !_absenceLogged)
        {
            _absenceLogged = true;
            LogNotServed(_logger, PolicyReport.ApiVersionName, options.DiscoveryInterval);
        }

        return next;
    }

    private void SetServed(ReportKind kind, bool served)
    {
        if (served && !kind.DiscoveredServed) LogServed(_logger, PolicyReport.ApiVersionName, kind.Plural);
        else if (!served && kind.DiscoveredServed) LogNoLongerServed(_logger, PolicyReport.ApiVersionName, kind.Plural);
        kind.DiscoveredServed = served;
        // A refusal (403) holds until discovery looks again: perhaps the role was changed meanwhile.
        kind.Resume();
    }

    private (CancellationTokenSource, Task) Start(ReportKind kind, CancellationToken term)
    {
        var source = kind.IsCluster ? sources.ClusterPolicyReports : sources.PolicyReports;
        var informer = new ResourceInformer<PolicyReportBase>(source, loggers.CreateLogger($"EksHardening.Informer.{source.Resource}"), clock, informerOptions,
            CachedReport.Of);
        informer.AddHandler(change =>
        {
            foreach (var handler in _handlers) handler(kind, change);
        });
        kind.Informer = informer;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(term);
        var run = Task.Run(() => informer.RunAsync(stop.Token), CancellationToken.None);
        _ = informer.Synced.ContinueWith(_ =>
        {
            if (ReferenceEquals(kind.Informer, informer)) foreach (var handler in _syncedHandlers) handler(kind);
        }, stop.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return (stop, run);
    }

    private static async Task StopAsync(ReportKind kind, (CancellationTokenSource Stop, Task Run) running)
    {
        kind.Reset();
        await running.Stop.CancelAsync().ConfigureAwait(false);
        await running.Run.ConfigureAwait(false);
        running.Stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} {Resource} are served: ResponsibilityPolicy findings are written as reports")]
    private static partial void LogServed(ILogger logger, string apiVersion, string resource);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} PolicyReports are not served: no reports are written; discovery looks again every {Interval}")]
    private static partial void LogNotServed(ILogger logger, string apiVersion, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} {Resource} are no longer served: their reports are not written")]
    private static partial void LogNoLongerServed(ILogger logger, string apiVersion, string resource);
}
