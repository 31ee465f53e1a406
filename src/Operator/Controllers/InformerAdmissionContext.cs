using EksHardening.Operator.Admission;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Rules;
using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// The admission context from the operator's informer caches. The snapshot (namespaces, NetworkPolicies,
/// ServiceAccounts, and once their duties' informers have listed the ClusterRoles and Roles an admitted binding may
/// grant and the StorageClasses an admitted claim may use) and the list of valid policies are rebuilt only after
/// their informers reported a change, so a request costs a version check, not a copy of the cluster. Construct
/// before the informers run: it registers handlers.
/// </summary>
public sealed class InformerAdmissionContext : IAdmissionContext
{
    private readonly ClusterInformers _informers;
    private readonly ConcurrentDictionary<string, (string Version, bool Valid)> _validity = new(StringComparer.Ordinal);
    private long _clusterVersion;
    private long _policyVersion;
    private Cached<(long, DutyInformers), ClusterSnapshot>? _snapshot;
    private Cached<long, IReadOnlyList<ResponsibilityPolicy>>? _policies;

    public InformerAdmissionContext(ClusterInformers informers)
    {
        _informers = informers;
        informers.Namespaces.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.NetworkPolicies.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.ServiceAccounts.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.ClusterRoles.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.Roles.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.StorageClasses.AddHandler(_ => Interlocked.Increment(ref _clusterVersion));
        informers.Policies.AddHandler(_ => Interlocked.Increment(ref _policyVersion));
    }

    public ClusterSnapshot Snapshot
    {
        get
        {
            // Read the version first: a change while building bumps it, and the next request rebuilds.
            // A duty's informers listing is no event of their own: whether they have is part of the version.
            var synced = (_informers.DutySynced(DutyInformers.Rbac) ? DutyInformers.Rbac : DutyInformers.None)
                         | (_informers.DutySynced(DutyInformers.Volumes) ? DutyInformers.Volumes : DutyInformers.None);
            var version = (Interlocked.Read(ref _clusterVersion), synced);
            if (Volatile.Read(ref _snapshot) is { } cached && cached.Version == version) return cached.Value;
            var snapshot = new ClusterSnapshot([], _informers.Namespaces.Items, _informers.NetworkPolicies.Items, _informers.ServiceAccounts.Items)
            {
                // Until listed, no role or class is known: the rules that need one warn that they cannot decide.
                Rbac = synced.HasFlag(DutyInformers.Rbac)
                    ? new ClusterRbac(_informers.ClusterRoles.Items, [], _informers.Roles.Items, [], awsAuth: null, awsAuthCollected: false)
                    : null,
                Infrastructure = synced.HasFlag(DutyInformers.Volumes) ? new InfrastructureObjects(_informers.StorageClasses.Items) : InfrastructureObjects.Empty,
            };
            Volatile.Write(ref _snapshot, new Cached<(long, DutyInformers), ClusterSnapshot>(version, snapshot));
            return snapshot;
        }
    }

    public IReadOnlyList<ResponsibilityPolicy> Policies
    {
        get
        {
            var version = Interlocked.Read(ref _policyVersion);
            if (Volatile.Read(ref _policies) is { } cached && cached.Version == version) return cached.Value;
            var valid = _informers.Policies.Items.Where(IsValid).OrderBy(p => p.Metadata?.Name, StringComparer.Ordinal).ToList();
            Volatile.Write(ref _policies, new Cached<long, IReadOnlyList<ResponsibilityPolicy>>(version, valid));
            return valid;
        }
    }

    /// <summary>An InvalidSpec policy (the reconciler reports it) judges nothing; validity is remembered per generation.</summary>
    private bool IsValid(ResponsibilityPolicy policy)
    {
        var name = policy.Metadata?.Name ?? "";
        var version = policy.Metadata?.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? policy.Metadata?.ResourceVersion ?? "";
        if (_validity.TryGetValue(name, out var known) && known.Version == version) return known.Valid;
        var valid = PolicyValidator.ValidateSemantics(policy).Count == 0;
        _validity[name] = (version, valid);
        return valid;
    }

    private sealed record Cached<TVersion, T>(TVersion Version, T Value);
}
