using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EksHardening.Entities;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// Keeps the wgpolicyk8s.io/v1alpha2 PolicyReports and ClusterPolicyReport of each policy equal to its evaluation,
/// when (and only when) discovery says those resources are served: no report request at all without the CRDs.
/// What was written is remembered as a content hash per report, learned from one list per kind at start and at each
/// resync, so a quiet cluster causes no report requests. Uses list, create, patch (merge) and delete only. A failed
/// write never fails the reconcile: it is logged once per kind of failure, counted, and retried when it can help
/// (a 403 waits for the next discovery round, a 409 relists, a rejected body waits for different content).
/// </summary>
public sealed partial class PolicyReportWriter(IKubernetes client, PolicyReportOptions options, TimeProvider clock, ILogger<PolicyReportWriter> logger,
    IMeterFactory meters) : IDisposable
{
    private const int ListPageSize = 100;

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ReportKind _namespaced = new(PolicyReport.Plural, isCluster: false);
    private readonly ReportKind _cluster = new(ClusterPolicyReport.Plural, isCluster: true);
    private readonly ConcurrentDictionary<string, byte> _loggedFailures = new(StringComparer.Ordinal);
    // UTC ticks; written outside the refresh gate too (a 404 asks for discovery at once), so kept atomic.
    private long _nextDiscoveryTicks;
    private bool _absenceLogged;
    private readonly ReportMetrics _metrics = new(meters);
    private long _lists;
    private long _discoveries;
    private long _builds;

    /// <summary>List and discovery requests made.</summary>
    public long Lists => Interlocked.Read(ref _lists);
    public long Discoveries => Interlocked.Read(ref _discoveries);
    /// <summary>Reports built from findings (on a quiet cluster none: unchanged findings are recognised by their fingerprint).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>Whether discovery last found PolicyReports and ClusterPolicyReports served (false before the first look).</summary>
    public bool PolicyReportsServed => _namespaced.Served;
    public bool ClusterPolicyReportsServed => _cluster.Served;

    /// <summary>
    /// Makes the policy's reports say what <paramref name="evaluation"/> says; without an evaluation (invalid spec)
    /// the policy has no reports. A policy being deleted is left to the garbage collector.
    /// </summary>
    public async Task SyncAsync(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, CancellationToken cancellationToken)
    {
        if (!options.Enabled || policy.Metadata?.DeletionTimestamp is not null || policy.Metadata?.Name is not { Length: > 0 } policyName) return;
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (!_namespaced.Served && !_cluster.Served) return;

        var inputs = PolicyReportBuilder.Plan(policy, evaluation, options.MaxResults);
        var name = PolicyReportBuilder.ReportName(policyName);
        var now = clock.GetUtcNow();
        foreach (var kind in new[] { _namespaced, _cluster })
        {
            if (!kind.Served || kind.Inventory is not { } inventory) continue;
            var wanted = inputs.Where(i => (i.Namespace is null) == kind.IsCluster).ToDictionary(i => i.Namespace ?? "", StringComparer.Ordinal);
            var written = inventory.Of(name);
            foreach (var (ns, input) in wanted)
            {
                if (!kind.Served) break;   // a 403 or a vanished CRD stops this kind until the next discovery round
                var exists = written.TryGetValue(ns, out var current);
                // Same findings as the report last built, and that is what the server holds: nothing to build or send.
                if (exists && kind.BuiltHash(name, ns, input.Fingerprint) is { } known && known == current!.Hash) continue;
                var report = input.Build(now);
                Interlocked.Increment(ref _builds);
                kind.RememberBuilt(name, ns, input.Fingerprint, report.ContentHash);
                if (exists)
                {
                    if (current!.Hash != report.ContentHash) await PatchAsync(kind, inventory, report, cancellationToken).ConfigureAwait(false);
                }
                else if (!kind.IsBlocked(ns, name, report.ContentHash))
                {
                    await CreateAsync(kind, inventory, report, cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var (ns, current) in written.Where(w => !wanted.ContainsKey(w.Key)).ToList())
            {
                if (!kind.Served) break;
                await DeleteAsync(kind, inventory, name, ns, current, cancellationToken).ConfigureAwait(false);
            }

            kind.ForgetBuilt(name, keep: wanted.Keys);
        }
    }

    public void Dispose() => _refresh.Dispose();

    /// <summary>The policy is gone: the garbage collector removes its reports, so they are only forgotten here.</summary>
    public void Forget(string policyName)
    {
        var name = PolicyReportBuilder.ReportName(policyName);
        foreach (var kind in new[] { _namespaced, _cluster })
        {
            kind.Inventory?.Remove(name);
            kind.ForgetBuilt(name, keep: []);
        }
    }

    /// <summary>What another replica may have written meanwhile (a new leadership term) is learned again before the next write.</summary>
    public void Invalidate()
    {
        _namespaced.Inventory = null;
        _cluster.Inventory = null;
    }

    /// <summary>Asks discovery when it is due, and lists a kind's reports when they are not known or due for a resync.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = clock.GetUtcNow();
            if (now.UtcTicks >= Volatile.Read(ref _nextDiscoveryTicks)) await DiscoverAsync(now, cancellationToken).ConfigureAwait(false);
            foreach (var kind in new[] { _namespaced, _cluster })
            {
                if (!kind.Served) continue;
                if (kind.Inventory is not null && !kind.Stale && now - kind.Inventory.LoadedAt < options.ResyncInterval) continue;
                await LoadAsync(kind, now, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task DiscoverAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _discoveries);
        try
        {
            var resources = await client.CustomObjects.GetAPIResourcesAsync(PolicyReport.Group, PolicyReport.Version, cancellationToken).ConfigureAwait(false);
            var names = resources.Resources?.Select(r => r.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            SetServed(_namespaced, names.Contains(PolicyReport.Plural));
            SetServed(_cluster, names.Contains(ClusterPolicyReport.Plural));
            NextDiscovery(now + options.DiscoveryInterval);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            SetServed(_namespaced, false);
            SetServed(_cluster, false);
            NextDiscovery(now + options.DiscoveryInterval);
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            // Unknown: keep what was known (nothing is written while not known to be served) and ask again soon.
            Failed("discovery", "get", e);
            NextDiscovery(now + options.DiscoveryRetry);
        }

        if (!_namespaced.Served && !_cluster.Served && !_absenceLogged)
        {
            _absenceLogged = true;
            LogNotServed(logger, PolicyReport.ApiVersionName, options.DiscoveryInterval);
        }
    }

    private void NextDiscovery(DateTimeOffset at) => Volatile.Write(ref _nextDiscoveryTicks, at.UtcTicks);

    private void SetServed(ReportKind kind, bool served)
    {
        if (served && !kind.Served)
        {
            // Newly served (installed, or allowed again after a 403): what exists is learned afresh.
            kind.Inventory = null;
            if (!kind.Paused) LogServed(logger, PolicyReport.ApiVersionName, kind.Plural);
        }
        else if (!served && kind.Served)
        {
            LogNoLongerServed(logger, PolicyReport.ApiVersionName, kind.Plural);
        }

        kind.Served = served;
        kind.Paused = false;
    }

    /// <summary>Lists the operator's reports of one kind (all namespaces, paginated) into a fresh inventory.</summary>
    private async Task LoadAsync(ReportKind kind, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inventory = new ReportInventory(now);
        string? continueToken = null;
        try
        {
            do
            {
                Interlocked.Increment(ref _lists);
                var page = await client.CustomObjects.ListClusterCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, kind.Plural,
                    labelSelector: PolicyOwnership.ManagedBySelector, limit: ListPageSize, continueParameter: continueToken,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                var json = ((JsonElement)page).GetRawText();
                continueToken = kind.IsCluster ? AddPage(inventory, KubernetesJson.Deserialize<ClusterPolicyReportList>(json)) : AddPage(inventory, KubernetesJson.Deserialize<PolicyReportList>(json));
            }
            while (!string.IsNullOrEmpty(continueToken));
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            Failed(kind.Plural, "list", e);
            if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.NotFound }) PauseUntilDiscovery(kind);
            return;   // Without an inventory nothing of this kind is written; the next reconcile lists again.
        }

        kind.Inventory = inventory;
        kind.Stale = false;
        kind.ResetBlocked(inventory);
    }

    private static string? AddPage<T>(ReportInventory inventory, IItems<T> page) where T : PolicyReportBase
    {
        foreach (var report in page.Items)
        {
            inventory.Set(report.Metadata.Name, report.Metadata.NamespaceProperty ?? "", new WrittenReport(report.Metadata.Uid, PolicyReportBuilder.ContentHash(report)));
        }

        return (page as IKubernetesObject<V1ListMeta>)?.Metadata?.ContinueProperty;
    }

    private async Task CreateAsync(ReportKind kind, ReportInventory inventory, DesiredPolicyReport report, CancellationToken cancellationToken)
    {
        var body = report.Report;
        var name = body.Metadata.Name;
        var ns = report.Namespace ?? "";
        try
        {
            var created = kind.IsCluster
                ? await client.CustomObjects.CreateClusterCustomObjectAsync(body, PolicyReport.Group, PolicyReport.Version, kind.Plural,
                    fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, PolicyReport.Group, PolicyReport.Version, ns, kind.Plural,
                    fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken).ConfigureAwait(false);
            inventory.Set(name, ns, new WrittenReport(UidOf(created), report.ContentHash));
            _metrics.Wrote("create");
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            Failed(kind.Plural, "create", e);
            switch ((e as HttpOperationException)?.Response.StatusCode)
            {
                case HttpStatusCode.Conflict:
                    // Ours but unknown (written by another replica), or someone else's: a relist tells which.
                    kind.Conflicted(ns, name);
                    kind.Stale = true;
                    break;
                case HttpStatusCode.NotFound:
                    // The namespace is going away, or the CRD went: discovery tells which at the next reconcile.
                    NextDiscovery(DateTimeOffset.MinValue);
                    break;
                default:
                    HandleRefusal(kind, ns, name, report.ContentHash, e);
                    break;
            }
        }
    }

    private async Task PatchAsync(ReportKind kind, ReportInventory inventory, DesiredPolicyReport report, CancellationToken cancellationToken)
    {
        var name = report.Report.Metadata.Name;
        var ns = report.Namespace ?? "";
        if (kind.IsBlocked(ns, name, report.ContentHash)) return;
        var patch = new V1Patch(MergePatch(report.Report), V1Patch.PatchType.MergePatch);
        try
        {
            var patched = kind.IsCluster
                ? await client.CustomObjects.PatchClusterCustomObjectAsync(patch, PolicyReport.Group, PolicyReport.Version, kind.Plural, name,
                    fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, PolicyReport.Group, PolicyReport.Version, ns, kind.Plural, name,
                    fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken).ConfigureAwait(false);
            inventory.Set(name, ns, new WrittenReport(UidOf(patched), report.ContentHash));
            _metrics.Wrote("patch");
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            Failed(kind.Plural, "patch", e);
            if ((e as HttpOperationException)?.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Deleted by someone (the next reconcile creates it again), or the CRD went (discovery tells).
                inventory.Remove(name, ns);
                NextDiscovery(DateTimeOffset.MinValue);
            }
            else
            {
                HandleRefusal(kind, ns, name, report.ContentHash, e);
            }
        }
    }

    private async Task DeleteAsync(ReportKind kind, ReportInventory inventory, string name, string ns, WrittenReport current, CancellationToken cancellationToken)
    {
        // The uid precondition makes sure only the report we wrote goes, never a same-named newcomer.
        var delete = new V1DeleteOptions { Preconditions = current.Uid is null ? null : new V1Preconditions { Uid = current.Uid } };
        try
        {
            if (kind.IsCluster)
            {
                await client.CustomObjects.DeleteClusterCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, kind.Plural, name, delete,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, ns, kind.Plural, name, delete,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            inventory.Remove(name, ns);
            _metrics.Wrote("delete");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or replaced by an object that is not the one we wrote: either way not ours to delete.
            inventory.Remove(name, ns);
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            Failed(kind.Plural, "delete", e);
            HandleRefusal(kind, ns, name, null, e);
        }
    }

    /// <summary>403: this kind waits for the next discovery round. Other client errors: this content is not sent again. Server errors: retried.</summary>
    private static void HandleRefusal(ReportKind kind, string ns, string name, string? contentHash, Exception e)
    {
        if (e is not HttpOperationException http) return;
        var code = (int)http.Response.StatusCode;
        if (http.Response.StatusCode == HttpStatusCode.Forbidden) PauseUntilDiscovery(kind);
        else if (code is >= 400 and < 500 && code != 429 && contentHash is not null) kind.Reject(ns, name, contentHash);
    }

    private static void PauseUntilDiscovery(ReportKind kind)
    {
        // Served again (and relisted) at the next discovery round, which is at its usual time.
        kind.Paused = true;
        kind.Served = false;
        kind.Inventory = null;
    }

    private void Failed(string resource, string verb, Exception e)
    {
        _metrics.Failed();
        var code = e is HttpOperationException http ? ((int)http.Response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : e.GetType().Name;
        if (_loggedFailures.TryAdd($"{resource}|{verb}|{code}", 0)) LogWriteFailed(logger, verb, resource, code, e.Message);
        else LogWriteFailedAgain(logger, verb, resource, code);
    }

    private static bool IsRequestFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpOperationException or HttpRequestException or JsonException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string? UidOf(object response) =>
        response is JsonElement element && element.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("uid", out var uid) ? uid.GetString() : null;

    /// <summary>
    /// A merge patch that sets every field the operator owns: results replace the list, the truncation annotation is
    /// removed (an explicit null) when it no longer applies, and labels and annotations others added stay.
    /// </summary>
    private static string MergePatch(PolicyReportBase report)
    {
        var full = JsonNode.Parse(KubernetesJson.Serialize(report))!.AsObject();
        var metadata = full["metadata"]!.AsObject();
        var truncated = PolicyReportBuilder.TruncationNote(report.Metadata);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = metadata["labels"]?.DeepClone(),
                ["annotations"] = new JsonObject { [PolicyReportBuilder.TruncatedAnnotation] = truncated is null ? null : JsonValue.Create(truncated) },
                ["ownerReferences"] = metadata["ownerReferences"]?.DeepClone(),
            },
            ["summary"] = full["summary"]?.DeepClone(),
            ["results"] = full["results"]?.DeepClone() ?? new JsonArray(),
        };
        return patch.ToJsonString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} {Resource} are served: ResponsibilityPolicy findings are written as reports")]
    private static partial void LogServed(ILogger logger, string apiVersion, string resource);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} PolicyReports are not served: no reports are written; discovery looks again every {Interval}")]
    private static partial void LogNotServed(ILogger logger, string apiVersion, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ApiVersion} {Resource} are no longer served: their reports are not written")]
    private static partial void LogNoLongerServed(ILogger logger, string apiVersion, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PolicyReport writing: {Verb} {Resource} failed ({Code}): {Error}; status is unaffected, further failures of this kind are logged at debug level")]
    private static partial void LogWriteFailed(ILogger logger, string verb, string resource, string code, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "PolicyReport writing: {Verb} {Resource} failed again ({Code})")]
    private static partial void LogWriteFailedAgain(ILogger logger, string verb, string resource, string code);

    /// <summary>What the operator last wrote (or found) as one report.</summary>
    private sealed record WrittenReport(string? Uid, string Hash);

    /// <summary>The reports of one kind the operator knows to exist: report name → namespace ("" for cluster) → content.</summary>
    private sealed class ReportInventory(DateTimeOffset loadedAt)
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, WrittenReport>> _byName = new(StringComparer.Ordinal);

        public DateTimeOffset LoadedAt { get; } = loadedAt;

        public Dictionary<string, WrittenReport> Of(string name) =>
            _byName.TryGetValue(name, out var reports) ? new Dictionary<string, WrittenReport>(reports, StringComparer.Ordinal) : new Dictionary<string, WrittenReport>();

        public bool Contains(string name, string ns) => _byName.TryGetValue(name, out var reports) && reports.ContainsKey(ns);

        public void Set(string name, string ns, WrittenReport report) =>
            _byName.GetOrAdd(name, _ => new ConcurrentDictionary<string, WrittenReport>(StringComparer.Ordinal))[ns] = report;

        public void Remove(string name, string ns)
        {
            if (_byName.TryGetValue(name, out var reports)) reports.TryRemove(ns, out _);
        }

        public void Remove(string name) => _byName.TryRemove(name, out _);
    }

    /// <summary>PolicyReports or ClusterPolicyReports: whether served, what exists, and writes not to repeat.</summary>
    private sealed class ReportKind(string plural, bool isCluster)
    {
        private readonly ConcurrentDictionary<(string Namespace, string Name), byte> _conflicts = new();
        private readonly ConcurrentDictionary<(string Namespace, string Name), byte> _foreign = new();
        private readonly ConcurrentDictionary<(string Namespace, string Name), string> _rejected = new();
        private readonly ConcurrentDictionary<(string Namespace, string Name), (ulong Fingerprint, string Hash)> _built = new();
        private volatile bool _served;
        private volatile bool _stale;
        private volatile bool _paused;
        private volatile ReportInventory? _inventory;

        public string Plural { get; } = plural;
        public bool IsCluster { get; } = isCluster;

        public bool Served { get => _served; set => _served = value; }
        /// <summary>Not written to after a refusal (403) until discovery looks again.</summary>
        public bool Paused { get => _paused; set => _paused = value; }
        /// <summary>Set after a conflict: list again before the next write.</summary>
        public bool Stale { get => _stale; set => _stale = value; }
        /// <summary>Null until listed (and again after the CRD appears, a 403, or a new leadership term).</summary>
        public ReportInventory? Inventory { get => _inventory; set => _inventory = value; }

        public void Conflicted(string ns, string name) => _conflicts[(ns, name)] = 0;

        /// <summary>The content hash of the report last built from findings with this fingerprint, if that is the last one built.</summary>
        public string? BuiltHash(string name, string ns, ulong fingerprint) =>
            _built.TryGetValue((ns, name), out var built) && built.Fingerprint == fingerprint ? built.Hash : null;

        public void RememberBuilt(string name, string ns, ulong fingerprint, string hash) => _built[(ns, name)] = (fingerprint, hash);

        /// <summary>Drops what was built for the policy's reports outside <paramref name="keep"/> (namespaces that have no report now).</summary>
        public void ForgetBuilt(string name, IEnumerable<string> keep)
        {
            var kept = keep.ToHashSet(StringComparer.Ordinal);
            foreach (var key in _built.Keys.Where(k => k.Name == name && !kept.Contains(k.Namespace)).ToList()) _built.TryRemove(key, out _);
        }

        public void Reject(string ns, string name, string contentHash) => _rejected[(ns, name)] = contentHash;

        /// <summary>Someone else's object has the name, or the server refused exactly this content before.</summary>
        public bool IsBlocked(string ns, string name, string contentHash) =>
            _foreign.ContainsKey((ns, name)) || (_rejected.TryGetValue((ns, name), out var rejected) && rejected == contentHash);

        /// <summary>
        /// After a list: a name that conflicted and is still not among ours belongs to someone else and is left alone
        /// until the next periodic resync; refused content is tried again after a resync.
        /// </summary>
        public void ResetBlocked(ReportInventory inventory)
        {
            var conflicted = _conflicts.Keys.ToList();
            _conflicts.Clear();
            if (conflicted.Count == 0)
            {
                _foreign.Clear();
                _rejected.Clear();
            }

            foreach (var key in conflicted.Where(k => !inventory.Contains(k.Name, k.Namespace))) _foreign[key] = 0;
        }
    }

    /// <summary>The writer's instruments: report writes by operation, and failed report requests, all served from the start at zero.</summary>
    private sealed class ReportMetrics
    {
        private readonly Counter<long> _writes;
        private readonly Counter<long> _failures;

        public ReportMetrics(IMeterFactory meters)
        {
            var meter = meters.Create(PolicyMetrics.MeterName);
            _writes = meter.CreateCounter<long>("eks_hardening_policy_report_writes_total",
                description: "PolicyReport and ClusterPolicyReport writes, by operation (create, patch, delete).");
            _failures = meter.CreateCounter<long>("eks_hardening_policy_report_failures_total",
                description: "PolicyReport requests that failed (the policy's status is unaffected).");
            foreach (var operation in new[] { "create", "patch", "delete" }) _writes.Add(0, Operation(operation));
            _failures.Add(0);
        }

        public void Wrote(string operation) => _writes.Add(1, Operation(operation));

        public void Failed() => _failures.Add(1);

        private static KeyValuePair<string, object?> Operation(string name) => new("operation", name);
    }
}
