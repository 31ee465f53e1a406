namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Brings the object named by a key to its wanted state, reading the current state afresh
/// (level-triggered): the key says which object, never what changed.
/// </summary>
public interface IReconciler<in TKey> where TKey : notnull
{
    /// <summary>Reconciles one key; an exception means "retry with backoff" unless it is a <see cref="TerminalReconcileException"/>.</summary>
    Task<ReconcileResult> ReconcileAsync(TKey key, CancellationToken cancellationToken);
}
