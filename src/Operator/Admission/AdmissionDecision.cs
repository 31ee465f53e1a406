namespace EksHardening.Operator.Admission;

/// <summary>
/// The webhook's verdict on one request: allowed or denied (HTTP-style code and reason in the response's
/// Status), the message shown by <c>kubectl</c>, and warnings returned to the client either way.
/// </summary>
public sealed record AdmissionDecision
{
    private AdmissionDecision(bool allowed, int code, string reason, string message, IReadOnlyList<string> warnings)
    {
        Allowed = allowed;
        Code = code;
        Reason = reason;
        Message = message;
        Warnings = warnings;
    }

    public bool Allowed { get; }
    /// <summary>200 when allowed; 403 for a policy denial; 500 or 504 when the webhook failed closed.</summary>
    public int Code { get; }
    /// <summary>A metav1.StatusReason: <c>Forbidden</c>, <c>InternalError</c>, <c>Timeout</c>; empty when allowed.</summary>
    public string Reason { get; }
    public string Message { get; }
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Names of the Enforce policies that denied (empty when allowed).</summary>
    public IReadOnlyList<string> DeniedBy { get; init; } = [];

    /// <summary>Rule ids that failed, across all policies that judged the object (for logs and counters).</summary>
    public IReadOnlyList<string> FailedRules { get; init; } = [];

    /// <summary>Why nothing was evaluated (operation, kind or subresource not checked), or null when policies were evaluated.</summary>
    public string? SkipReason { get; init; }

    public static AdmissionDecision Allow(IReadOnlyList<string>? warnings = null) => new(true, 200, "", "", warnings ?? []);

    public static AdmissionDecision Skip(string reason) => new(true, 200, "", "", []) { SkipReason = reason };

    /// <summary>A policy denial: code 403, reason Forbidden.</summary>
    public static AdmissionDecision Deny(string message, IReadOnlyList<string> warnings) => new(false, 403, "Forbidden", message, warnings);

    /// <summary>The webhook could not decide and fails closed (failurePolicy Fail).</summary>
    public static AdmissionDecision Fail(int code, string reason, string message) => new(false, code, reason, message, []);
}
