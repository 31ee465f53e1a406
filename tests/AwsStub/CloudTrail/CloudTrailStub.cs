namespace EksHardening.AwsStub.CloudTrail;

/// <summary>The CloudTrail trails the stub serves, keyed by ARN, each with its home region.</summary>
public sealed class CloudTrailStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, CloudTrailTrail> _trails = new(StringComparer.Ordinal);

    internal CloudTrailStub(StubContext context) => _context = context;

    internal StubContext Context => _context;

    public IReadOnlyList<CloudTrailTrail> Trails
    {
        get
        {
            lock (_gate)
            {
                return [.. _trails.Values];
            }
        }
    }

    /// <summary>Creates or replaces a trail; returns it with home region, account, ARN and creation date filled in.</summary>
    public CloudTrailTrail AddTrail(CloudTrailTrail trail)
    {
        ArgumentNullException.ThrowIfNull(trail);
        if (trail.EventSelectors is not null && trail.AdvancedEventSelectors is not null)
        {
            throw new ArgumentException("A trail uses basic or advanced event selectors, not both.", nameof(trail));
        }

        var region = trail.HomeRegion ?? _context.Region;
        var account = trail.AccountId ?? _context.AccountId;
        var stored = trail with
        {
            HomeRegion = region,
            AccountId = account,
            Arn = $"arn:aws:cloudtrail:{region}:{account}:trail/{trail.Name}",
            CreatedAt = trail.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _trails[stored.Arn] = stored;
        }

        return stored;
    }

    /// <summary>Starts or stops logging of a trail, by ARN.</summary>
    public CloudTrailTrail SetLogging(string arn, bool logging)
    {
        lock (_gate)
        {
            var trail = _trails.GetValueOrDefault(arn) ?? throw new ArgumentException($"No trail {arn}.", nameof(arn));
            return _trails[arn] = trail with { IsLogging = logging };
        }
    }

    public bool RemoveTrail(string arn)
    {
        lock (_gate)
        {
            return _trails.Remove(arn);
        }
    }

    /// <summary>
    /// The trails a caller sees in a region: its own trails homed there and, with shadow trails, its multi-region
    /// trails homed elsewhere and the organization trails of other accounts that reach the region.
    /// </summary>
    internal IReadOnlyList<CloudTrailTrail> VisibleIn(string region, string account, bool includeShadowTrails)
    {
        lock (_gate)
        {
            return [.. _trails.Values
                .Where(t => (t.HomeRegion == region && t.AccountId == account) || (includeShadowTrails && IsShadowIn(t, region, account)))
                .OrderBy(t => t.HomeRegion != region)
                .ThenBy(t => t.Arn, StringComparer.Ordinal)];
        }
    }

    internal CloudTrailTrail? FindByArn(string arn)
    {
        lock (_gate)
        {
            return _trails.GetValueOrDefault(arn);
        }
    }

    /// <summary>Whether a trail is answered in <paramref name="region"/> for <paramref name="account"/>: homed there, or a shadow there.</summary>
    internal static bool IsVisible(CloudTrailTrail trail, string region, string account) =>
        (trail.HomeRegion == region && trail.AccountId == account) || IsShadowIn(trail, region, account);

    private static bool IsShadowIn(CloudTrailTrail trail, string region, string account) =>
        trail.AccountId == account
            ? trail.IsMultiRegionTrail && trail.HomeRegion != region
            : trail.IsOrganizationTrail && (trail.IsMultiRegionTrail || trail.HomeRegion == region);
}
