namespace EksHardening.Operator.Controllers;

/// <summary>Settings of the policy controller that come from the command line.</summary>
public sealed class PolicyControllerOptions
{
    /// <summary>Violations kept in status (the full list is in reports); the CRD allows at most 500.</summary>
    public int MaxViolations { get; set; } = 50;
    /// <summary>Re-evaluation interval for policies that set none.</summary>
    public TimeSpan DefaultEvaluationInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// Least time between two status writes of one policy: a change after a quiet interval is written at once, and
    /// changes arriving within the interval after a write are coalesced into one write at its end, so a busy cluster
    /// costs the API server at most one status patch per policy per interval.
    /// </summary>
    public TimeSpan MinStatusWriteInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Concurrent reconciles while this replica leads.</summary>
    public int Workers { get; set; } = 2;
}
