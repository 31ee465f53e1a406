namespace EksHardening.Operator.Aws;

/// <summary>A repository, with its push-time scan setting and encryption.</summary>
public sealed record EcrRepository(
    string RegistryId, string Name, string Arn, string Uri, bool ScanOnPush, string? ImageTagMutability,
    string? EncryptionType, string? KmsKey, DateTimeOffset? CreatedAt);

/// <summary>An image's details: digest, tags, push time, and the summary of its latest scan.</summary>
public sealed record EcrImageDetail(
    string RegistryId, string RepositoryName, string Digest, IReadOnlyList<string> Tags, DateTimeOffset? PushedAt,
    string? ScanStatus, DateTimeOffset? ScanCompletedAt, IReadOnlyDictionary<string, int> SeverityCounts);

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
