using EksHardening.Operator.Kubernetes;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// The leader's controllers: waits for the caches, takes the Lease (when leader election is on), and while it leads
/// runs each controller of the set (evaluation and status, remediation, PolicyReports, Events) with its own work queue.
/// Informer events only enqueue policy names, and only while leading; on gaining the lead every controller enqueues
/// every policy, so nothing depends on events seen while following. Losing the lease stops the workers at once.
/// </summary>
public sealed partial class PolicyController(
    ClusterInformers informers,
    IEnumerable<QueuedController> controllers,
    IKubernetes client,
    LeaderElectionOptions election,
    TimeProvider clock,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<PolicyController>();
    private readonly QueuedController[] _controllers = [.. controllers];
    private int _isLeader;

    public bool IsLeader => Volatile.Read(ref _isLeader) == 1;
    /// <summary>Terms this replica has led (for tests and metrics).</summary>
    public int LeadershipTerms { get; private set; }
    /// <summary>Keys waiting across the controllers' queues.</summary>
    public int QueueDepth => _controllers.Sum(c => c.QueueDepth);
    /// <summary>The controllers this one runs, each with its own queue.</summary>
    public IReadOnlyList<QueuedController> Controllers => _controllers;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await informers.WaitForSyncAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!election.Enabled)
        {
            await LeadAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        var lease = new LeaseLock(client, election.LeaseNamespace, election.LeaseName, election.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            LeaseDuration = election.LeaseDuration,
            RenewDeadline = election.LeaseDuration * 2 / 3,
            RetryPeriod = election.LeaseDuration / 7,
        });
        CancellationTokenSource? term = null;
        Task? leading = null;
        var terms = new List<CancellationTokenSource>();
        elector.OnStartedLeading += () =>
        {
            // A term regained while the previous one still drains starts only once that one has finished,
            // so two terms never share the queue slot or the event sender.
            var previous = leading;
            term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            terms.Add(term);
            var token = term.Token;
            leading = Task.Run(async () =>
            {
                if (previous is not null) await previous.ConfigureAwait(false);
                await LeadAsync(token).ConfigureAwait(false);
            }, CancellationToken.None);
        };
        elector.OnStoppedLeading += () => term?.Cancel();
        elector.OnNewLeader += leader => LogNewLeader(_logger, leader, election.Identity);

        try
        {
            await ElectAsync(elector, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // The elector has already reported "stopped leading" by now; the lease itself says whether we still hold it.
            var everLed = leading is not null;
            if (term is not null) await term.CancelAsync().ConfigureAwait(false);
            if (leading is not null) await leading.ConfigureAwait(false);
            foreach (var ended in terms) ended.Dispose();
            if (everLed) await ReleaseLeaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the election until the host stops. KubernetesClient's elector lets a connection failure while acquiring
    /// (an API server that is down or resets connections) escape from its "forever" loop; that must not end this
    /// replica's candidacy, let alone stop the host, so the election starts again after a retry period.
    /// </summary>
    private async Task ElectAsync(LeaderElector elector, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogElectionFailed(_logger, election.Identity, e.Message);
                try
                {
                    await Task.Delay(election.LeaseDuration / 7, clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// On shutdown the leader clears the Lease's holder, so that another replica takes over at its next retry
    /// instead of waiting out the lease duration (client-go's ReleaseOnCancel).
    /// </summary>
    private async Task ReleaseLeaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(election.LeaseName, election.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != election.Identity) return;
            // Empty, not absent: KubernetesClient's elector treats an absent holder as "no Lease yet" and tries to create one.
            lease.Spec.HolderIdentity = "";
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = clock.GetUtcNow().UtcDateTime;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, election.LeaseName, election.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(_logger, election.Identity);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the lease then simply expires.
            LogReleaseFailed(_logger, election.Identity, e.Message);
        }
    }

    /// <summary>One leadership term: every controller with a fresh queue, every policy enqueued, until the term ends.</summary>
    private async Task LeadAsync(CancellationToken term)
    {
        if (term.IsCancellationRequested) return;
        Interlocked.Exchange(ref _isLeader, 1);
        LeadershipTerms++;
        LogLeading(_logger, election.Identity);
        try
        {
            await Task.WhenAll(_controllers.Select(c => c.RunAsync(term))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Exchange(ref _isLeader, 0);
            LogStoppedLeading(_logger, election.Identity);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} leads: reconciling ResponsibilityPolicies")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped leading")]
    private static partial void LogStoppedLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not take part in the leader election ({Error}); trying again")]
    private static partial void LogElectionFailed(ILogger logger, string identity, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the lease")]
    private static partial void LogReleased(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not release the lease: {Error}")]
    private static partial void LogReleaseFailed(ILogger logger, string identity, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader is now {Leader} (this replica: {Identity})")]
    private static partial void LogNewLeader(ILogger logger, string leader, string identity);
}
