using EksHardening.Entities;
using k8s.Models;

namespace EksHardening.Operator.Rules;

/// <summary>What a workload rule sees: the policy, the workload, its namespace and the snapshot.</summary>
public sealed class WorkloadContext(ResponsibilityPolicySpec policy, ClusterSnapshot snapshot, WorkloadView workload, DateTimeOffset now)
{
    public ResponsibilityPolicySpec Policy { get; } = policy;
    public ClusterSnapshot Snapshot { get; } = snapshot;
    public WorkloadView Workload { get; } = workload;
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

/// <summary>An object other than a workload or namespace that object-scoped rules judge, as its own resource.</summary>
/// <param name="Rules">The family's rules that concern this object (the others are not applicable to it).</param>
/// <param name="FollowsMatch">
/// Whether the policy's <c>match</c> decides if it is judged (namespaced objects such as RoleBindings); false for
/// cluster duties judged whatever <c>match.excludeNamespaces</c> says (ClusterRoleBindings, kube-system/aws-auth).
/// </param>
public sealed record JudgedObject(ResourceRef Resource, object Object, SourceLocation? Source, IReadOnlyList<RuleDefinition> Rules, bool FollowsMatch)
{
    public IDictionary<string, string>? Labels { get; init; }
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

    /// <summary>The objects the enabled object-scoped rules judge, in a stable order.</summary>
    IEnumerable<JudgedObject> ObjectsToJudge(ClusterContext context) => [];

    /// <summary>Reports fails and errors of the enabled object-scoped rules on one of <see cref="ObjectsToJudge"/>.</summary>
    void EvaluateObject(ClusterContext context, JudgedObject target, FindingCollector findings) { }
}
