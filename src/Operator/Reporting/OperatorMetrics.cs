using System.Globalization;
using System.Text;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The operator's own metrics in the Prometheus text exposition format (version 0.0.4), read from the
/// counters the runtime pieces keep; nothing is sampled or stored here.
/// </summary>
public sealed class OperatorMetrics(ClusterInformers informers, PolicyReconciler reconciler, PolicyController controller, ViolationEvents events)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public string Render()
    {
        var text = new StringBuilder();
        Gauge(text, "eks_hardening_leader", "1 when this replica leads and reconciles.", controller.IsLeader ? 1 : 0);
        Gauge(text, "eks_hardening_workqueue_depth", "Policies waiting to be reconciled.", controller.QueueDepth);
        Counter(text, "eks_hardening_status_writes_total", "Status patches sent.", reconciler.StatusWrites);
        Counter(text, "eks_hardening_reconciles_unchanged_total", "Reconciles that found the status already true.", reconciler.UnchangedReconciles);
        Counter(text, "eks_hardening_events_sent_total", "Violation events created.", events.Sent);
        Gauge(text, "dotnet_gc_heap_size_bytes", "Managed heap size at the last garbage collection.", GC.GetGCMemoryInfo().HeapSizeBytes);

        Header(text, "eks_hardening_informer_objects", "Objects in each informer's cache.", "gauge");
        foreach (var informer in informers.All) Sample(text, "eks_hardening_informer_objects", informer.Resource, informer.Count);
        Header(text, "eks_hardening_informer_synced", "1 once the informer has listed.", "gauge");
        foreach (var informer in informers.All) Sample(text, "eks_hardening_informer_synced", informer.Resource, informer.HasSynced ? 1 : 0);
        Header(text, "eks_hardening_informer_lists_total", "List requests made.", "counter");
        foreach (var informer in informers.All) Sample(text, "eks_hardening_informer_lists_total", informer.Resource, informer.Lists);
        Header(text, "eks_hardening_watch_restarts_total", "Watches opened after the first.", "counter");
        foreach (var informer in informers.All) Sample(text, "eks_hardening_watch_restarts_total", informer.Resource, Math.Max(0, informer.Watches - 1));
        Header(text, "eks_hardening_informer_relists_total", "Relists after 410 Gone.", "counter");
        foreach (var informer in informers.All) Sample(text, "eks_hardening_informer_relists_total", informer.Resource, informer.Relists);
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, help, "gauge");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, help, "counter");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string resource, double value) =>
        text.Append(name).Append("{resource=\"").Append(resource).Append("\"} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
