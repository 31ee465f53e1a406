namespace EksHardening.Operator.Rules;

/// <summary>Where a rule's findings sit: on a workload, on its namespace, on the cluster, or on another object of the cluster.</summary>
public enum RuleScope
{
    Workload,
    Namespace,
    Cluster,
    /// <summary>On the object that carries the fault, each its own resource: a binding, aws-auth, a StorageClass, a claim, an Ingress, a Service, a Node.</summary>
    Object,
}

/// <summary>One rule of the catalog: stable id, responsibility row, severity and how to fix it.</summary>
/// <param name="Id">Stable, dotted id such as <c>pss.privileged</c>.</param>
/// <param name="Duty">The policy field that turns the rule on, e.g. <c>podSecurity.level</c>.</param>
/// <param name="RequiresAws">The rule reads AWS facts; without them (a scan without --aws) it is off.</param>
public sealed record RuleDefinition(
    string Id,
    string Title,
    ResponsibilityRow Row,
    Severity Severity,
    RuleScope Scope,
    string Duty,
    string Remediation,
    bool RequiresAws = false)
{
    /// <summary>
    /// An object-scoped rule that also judges the workloads using those objects (encryption.volumes: the workload
    /// mounting a claim of an unencrypted class fails too). Its family then evaluates workloads as well.
    /// </summary>
    public bool AlsoOnWorkloads { get; init; }

    public override string ToString() => Id;

    /// <summary>
    /// The id's hash: rules key the collectors' sets and the shared passes, asked for every resource, and the record's
    /// own hash would run over every text (the remediation too). Equal rules have equal ids, so it agrees with Equals.
    /// </summary>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Id);
}
