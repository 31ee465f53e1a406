namespace EksHardening.Operator.Facts;

/// <summary>One protection plan of a GuardDuty detector (GetDetector's <c>features</c>) and its sub-settings.</summary>
/// <param name="Name">E.g. <c>EKS_AUDIT_LOGS</c>, <c>RUNTIME_MONITORING</c>, <c>EKS_RUNTIME_MONITORING</c>.</param>
/// <param name="Status"><c>ENABLED</c> or <c>DISABLED</c>.</param>
/// <param name="AdditionalConfiguration">Sub-settings by name (e.g. <c>EKS_ADDON_MANAGEMENT</c>) and their status.</param>
public sealed record GuardDutyFeature(string Name, string? Status, IReadOnlyDictionary<string, string?> AdditionalConfiguration);

/// <summary>A GuardDuty detector in one region (GetDetector): whether it is on and which features it runs.</summary>
/// <param name="Status"><c>ENABLED</c> or <c>DISABLED</c>.</param>
public sealed record GuardDutyDetector(string DetectorId, string? Status, IReadOnlyList<GuardDutyFeature> Features);

/// <summary>A CloudTrail trail as DescribeTrails lists it (shadow trails of multi-region trails included).</summary>
public sealed record CloudTrailTrail(string Name, string Arn, string? HomeRegion, bool IsMultiRegionTrail, bool IsOrganizationTrail);

/// <summary>One basic event selector of a trail (GetEventSelectors).</summary>
/// <param name="ReadWriteType"><c>All</c>, <c>ReadOnly</c> or <c>WriteOnly</c>.</param>
public sealed record CloudTrailEventSelector(string? ReadWriteType, bool IncludeManagementEvents, IReadOnlyList<string> ExcludeManagementEventSources);

/// <summary>One field selector of an advanced event selector: the field and its conditions.</summary>
public sealed record CloudTrailFieldSelector(
    string Field, IReadOnlyList<string> EqualsValues, IReadOnlyList<string> NotEqualsValues,
    IReadOnlyList<string> StartsWith, IReadOnlyList<string> NotStartsWith, IReadOnlyList<string> EndsWith, IReadOnlyList<string> NotEndsWith);

/// <summary>A trail's event selectors (GetEventSelectors): basic or advanced, as the trail uses one kind or the other.</summary>
public sealed record CloudTrailEventSelectors(
    IReadOnlyList<CloudTrailEventSelector> EventSelectors, IReadOnlyList<IReadOnlyList<CloudTrailFieldSelector>> AdvancedEventSelectors);
