using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Admission;

/// <summary>
/// The cluster state admission decides against, read from the operator's caches: never fetched per request.
/// </summary>
public interface IAdmissionContext
{
    /// <summary>The policies in force: those whose spec is valid (an InvalidSpec policy judges nothing).</summary>
    IReadOnlyList<ResponsibilityPolicy> Policies { get; }

    /// <summary>Namespaces (labels for namespace selectors), NetworkPolicies and ServiceAccounts; workloads are not needed.</summary>
    ClusterSnapshot Snapshot { get; }
}

/// <summary>A fixed context, for tests, benchmarks and the offline tools.</summary>
public sealed class StaticAdmissionContext(IReadOnlyList<ResponsibilityPolicy> policies, ClusterSnapshot snapshot) : IAdmissionContext
{
    public IReadOnlyList<ResponsibilityPolicy> Policies { get; } = policies;
    public ClusterSnapshot Snapshot { get; } = snapshot;
}
