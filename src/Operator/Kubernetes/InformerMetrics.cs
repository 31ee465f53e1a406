using System.Diagnostics.Metrics;

namespace EksHardening.Operator.Kubernetes;

/// <summary>Each shared informer's cache size, sync state, lists, relists and watch restarts, read when scraped.</summary>
public sealed class InformerMetrics
{
    public InformerMetrics(IMeterFactory meters, ClusterInformers informers)
    {
        var meter = meters.Create(ControllerMetrics.MeterName);
        meter.CreateObservableGauge("eks_hardening_informer_objects", () => PerInformer(informers, i => i.Count), description: "Objects in each informer's cache.");
        meter.CreateObservableGauge("eks_hardening_informer_synced", () => PerInformer(informers, i => i.HasSynced ? 1 : 0),
            description: "1 once the informer has listed.");
        meter.CreateObservableCounter("eks_hardening_informer_lists_total", () => PerInformer(informers, i => i.Lists), description: "List requests made.");
        meter.CreateObservableCounter("eks_hardening_watch_restarts_total", () => PerInformer(informers, i => Math.Max(0, i.Watches - 1)),
            description: "Watches opened after the first.");
        meter.CreateObservableCounter("eks_hardening_informer_relists_total", () => PerInformer(informers, i => i.Relists), description: "Relists after 410 Gone.");
    }

    private static IEnumerable<Measurement<long>> PerInformer(ClusterInformers informers, Func<IInformer, long> value) =>
        informers.All.Select(i => new Measurement<long>(value(i), new KeyValuePair<string, object?>("resource", i.Resource)));
}
