using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers;

/// <summary>Settings of the PolicyReport writer.</summary>
public sealed class PolicyReportOptions
{
    /// <summary>Write reports when the wgpolicyk8s.io/v1alpha2 CRDs are served; false never asks.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How often discovery is asked again whether the CRDs are served (installing Policy Reporter later is noticed).</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Discovery that failed (not 404) is retried this soon.</summary>
    public TimeSpan DiscoveryRetry { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How often the reports the operator wrote are listed again, catching hand edits and deletes.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Results kept in one report.</summary>
    public int MaxResults { get; set; } = PolicyReportBuilder.DefaultMaxResults;
}
