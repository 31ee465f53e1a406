namespace EksHardening.Operator.Kubernetes;

/// <summary>Each shared informer's cache size and sync state, read when scraped (what they request is counted by <see cref="InformerCounters"/>).</summary>
public sealed class InformerMetrics
{
    public InformerMetrics(IMeterFactory meters, ClusterInformers informers)
    {
        var meter = meters.Create(ControllerMetrics.MeterName);
        meter.CreateObservableGauge("eks_hardening_informer_objects", () => PerInformer(informers, i => i.Count), description: "Objects in each informer's cache.");
        meter.CreateObservableGauge("eks_hardening_informer_synced", () => PerInformer(informers, i => i.HasSynced ? 1 : 0),
            description: "1 once the informer has listed.");
    }

    private static IEnumerable<Measurement<long>> PerInformer(ClusterInformers informers, Func<IInformer, long> value) =>
        informers.Running.Select(i => new Measurement<long>(value(i), new KeyValuePair<string, object?>("resource", i.Resource)));
}
