using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Evaluation;

/// <summary>
/// What an evaluation was made from: the policy (uid, generation, and whether it is being deleted) and the cluster
/// revision. Two evaluations with equal stamps would say the same but for the clock; a status write changes neither.
/// </summary>
public readonly record struct EvaluationStamp(string? Uid, long? Generation, bool Deleting, long ClusterRevision)
{
    public static EvaluationStamp Of(ResponsibilityPolicy policy, long clusterRevision) =>
        new(policy.Metadata?.Uid, policy.Metadata?.Generation, policy.Metadata?.DeletionTimestamp is not null, clusterRevision);
}

/// <summary>
/// One evaluation of one policy, shared by the controllers: the policy and cluster snapshot it read, and either the
/// rule engine's evaluation or the problems that make the spec invalid (then there is no evaluation and no snapshot).
/// </summary>
/// <param name="ValidUntil">A <see cref="TimeProvider"/> timestamp: the evaluation is made again from then on, even with an equal stamp (interval, exemption expiry, AWS errors).</param>
public sealed record PolicyAssessment(
    EvaluationStamp Stamp,
    ResponsibilityPolicy Policy,
    ClusterSnapshot? Snapshot,
    PolicyEvaluation? Evaluation,
    IReadOnlyList<Policies.SpecProblem> Problems,
    DateTimeOffset EvaluatedAt,
    TimeSpan NextEvaluation,
    long ValidUntil)
{
    public bool IsValid => Problems.Count == 0;
}
