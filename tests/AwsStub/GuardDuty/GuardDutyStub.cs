namespace EksHardening.AwsStub.GuardDuty;

/// <summary>The GuardDuty detectors the stub serves, each in its own region.</summary>
public sealed class GuardDutyStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, GuardDutyDetector> _detectors = new(StringComparer.Ordinal);

    internal GuardDutyStub(StubContext context) => _context = context;

    public IReadOnlyList<GuardDutyDetector> Detectors
    {
        get
        {
            lock (_gate)
            {
                return [.. _detectors.Values];
            }
        }
    }

    /// <summary>
    /// Creates or replaces a detector; returns it with id, region and creation date filled in. AWS allows one detector
    /// per account and region; the stub takes more so that ListDetectors' pagination can be exercised.
    /// </summary>
    public GuardDutyDetector AddDetector(GuardDutyDetector detector)
    {
        ArgumentNullException.ThrowIfNull(detector);
        var stored = detector with
        {
            DetectorId = detector.DetectorId ?? _context.NewGuid().ToString("N"),
            Region = detector.Region ?? _context.Region,
            CreatedAt = detector.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _detectors[stored.DetectorId] = stored;
        }

        return stored;
    }

    public bool RemoveDetector(string detectorId)
    {
        lock (_gate)
        {
            return _detectors.Remove(detectorId);
        }
    }

    /// <summary>The detectors of a region in a stable order (by creation, then id).</summary>
    internal IReadOnlyList<GuardDutyDetector> DetectorsIn(string region)
    {
        lock (_gate)
        {
            return [.. _detectors.Values.Where(d => d.Region == region).OrderBy(d => d.CreatedAt).ThenBy(d => d.DetectorId, StringComparer.Ordinal)];
        }
    }

    internal GuardDutyDetector? Find(string region, string detectorId)
    {
        lock (_gate)
        {
            return _detectors.TryGetValue(detectorId, out var detector) && detector.Region == region ? detector : null;
        }
    }

    internal StubContext Context => _context;
}
