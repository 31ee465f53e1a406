namespace EksHardening.Operator.Facts;

/// <summary>
/// What is known about an image's vulnerability scan, answered from memory. The admission path calls it for
/// every container image, so implementations (the AWS layer's ECR cache) must never block on the network:
/// an image not in the cache yet is <see cref="ImageScanFacts.Unknown"/>, and fetching it is the cache's own
/// background business.
/// </summary>
public interface IImageFacts
{
    /// <summary>The facts for <paramref name="image"/> (by digest when it carries one, else by tag).</summary>
    ImageScanFacts Lookup(ImageLocation image);
}

/// <summary>
/// Where an image lives, as a container names it: the reference as written, its registry host and repository, the
/// digest when the reference carries a valid one, and the tag that applies (<c>latest</c> when none is written).
/// </summary>
public sealed record ImageLocation(string Image, string Registry, string Repository, string? Digest, string Tag);

/// <summary>One finding of a scan, for <c>ignoreFindings</c> (e.g. <c>CVE-2023-0001</c>).</summary>
public sealed record ImageVulnerability(string Id, Severity Severity);

/// <summary>The scan facts of one image: unknown, or known with the findings per severity and when the scan completed.</summary>
public sealed class ImageScanFacts
{
    private static readonly IReadOnlyDictionary<Severity, int> NoCounts = new Dictionary<Severity, int>();

    private ImageScanFacts(bool isKnown, DateTimeOffset? scannedAt, IReadOnlyDictionary<Severity, int> counts, IReadOnlyList<ImageVulnerability> findings)
    {
        IsKnown = isKnown;
        ScannedAt = scannedAt;
        Counts = counts;
        Findings = findings;
    }

    /// <summary>No completed scan is known for the image (not scanned, not cached yet, not an ECR image).</summary>
    public static ImageScanFacts Unknown { get; } = new(false, null, NoCounts, []);

    /// <param name="counts">Findings per severity, as the scan summary counts them.</param>
    /// <param name="findings">The individual findings when known; ids listed in a policy's ignoreFindings are subtracted from <paramref name="counts"/>.</param>
    public static ImageScanFacts Known(DateTimeOffset scannedAt, IReadOnlyDictionary<Severity, int> counts, IReadOnlyList<ImageVulnerability>? findings = null) =>
        new(true, scannedAt, counts, findings ?? []);

    public bool IsKnown { get; }
    public DateTimeOffset? ScannedAt { get; }
    public IReadOnlyDictionary<Severity, int> Counts { get; }
    public IReadOnlyList<ImageVulnerability> Findings { get; }

    /// <summary>Findings of one severity that count against a threshold: all of them but the ignored ids.</summary>
    public int CountedFindings(Severity severity, IReadOnlySet<string> ignored)
    {
        var count = Counts.TryGetValue(severity, out var n) ? n : 0;
        if (ignored.Count == 0 || count == 0) return count;
        // Distinct ignored ids, counted without LINQ: admission asks this per container image and severity, and the set of
        // ids seen is made only when a second distinct one turns up (one, or none, is the usual case).
        string? firstIgnored = null;
        HashSet<string>? ignoredIds = null;
        for (var i = 0; i < Findings.Count; i++)
        {
            var finding = Findings[i];
            if (finding.Severity != severity || !ignored.Contains(finding.Id)) continue;
            if (firstIgnored is null) firstIgnored = finding.Id;
            else if (!string.Equals(firstIgnored, finding.Id, StringComparison.OrdinalIgnoreCase)) (ignoredIds ??= new(StringComparer.OrdinalIgnoreCase) { firstIgnored }).Add(finding.Id);
        }

        var ignoredHere = ignoredIds?.Count ?? (firstIgnored is null ? 0 : 1);
        return Math.Max(0, count - ignoredHere);
    }
}

/// <summary>Image facts when no scanner is wired in: every image is <see cref="ImageScanFacts.Unknown"/>.</summary>
public sealed class NoImageFacts : IImageFacts
{
    public static NoImageFacts Instance { get; } = new();

    public ImageScanFacts Lookup(ImageLocation image) => ImageScanFacts.Unknown;
}
