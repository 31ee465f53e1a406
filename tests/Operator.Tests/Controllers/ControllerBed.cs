namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// The leader's controllers over a <see cref="FakeCluster"/>, a fake clock, a recording status writer and a scripted
/// API: each reconcile is called directly, so a test sees exactly what one reconcile does.
/// </summary>
internal sealed class ControllerBed : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopReports = new();
    private Task? _reports;

    private ControllerBed(PolicyControllerOptions options)
    {
        Options = options;
        var meters = TestMeters.Create();
        Cluster = new FakeCluster(meters: meters, clock: Clock);
        StatusWriter = new RecordingStatusWriter(Cluster);
        Evaluations = new PolicyEvaluations(Cluster.Informers, new SnapshotBuilder(Cluster.Informers), options, Clock);
        var metrics = new ControllerMetrics(meters, "policy", serveUnlabelled: false);
        Status = new StatusController(Cluster.Informers, Evaluations, Outcomes, StatusWriter, options, metrics, Clock, NullLoggerFactory.Instance, meters);
        Remediator = new Remediator(Api.Client());
        Remediation = new RemediationController(Cluster.Informers, Evaluations, Outcomes, Remediator, options, metrics, Clock, NullLoggerFactory.Instance);
        ReportServer = new FakeReportServer(Api, Cluster);
        var reportSources = new PolicyReportSources(new AsReports<PolicyReport>(Cluster.AddSource<PolicyReport>(PolicyReport.Plural)),
            new AsReports<ClusterPolicyReport>(Cluster.AddSource<ClusterPolicyReport>(ClusterPolicyReport.Plural)));
        var reportMetrics = new PolicyReportMetrics(meters, NullLogger<PolicyReportMetrics>.Instance);
        ReportCaches = new PolicyReportCaches(Api.Client(), reportSources, ReportOptions, reportMetrics, Clock, NullLoggerFactory.Instance);
        Reports = new PolicyReportController(Cluster.Informers, Evaluations, ReportCaches, new PolicyReportWrites(Api.Client(), reportMetrics), ReportOptions,
            options, metrics, Clock, NullLoggerFactory.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(TestEvaluation.Now);
    public FakeCluster Cluster { get; }
    public PolicyControllerOptions Options { get; }
    public PolicyEvaluations Evaluations { get; }
    public RemediationOutcomes Outcomes { get; } = new();
    public RecordingStatusWriter StatusWriter { get; }
    public ScriptedApiHandler Api { get; } = new();
    public Remediator Remediator { get; }
    public StatusController Status { get; }
    public RemediationController Remediation { get; }
    public PolicyReportOptions ReportOptions { get; } = new();
    public FakeReportServer ReportServer { get; }
    public PolicyReportCaches ReportCaches { get; }
    public PolicyReportController Reports { get; }

    /// <summary>A bed over the objects of <paramref name="yaml"/> (policies included), listed by the informers before it returns.</summary>
    public static async Task<ControllerBed> StartAsync(string yaml, PolicyControllerOptions? options = null)
    {
        var bed = new ControllerBed(options ?? new PolicyControllerOptions { MinStatusWriteInterval = TimeSpan.Zero });
        await bed.Cluster.ApplyAsync([.. TestEvaluation.Objects(yaml).Cast<IKubernetesObject<V1ObjectMeta>>()]);
        await bed.Cluster.StartAsync();
        return bed;
    }

    public ResponsibilityPolicy Policy(string name) => Cluster.Informers.Policies.Get(null, name) ?? throw new InvalidOperationException($"no policy {name}");

    /// <summary>Runs report discovery and the report informers (as a leader's term does) until both kinds are listed.</summary>
    public async Task StartReportsAsync()
    {
        _reports = ReportCaches.RunAsync(_stopReports.Token);
        while (!(ReportCaches.PolicyReports.Ready && ReportCaches.ClusterPolicyReports.Ready))
        {
            if (_reports.IsCompleted) await _reports;
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopReports.CancelAsync();
        if (_reports is not null) await _reports;
        _stopReports.Dispose();
        await Cluster.DisposeAsync();
    }

    /// <summary>One report kind's source as the reports informer takes it.</summary>
    private sealed class AsReports<T>(IResourceSource<T> source) : IResourceSource<PolicyReportBase> where T : PolicyReportBase
    {
        public string Resource => source.Resource;

        public async Task<ListPage<PolicyReportBase>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var page = await source.ListAsync(continueToken, limit, cancellationToken);
            return new ListPage<PolicyReportBase>([.. page.Items], page.Continue, page.ResourceVersion);
        }

        public async IAsyncEnumerable<(WatchEventType Type, PolicyReportBase Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var (type, item) in source.WatchAsync(resourceVersion, timeoutSeconds, onError, cancellationToken)) yield return (type, item);
        }
    }
}
