namespace EksHardening.Operator.Kubernetes;

/// <summary>What a reconcile asks of its controller: nothing more, a retry with backoff, or a visit after a set time.</summary>
/// <remarks>
/// <see cref="RequeueAfter"/> wins over <see cref="Requeue"/>. An error is not a result: throw,
/// and the key is retried with backoff (or not at all for a <see cref="TerminalReconcileException"/>).
/// </remarks>
public sealed record ReconcileResult
{
    /// <summary>Reconcile again after the key's backoff delay, counting as a failure for the backoff.</summary>
    public bool Requeue { get; init; }

    /// <summary>Reconcile again after this time (when positive); resets the key's backoff.</summary>
    public TimeSpan RequeueAfter { get; init; }

    /// <summary>The object is as it should be; wait for the next change.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Not finished, no error: try again after the key's backoff delay.</summary>
    public static ReconcileResult Retry { get; } = new() { Requeue = true };

    /// <summary>Look again after the delay, for example to refresh data that ages.</summary>
    public static ReconcileResult After(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        return new ReconcileResult { RequeueAfter = delay };
    }
}
