namespace EksHardening.Operator.Tests.Facts;

public sealed class ImageScanFactsTests
{
    private static readonly ImageScanFacts Scanned = ImageScanFacts.Known(TestEvaluation.Now,
        new Dictionary<Severity, int> { [Severity.Critical] = 2, [Severity.High] = 6 },
        [
            new ImageVulnerability("CVE-2026-0001", Severity.High),
            new ImageVulnerability("cve-2026-0001", Severity.High),
            new ImageVulnerability("CVE-2026-0002", Severity.High),
            new ImageVulnerability("CVE-2026-0003", Severity.High),
            new ImageVulnerability("CVE-2026-0002", Severity.Critical),
        ]);

    [Theory]
    [InlineData(Severity.High, new string[0], 6)]
    [InlineData(Severity.High, new[] { "CVE-2026-0001" }, 5)]
    [InlineData(Severity.High, new[] { "CVE-2026-0001", "CVE-2026-0002" }, 4)]
    [InlineData(Severity.High, new[] { "CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0003", "CVE-2026-0009" }, 3)]
    [InlineData(Severity.Critical, new[] { "CVE-2026-0001", "CVE-2026-0002" }, 1)]
    [InlineData(Severity.Medium, new[] { "CVE-2026-0002" }, 0)]
    public void Counted_findings_subtract_each_ignored_id_once_whatever_its_case(Severity severity, string[] ignored, int expected) =>
        Assert.Equal(expected, Scanned.CountedFindings(severity, new HashSet<string>(ignored, StringComparer.OrdinalIgnoreCase)));
}
