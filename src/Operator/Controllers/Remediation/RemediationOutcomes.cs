namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>
/// What the remediation controller's last pass did for each policy: the outcome of every step it sent to the API
/// (applied, or skipped with the API's reason). The status controller reads it to list remediations; the remediation
/// controller is the only writer.
/// </summary>
public sealed class RemediationOutcomes
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<StepKey, RemediationRecord>> _byPolicy = new(StringComparer.Ordinal);
    private volatile Action<string>[] _subscribers = [];

    /// <summary>Calls <paramref name="handler"/> with a policy's name when its outcomes changed (status enqueues it).</summary>
    public void OnChanged(Action<string> handler)
    {
        lock (_byPolicy) _subscribers = [.. _subscribers, handler];
    }

    /// <summary>The outcomes of the policy's last remediation pass, or null before the first.</summary>
    public IReadOnlyDictionary<StepKey, RemediationRecord>? Of(string policy) => _byPolicy.GetValueOrDefault(policy);

    /// <summary>Replaces the policy's outcomes; when they differ from the last pass's, the subscribers hear of it.</summary>
    public void Publish(string policy, IReadOnlyDictionary<StepKey, RemediationRecord> outcomes)
    {
        var previous = _byPolicy.GetValueOrDefault(policy);
        _byPolicy[policy] = outcomes;
        var changed = previous is null
            ? outcomes.Count > 0
            : previous.Count != outcomes.Count || outcomes.Any(o => !previous.TryGetValue(o.Key, out var before) || before != o.Value);
        if (!changed) return;
        foreach (var subscriber in _subscribers) subscriber(policy);
    }

    public void Forget(string policy) => _byPolicy.TryRemove(policy, out _);
}
