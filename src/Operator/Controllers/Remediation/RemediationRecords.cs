using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>Names one remediation step across evaluations: what it does to which object.</summary>
public readonly record struct StepKey(RemediationAction Action, string Kind, string? Namespace, string Name)
{
    public static StepKey Of(RemediationStep step) => new(step.Action, step.Kind, step.Namespace, step.Name);
}

/// <summary>What status lists under <c>remediations</c> (pure): the plan's steps, with the outcome of those that went to the API, and what stands.</summary>
public static class RemediationRecords
{
    /// <summary>Status lists at most this many remediations.</summary>
    public const int MaxListed = 100;

    /// <summary>The step as a record, before anything was done.</summary>
    public static RemediationRecord Of(RemediationStep step) =>
        new() { Action = step.Action, Kind = step.Kind, Namespace = step.Namespace, Name = step.Name, Message = step.Reason };

    /// <summary>The record of a step that makes no API call — skipped as unsafe, or only planned under dryRun — or null: the step must be applied.</summary>
    public static RemediationRecord? WithoutApplying(RemediationStep step, bool dryRun) =>
        step.SkipReason is not null ? Of(step) with { State = RemediationState.Skipped, Message = step.SkipReason }
        : dryRun ? Of(step) with { State = RemediationState.Planned }
        : null;

    /// <summary>
    /// Status's list for the plan <paramref name="steps"/> made from <paramref name="snapshot"/>, taking the outcome of each
    /// step to apply from <paramref name="applied"/> (what the remediation controller last did). Null while a step to
    /// apply has no outcome yet: status waits for the remediation controller rather than write a list that changes again.
    /// </summary>
    public static List<RemediationRecord>? ForStatus(ResponsibilityPolicy policy, ClusterSnapshot snapshot, IReadOnlyList<RemediationStep> steps,
        IReadOnlyDictionary<StepKey, RemediationRecord>? applied)
    {
        var dryRun = policy.Spec?.DryRun == true;
        var records = new List<RemediationRecord>(steps.Count);
        foreach (var step in steps)
        {
            if (WithoutApplying(step, dryRun) is { } record) records.Add(record);
            else if (applied is not null && applied.TryGetValue(StepKey.Of(step), out var outcome)) records.Add(outcome);
            else return null;
        }

        return Listed(policy, snapshot, records);
    }

    /// <summary>
    /// The records of this pass and what stands (objects the policy owns, namespaces it labelled), in a stable order so
    /// that a quiet cluster writes nothing. Applied records read the same as the standing ones the next pass lists, so
    /// the status does not flip; an applied delete leaves nothing standing.
    /// </summary>
    public static List<RemediationRecord> Listed(ResponsibilityPolicy policy, ClusterSnapshot snapshot, IReadOnlyList<RemediationRecord> records)
    {
        var standing = RemediationPlanner.Standing(policy, snapshot)
            .Where(s => !records.Any(r => r.Kind == s.Kind && r.Namespace == s.Namespace && r.Name == s.Name));
        return records.Where(r => !(r.Action == RemediationAction.Delete && r.State == RemediationState.Applied))
            .Select(r => r.State == RemediationState.Applied ? r with { Message = null } : r)
            .Concat(standing)
            .OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(MaxListed)
            .ToList();
    }
}
