namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// What informers ask of the API server, counted as it happens, by resource: list requests (one per page), watches
/// opened after the first, and relists after 410 Gone. Every informer's series are served from its start, at zero.
/// </summary>
public sealed class InformerCounters
{
    private readonly Counter<long> _lists;
    private readonly Counter<long> _watchRestarts;
    private readonly Counter<long> _relists;

    public InformerCounters(IMeterFactory meters)
    {
        var meter = meters.Create(ControllerMetrics.MeterName);
        _lists = meter.CreateCounter<long>("eks_hardening_informer_lists_total", description: "List requests made.");
        _watchRestarts = meter.CreateCounter<long>("eks_hardening_watch_restarts_total", description: "Watches opened after the first.");
        _relists = meter.CreateCounter<long>("eks_hardening_informer_relists_total", description: "Relists after 410 Gone.");
    }

    internal void Started(string resource)
    {
        _lists.Add(0, Resource(resource));
        _watchRestarts.Add(0, Resource(resource));
        _relists.Add(0, Resource(resource));
    }

    internal void Listed(string resource) => _lists.Add(1, Resource(resource));

    internal void WatchRestarted(string resource) => _watchRestarts.Add(1, Resource(resource));

    internal void Relisted(string resource) => _relists.Add(1, Resource(resource));

    private static KeyValuePair<string, object?> Resource(string name) => new("resource", name);
}
