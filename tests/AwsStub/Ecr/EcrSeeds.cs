namespace EksHardening.AwsStub.Ecr;

/// <summary>An ECR repository to seed. <see cref="RegistryId"/> null means the stub's own account.</summary>
public sealed record EcrRepository
{
    public required string Name { get; init; }

    public string? RegistryId { get; init; }

    /// <summary>The repository-level basic scan-on-push setting (imageScanningConfiguration.scanOnPush).</summary>
    public bool ScanOnPush { get; init; }

    public string ImageTagMutability { get; init; } = "MUTABLE";

    /// <summary>AES256 or KMS.</summary>
    public string EncryptionType { get; init; } = "AES256";

    public string? KmsKey { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Filled in by the stub: <c>arn:aws:ecr:REGION:REGISTRY:repository/NAME</c>.</summary>
    public string? Arn { get; init; }

    /// <summary>Filled in by the stub: <c>REGISTRY.dkr.ecr.REGION.amazonaws.com/NAME</c>.</summary>
    public string? Uri { get; init; }
}

/// <summary>An image in a repository, found by digest or by any of its tags. <see cref="Scan"/> null: never scanned.</summary>
public sealed record EcrImage
{
    public required string Repository { get; init; }

    /// <summary><c>sha256:</c> and 64 hex digits.</summary>
    public required string Digest { get; init; }

    public string? RegistryId { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public DateTimeOffset? PushedAt { get; init; }

    public long SizeInBytes { get; init; } = 31_457_280;

    public string ManifestMediaType { get; init; } = "application/vnd.docker.distribution.manifest.v2+json";

    public EcrImageScan? Scan { get; init; }
}

/// <summary>
/// The scan of one image. Findings of either kind may be given; when only <see cref="SeverityCounts"/> is given,
/// the stub serves made-up findings (<c>CVE-STUB-…</c>) that add up to those counts.
/// </summary>
public sealed record EcrImageScan
{
    /// <summary>
    /// Basic: COMPLETE, IN_PROGRESS, FAILED, UNSUPPORTED_IMAGE. Enhanced: ACTIVE, PENDING, SCAN_ELIGIBILITY_EXPIRED,
    /// FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED. Findings are served for COMPLETE and ACTIVE only.
    /// </summary>
    public string Status { get; init; } = "COMPLETE";

    public string? Description { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public DateTimeOffset? VulnerabilitySourceUpdatedAt { get; init; }

    public IReadOnlyList<EcrFinding> Findings { get; init; } = [];

    public IReadOnlyList<EcrEnhancedFinding> EnhancedFindings { get; init; } = [];

    /// <summary>Counts per severity (CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED, UNTRIAGED); null: counted from the findings.</summary>
    public IReadOnlyDictionary<string, int>? SeverityCounts { get; init; }

    /// <summary>Whether this is an enhanced (Amazon Inspector) scan: enhanced findings given, or an enhanced-only status.</summary>
    public bool IsEnhanced => EnhancedFindings.Count > 0 || Status is "ACTIVE" or "PENDING" or "SCAN_ELIGIBILITY_EXPIRED" or "FINDINGS_UNAVAILABLE" or "LIMIT_EXCEEDED";

    public static EcrImageScan Completed(DateTimeOffset completedAt, params EcrFinding[] findings) =>
        new() { Status = "COMPLETE", CompletedAt = completedAt, Findings = findings };

    public static EcrImageScan Enhanced(DateTimeOffset completedAt, params EcrEnhancedFinding[] findings) =>
        new() { Status = "ACTIVE", CompletedAt = completedAt, EnhancedFindings = findings };

    /// <summary>A completed basic scan known only by its counts, e.g. <c>("CRITICAL", 1), ("HIGH", 3)</c>.</summary>
    public static EcrImageScan WithCounts(DateTimeOffset completedAt, params (string Severity, int Count)[] counts) =>
        new() { Status = "COMPLETE", CompletedAt = completedAt, SeverityCounts = counts.ToDictionary(c => c.Severity, c => c.Count) };

    public static EcrImageScan InProgress() => new() { Status = "IN_PROGRESS", Description = "Scan in progress." };

    public static EcrImageScan Failed(string description = "UnsupportedImageError: The operating system and/or package manager are not supported.") =>
        new() { Status = "FAILED", Description = description };
}

/// <summary>A basic-scanning finding (the ImageScanFinding shape).</summary>
public sealed record EcrFinding(string Name, string Severity)
{
    public string? Description { get; init; }

    public string? Uri { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}

/// <summary>An enhanced-scanning finding (the EnhancedImageScanFinding shape, from Amazon Inspector).</summary>
public sealed record EcrEnhancedFinding(string VulnerabilityId, string Severity)
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string PackageName { get; init; } = "openssl";

    public string PackageVersion { get; init; } = "3.0.2";

    public string? FixedInVersion { get; init; }

    public string PackageManager { get; init; } = "OS";

    public double? Score { get; init; }

    /// <summary>ACTIVE, SUPPRESSED or CLOSED.</summary>
    public string Status { get; init; } = "ACTIVE";

    public string Type { get; init; } = "PACKAGE_VULNERABILITY";

    /// <summary>YES, NO or PARTIAL.</summary>
    public string? FixAvailable { get; init; }

    public string? ExploitAvailable { get; init; }

    public DateTimeOffset? FirstObservedAt { get; init; }

    public DateTimeOffset? LastObservedAt { get; init; }
}

/// <summary>A registry's scanning configuration: BASIC or ENHANCED, with rules that pick repositories by wildcard filters.</summary>
public sealed record RegistryScanningConfiguration
{
    public string ScanType { get; init; } = "BASIC";

    public IReadOnlyList<RegistryScanningRule> Rules { get; init; } = [];
}

/// <summary>A scanning rule: SCAN_ON_PUSH, CONTINUOUS_SCAN or MANUAL for repositories matching any WILDCARD filter.</summary>
public sealed record RegistryScanningRule(string ScanFrequency, IReadOnlyList<string> RepositoryFilters);
