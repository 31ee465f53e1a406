namespace EksHardening.AwsStub.GuardDuty;

/// <summary>A GuardDuty detector to seed in one region, with its protection plans. Id and dates are filled in.</summary>
public sealed record GuardDutyDetector
{
    /// <summary>Filled in when null: 32 lower-case hex digits, as GuardDuty's ids look.</summary>
    public string? DetectorId { get; init; }

    /// <summary>The detector's region; null: the stub's region.</summary>
    public string? Region { get; init; }

    /// <summary>ENABLED or DISABLED.</summary>
    public string Status { get; init; } = "ENABLED";

    public IReadOnlyList<GuardDutyFeature> Features { get; init; } = [];

    /// <summary>FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS.</summary>
    public string FindingPublishingFrequency { get; init; } = "SIX_HOURS";

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>
/// One protection plan of a detector (<c>EKS_AUDIT_LOGS</c>, <c>RUNTIME_MONITORING</c>, <c>EKS_RUNTIME_MONITORING</c>, …)
/// and its sub-settings by name (<c>EKS_ADDON_MANAGEMENT</c>, …) with their status.
/// </summary>
public sealed record GuardDutyFeature(string Name, string Status = "ENABLED", IReadOnlyDictionary<string, string>? AdditionalConfiguration = null);
