namespace EksHardening.Operator.Aws;

/// <summary>An image in an ECR repository, by digest or tag (<c>imageDigest</c>, <c>imageTag</c>).</summary>
public sealed record EcrImageId(string? Digest = null, string? Tag = null)
{
    public static EcrImageId ByDigest(string digest) => new(digest, null);
    public static EcrImageId ByTag(string tag) => new(null, tag);
}

/// <summary>A repository, with its push-time scan setting and encryption.</summary>
public sealed record EcrRepository(
    string RegistryId, string Name, string Arn, string Uri, bool ScanOnPush, string? ImageTagMutability,
    string? EncryptionType, string? KmsKey, DateTimeOffset? CreatedAt);

/// <summary>An image's details: digest, tags, push time, and the summary of its latest scan.</summary>
public sealed record EcrImageDetail(
    string RegistryId, string RepositoryName, string Digest, IReadOnlyList<string> Tags, DateTimeOffset? PushedAt,
    string? ScanStatus, DateTimeOffset? ScanCompletedAt, IReadOnlyDictionary<string, int> SeverityCounts);

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

/// <summary>A repository filter of a scanning rule (<c>filter</c>, <c>filterType</c> WILDCARD).</summary>
public sealed record EcrScanningFilter(string Filter, string FilterType);

/// <summary>A registry scanning rule: a frequency (SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL) for the repositories its filters match.</summary>
public sealed record EcrScanningRule(string ScanFrequency, IReadOnlyList<EcrScanningFilter> RepositoryFilters);

/// <summary>The registry's scanning configuration: BASIC or ENHANCED, and its rules.</summary>
public sealed record EcrRegistryScanningConfiguration(string RegistryId, string ScanType, IReadOnlyList<EcrScanningRule> Rules);

/// <summary>How one repository is scanned, as the registry's rules apply to it.</summary>
public sealed record EcrRepositoryScanningConfiguration(
    string RepositoryName, string? RepositoryArn, bool ScanOnPush, string? ScanFrequency, IReadOnlyList<EcrScanningFilter> AppliedScanFilters);

/// <summary>A repository whose scanning configuration could not be read (<c>REPOSITORY_NOT_FOUND</c>).</summary>
public sealed record EcrScanningConfigurationFailure(string RepositoryName, string FailureCode, string? FailureReason);

/// <summary>The answer of BatchGetRepositoryScanningConfiguration across all batches.</summary>
public sealed record EcrRepositoryScanningConfigurations(
    IReadOnlyList<EcrRepositoryScanningConfiguration> Configurations, IReadOnlyList<EcrScanningConfigurationFailure> Failures);
