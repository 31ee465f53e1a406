namespace EksHardening.Operator.Kubernetes;

/// <summary>A reconcile error that retrying cannot fix (for example an invalid spec): logged, not retried.</summary>
/// <remarks>The key is reconciled again only when it is next added, typically when the object changes.</remarks>
public sealed class TerminalReconcileException : Exception
{
    /// <summary>Creates the error without a message.</summary>
    public TerminalReconcileException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public TerminalReconcileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and the error that caused it.</summary>
    public TerminalReconcileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
