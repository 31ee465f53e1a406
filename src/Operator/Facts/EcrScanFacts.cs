namespace EksHardening.Operator.Facts;

/// <summary>An image in an ECR repository, by digest or tag (<c>imageDigest</c>, <c>imageTag</c>).</summary>
public sealed record EcrImageId(string? Digest = null, string? Tag = null)
{
    public static EcrImageId ByDigest(string digest) => new(digest, null);
    public static EcrImageId ByTag(string tag) => new(null, tag);
}

/// <summary>Whether a finding came from basic scanning or from enhanced scanning (Amazon Inspector).</summary>
public enum EcrFindingSource
{
    Basic,
    Enhanced,
}

/// <summary>
/// One vulnerability in an image. Basic findings carry the CVE as <c>name</c>; enhanced findings carry it as
/// <c>packageVulnerabilityDetails.vulnerabilityId</c> with a status (ACTIVE, SUPPRESSED, CLOSED).
/// </summary>
public sealed record EcrFinding(
    EcrFindingSource Source, string VulnerabilityId, string Severity, string? Title, string? Uri,
    string? PackageName, string? PackageVersion, string? FixedInVersion, string? Status, double? Score, string? FindingArn);

/// <summary>
/// The latest scan of one image: status (COMPLETE, IN_PROGRESS, FAILED, ACTIVE, PENDING, …), when it completed,
/// the counts per severity, and every finding across all pages.
/// </summary>
public sealed record EcrScanFindings(
    string RegistryId, string RepositoryName, EcrImageId ImageId, string Status, string? StatusDescription,
    DateTimeOffset? CompletedAt, DateTimeOffset? VulnerabilitySourceUpdatedAt,
    IReadOnlyDictionary<string, int> SeverityCounts, IReadOnlyList<EcrFinding> Findings);
