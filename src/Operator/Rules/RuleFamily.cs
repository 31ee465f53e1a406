namespace EksHardening.Operator.Rules;

/// <summary>What a workload rule sees: the policy, the workload, its namespace and the snapshot.</summary>
public sealed class WorkloadContext(ResponsibilityPolicySpec policy, ClusterSnapshot snapshot, WorkloadView workload, DateTimeOffset now)
{
    public ResponsibilityPolicySpec Policy { get; } = policy;
    public ClusterSnapshot Snapshot { get; } = snapshot;
    /// <summary>The workload judged; the evaluator moves one context from workload to workload (families keep none).</summary>
    public WorkloadView Workload { get; internal set; } = workload;
    public DateTimeOffset Now { get; } = now;
    public V1Namespace? Namespace => Snapshot.FindNamespace(Workload.Namespace);
}

/// <summary>What a namespace rule sees: the namespace name, the object when known, and the snapshot.</summary>
public sealed class NamespaceContext(ResponsibilityPolicySpec policy, ClusterSnapshot snapshot, string name, DateTimeOffset now)
{
    public ResponsibilityPolicySpec Policy { get; } = policy;
    public ClusterSnapshot Snapshot { get; } = snapshot;
    public string Name { get; } = name;
    public DateTimeOffset Now { get; } = now;
    /// <summary>The Namespace object, or null when it is only referenced by workloads.</summary>
    public V1Namespace? Namespace => Snapshot.FindNamespace(Name);
}

/// <summary>What a cluster rule sees: the policy and the snapshot (with its AWS facts).</summary>
public sealed class ClusterContext(ResponsibilityPolicySpec policy, ClusterSnapshot snapshot, DateTimeOffset now)
{
    public ResponsibilityPolicySpec Policy { get; } = policy;
    public ClusterSnapshot Snapshot { get; } = snapshot;
    public DateTimeOffset Now { get; } = now;
}

/// <summary>What an object rule sees: the policy, the snapshot and which namespaces the policy's match selects.</summary>
public sealed class ObjectContext(ResponsibilityPolicySpec policy, ClusterSnapshot snapshot, DateTimeOffset now, Func<string, bool> includesNamespace)
{
    public ResponsibilityPolicySpec Policy { get; } = policy;
    public ClusterSnapshot Snapshot { get; } = snapshot;
    public DateTimeOffset Now { get; } = now;

    /// <summary>
    /// Whether the policy judges an object of this namespace: namespaced objects follow match's namespaces;
    /// cluster-scoped ones (null) are cluster duties, judged whatever match says.
    /// </summary>
    public bool InScope(string? ns) => ns is null || includesNamespace(ns);
}

/// <summary>
/// One family of rules (one file each): its catalog entries, which of them a policy turns on,
/// and the pure evaluation. Families never perform I/O.
/// </summary>
public interface IRuleFamily
{
    /// <summary>Every rule of the family, for the catalog.</summary>
    IReadOnlyList<RuleDefinition> Rules { get; }

    /// <summary>The rules this policy turns on, in catalog order.</summary>
    IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy);

    /// <summary>Reports fails and errors of the enabled workload-scoped rules.</summary>
    void EvaluateWorkload(WorkloadContext context, FindingCollector findings) { }

    /// <summary>Reports fails and errors of the enabled namespace-scoped rules.</summary>
    void EvaluateNamespace(NamespaceContext context, FindingCollector findings) { }

    /// <summary>Reports fails and errors of the enabled cluster-scoped rules.</summary>
    void EvaluateCluster(ClusterContext context, FindingCollector findings) { }

    /// <summary>Reports, per object it judges, the enabled object-scoped rules that apply and their fails and errors.</summary>
    void EvaluateObjects(ObjectContext context, ObjectFindings findings) { }
}
