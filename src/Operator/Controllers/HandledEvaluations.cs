using EksHardening.Operator.Controllers.Evaluation;

namespace EksHardening.Operator.Controllers;

/// <summary>
/// The evaluation each policy was last handled for, so that a controller acts once per evaluation. By identity, not
/// stamp: a re-evaluation that is due (interval, AWS errors) has the same stamp and is handled again.
/// </summary>
public sealed class HandledEvaluations
{
    private readonly ConcurrentDictionary<string, PolicyAssessment> _handled = new(StringComparer.Ordinal);

    public bool Contains(string policy, PolicyAssessment assessment) => _handled.TryGetValue(policy, out var known) && ReferenceEquals(known, assessment);

    public void Add(string policy, PolicyAssessment assessment) => _handled[policy] = assessment;

    public void Forget(string policy) => _handled.TryRemove(policy, out _);

    public void Clear() => _handled.Clear();
}
