using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>Settings of the PolicyReports controller.</summary>
public sealed class PolicyReportOptions
{
    /// <summary>Write reports when the wgpolicyk8s.io/v1alpha2 CRDs are served; false never asks.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How often discovery is asked again whether the CRDs are served (installing Policy Reporter later is noticed).</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Discovery that failed (not 404) is retried this soon.</summary>
    public TimeSpan DiscoveryRetry { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// How long a report name held by someone else's object (a create answered 409 that the informer never shows as
    /// ours), or content the API refused, is left alone before it is tried again.
    /// </summary>
    public TimeSpan BlockedRetryInterval { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Results kept in one report.</summary>
    public int MaxResults { get; set; } = PolicyReportBuilder.DefaultMaxResults;
}
