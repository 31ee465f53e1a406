using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// Admission's view of ECR scans: only what the fact collector has already cached (by digest, or by a tag it
/// resolved). It never calls AWS, so admission answers within its timeout whatever AWS is doing.
/// </summary>
public sealed class EcrImageFacts(AwsFactCollector collector) : IImageFacts
{
    public ImageScanFacts Lookup(ImageLocation image)
    {
        if (!EcrRegistry.TryParse(image.Registry, out var registry)) return ImageScanFacts.Unknown;
        var scan = collector.CachedScan(registry, image.Repository, image.Digest, image.Tag);
        if (scan is not { Status: "COMPLETE" or "ACTIVE", CompletedAt: { } completed }) return ImageScanFacts.Unknown;
        var findings = scan.Findings
            .Where(f => f.Source == EcrFindingSource.Basic || f.Status is null or "ACTIVE")
            .Select(f => (f.VulnerabilityId, Severity: SeverityOf(f.Severity)))
            .Where(f => f.Severity is not null)
            .Select(f => new ImageVulnerability(f.VulnerabilityId, f.Severity!.Value))
            .ToList();
        var counts = scan.Findings.Count > 0
            ? findings.GroupBy(f => f.Severity).ToDictionary(g => g.Key, g => g.Count())
            : scan.SeverityCounts.Select(c => (Severity: SeverityOf(c.Key), c.Value)).Where(c => c.Severity is not null)
                .ToDictionary(c => c.Severity!.Value, c => c.Value);
        return ImageScanFacts.Known(completed, counts, findings);
    }

    private static Severity? SeverityOf(string severity) => severity.ToUpperInvariant() switch
    {
        "CRITICAL" => Severity.Critical,
        "HIGH" => Severity.High,
        "MEDIUM" => Severity.Medium,
        "LOW" => Severity.Low,
        _ => null,
    };
}
