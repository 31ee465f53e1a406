using EksHardening.Operator.Resilience;
using EksHardening.Operator.Rules;
using k8s.Autorest;
using Polly;
using Polly.Retry;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// Kubernetes Events on violating workloads: one per workload and set of failing rules, not one per pass.
/// The event name is derived from the policy, the workload and the rule set, so a restarted operator that
/// records the same violation again meets AlreadyExists instead of duplicating it. Events are sent from a
/// bounded background queue at a limited rate, so a cold start on a large cluster cannot flood the API.
/// A send that fails for a passing reason (429, 5xx, no connection) is retried with backoff for about a minute,
/// as client-go's event recorder does, so that an API hiccup does not lose the one Event of a violation.
/// </summary>
public sealed partial class ViolationEvents(IKubernetes client, TimeProvider clock, ILogger<ViolationEvents> logger, IMeterFactory meters)
{
    public const string Reason = "PolicyViolation";

    /// <summary>The meter of the Reporting folder's instruments.</summary>
    public const string MeterName = "EksHardening.Reporting";

    private const int QueueLimit = 10_000;
    private const int MaxAttempts = 12;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(50);
    private static readonly ExponentialBackoff SendBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

    /// <summary>Per policy, per resource: the failing rules last seen, and the findings list they were read from.</summary>
    private readonly Dictionary<string, Dictionary<ResourceRef, Recorded>> _recorded = new(StringComparer.Ordinal);
    private readonly Channel<Corev1Event> _pending = Channel.CreateBounded<Corev1Event>(new BoundedChannelOptions(QueueLimit)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });
    private long _pass;
    private readonly Counter<long> _sent = SentCounter(meters);
    private ResiliencePipeline? _sendRetriesPipeline;
    private ResiliencePipeline SendPipeline => _sendRetriesPipeline ??= SendRetries();

    /// <summary>Sends that failed for a passing reason and were tried again.</summary>
    public long Retries { get; private set; }

    /// <summary>Queues an event for every workload whose set of failing rules is new since the last evaluation.</summary>
    /// <remarks>A resource whose findings are the very list seen last time (the findings cache's) is not looked at again.</remarks>
    public void Record(ResponsibilityPolicy policy, PolicyEvaluation evaluation)
    {
        var policyName = policy.Metadata?.Name ?? "";
        lock (_recorded)
        {
            if (!_recorded.TryGetValue(policyName, out var recorded)) _recorded[policyName] = recorded = [];
            var pass = ++_pass;
            var seen = 0;
            foreach (var resource in evaluation.Resources)
            {
                if (resource.Resource.Namespace is null) continue;   // namespace-level findings live in status only
                seen++;
                // The same findings (reused from the cache), or still nothing failing (objects are judged afresh each
                // time): no event to send, nothing to compute.
                if (recorded.TryGetValue(resource.Resource, out var known)
                    && (ReferenceEquals(known.Findings, resource.Findings) || (known.RuleSet.Length == 0 && resource.Verdict != FindingResult.Fail)))
                {
                    known.Findings = resource.Findings;
                    known.Pass = pass;
                    continue;
                }

                var failing = resource.Findings.Where(f => f.Result == FindingResult.Fail).Select(f => f.Rule.Id).Distinct().Order(StringComparer.Ordinal).ToList();
                var ruleSet = string.Join(",", failing);
                recorded[resource.Resource] = new Recorded(resource.Findings, ruleSet) { Pass = pass };
                if (known?.RuleSet == ruleSet) continue;
                if (failing.Count > 0) _pending.Writer.TryWrite(Build(policyName, resource.Resource, failing, ruleSet));
            }

            if (recorded.Count > seen)
            {
                foreach (var stale in recorded.Where(r => r.Value.Pass != pass).Select(r => r.Key).ToList()) recorded.Remove(stale);
            }
        }
    }

    private static Counter<long> SentCounter(IMeterFactory meters)
    {
        var sent = meters.Create(MeterName).CreateCounter<long>("eks_hardening_events_sent_total", description: "Violation events created.");
        sent.Add(0);   // served from the start, at zero
        return sent;
    }

    public void Forget(string policyName)
    {
        lock (_recorded) _recorded.Remove(policyName);
    }

    /// <summary>
    /// Sends queued events until cancelled. Passing failures are retried; the rest are logged and dropped (events are
    /// best effort). An event still unsent when the sender stops (a leadership term ends) waits for the next sender.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await SendAsync(item, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _pending.Writer.TryWrite(item);
                    throw;
                }

                await Task.Delay(SendInterval, clock, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Corev1Event item, CancellationToken cancellationToken)
    {
        try
        {
            await SendPipeline.ExecuteAsync(async (token) =>
            {
                try
                {
                    await client.CoreV1.CreateNamespacedEventAsync(item, item.Metadata.NamespaceProperty, cancellationToken: token).ConfigureAwait(false);
                    _sent.Add(1);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // Recorded before a restart, or by an attempt whose answer was lost: the event already exists.
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!RetryPipelines.IsCallerCancellation(e, cancellationToken))
        {
            LogSendFailed(logger, item.InvolvedObject.Kind, item.InvolvedObject.NamespaceProperty, item.InvolvedObject.Name, e.Message);
        }
    }

    /// <summary>Up to <see cref="MaxAttempts"/> sends of one event, retrying passing failures with <see cref="SendBackoff"/>.</summary>
    private ResiliencePipeline SendRetries() => new ResiliencePipelineBuilder { TimeProvider = clock }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsPassing(e, args.Context.CancellationToken)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(SendBackoff.Nominal(args.AttemptNumber)),
            OnRetry = args =>
            {
                Retries++;
                LogSendRetried(logger, args.Outcome.Exception!.Message, (int)args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Throttling, server errors, and no answer at all: worth another try. Refusals (403, 422, 404) are not.</summary>
    private static bool IsPassing(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpOperationException http => (int)http.Response.StatusCode is 429 or >= 500,
        HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,   // the client's own timeout
        _ => false,
    };

    private Corev1Event Build(string policyName, ResourceRef resource, List<string> failing, string ruleSet)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{policyName}|{resource}|{ruleSet}")))[..12];
        var name = $"{resource.Name}.{hash}";
        if (name.Length > 253) name = name[^253..].TrimStart('.', '-');
        var message = $"ResponsibilityPolicy {policyName}: {failing.Count} rule(s) fail: {string.Join(", ", failing)}";
        return new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = resource.Namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = resource.ApiVersion,
                Kind = resource.Kind,
                Name = resource.Name,
                NamespaceProperty = resource.Namespace,
                Uid = resource.Uid,
            },
            Reason = Reason,
            Type = "Warning",
            Message = message.Length <= 1024 ? message : message[..1023] + "…",
            Source = new V1EventSource { Component = "eks-hardening" },
            ReportingComponent = "eks-hardening.io/operator",
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording a violation event failed ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogSendRetried(ILogger logger, string error, int delayMs);

    private sealed class Recorded(IReadOnlyList<Finding> findings, string ruleSet)
    {
        public IReadOnlyList<Finding> Findings { get; set; } = findings;
        public string RuleSet { get; } = ruleSet;
        public long Pass { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record a violation event on {Kind} {Namespace}/{Name}: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string kind, string @namespace, string name, string error);
}
