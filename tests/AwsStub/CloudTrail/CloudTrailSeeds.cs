namespace EksHardening.AwsStub.CloudTrail;

/// <summary>
/// A CloudTrail trail to seed: its home region, whether it covers every region or the organization, whether it is
/// logging, and its event selectors (basic or advanced, not both; neither: CloudTrail's default of all management events).
/// </summary>
public sealed record CloudTrailTrail
{
    public required string Name { get; init; }

    /// <summary>The region the trail was created in; null: the stub's region.</summary>
    public string? HomeRegion { get; init; }

    /// <summary>The owning account; null: the stub's account. An organization trail of another account is shown to every caller.</summary>
    public string? AccountId { get; init; }

    public bool IsMultiRegionTrail { get; init; }

    public bool IsOrganizationTrail { get; init; }

    public bool IsLogging { get; init; } = true;

    /// <summary>Basic event selectors; null with no advanced ones: the default (<c>All</c>, management events included).</summary>
    public IReadOnlyList<CloudTrailEventSelector>? EventSelectors { get; init; }

    public IReadOnlyList<CloudTrailAdvancedEventSelector>? AdvancedEventSelectors { get; init; }

    public string S3BucketName { get; init; } = "aws-cloudtrail-logs-stub";

    /// <summary>Filled in: <c>arn:aws:cloudtrail:HOME_REGION:ACCOUNT:trail/NAME</c>.</summary>
    public string? Arn { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>A basic event selector.</summary>
/// <param name="ReadWriteType">All, ReadOnly or WriteOnly.</param>
public sealed record CloudTrailEventSelector(string ReadWriteType = "All", bool IncludeManagementEvents = true, IReadOnlyList<string>? ExcludeManagementEventSources = null);

/// <summary>An advanced event selector: a name and field selectors that all must match.</summary>
public sealed record CloudTrailAdvancedEventSelector(string? Name, IReadOnlyList<CloudTrailFieldSelector> FieldSelectors);

/// <summary>One field selector (<c>eventCategory</c>, <c>readOnly</c>, <c>eventSource</c>, …) and its conditions; unset conditions are left out.</summary>
public sealed record CloudTrailFieldSelector(string Field)
{
    public IReadOnlyList<string>? EqualsValues { get; init; }

    public IReadOnlyList<string>? NotEqualsValues { get; init; }

    public IReadOnlyList<string>? StartsWith { get; init; }

    public IReadOnlyList<string>? NotStartsWith { get; init; }

    public IReadOnlyList<string>? EndsWith { get; init; }

    public IReadOnlyList<string>? NotEndsWith { get; init; }
}
