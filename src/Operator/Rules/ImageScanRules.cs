using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Patch management from ECR (<c>image.scan-on-push</c>, <c>image.scanned</c>, <c>image.vulnerabilities</c>,
/// <c>image.tags-immutable</c>): the repository scans on push and keeps its tags immutable, the digest that runs has a
/// recent completed scan, and its findings are within the policy's thresholds. Reads <see cref="AwsFacts"/>; an image whose facts could not be learned is an error, an
/// invalid reference (which the kubelet refuses) a fail.
/// </summary>
public sealed class ImageScanRules : IRuleFamily
{
    public static readonly RuleDefinition ScanOnPush = new(
        "image.scan-on-push", "ECR repositories of running images scan on push (basic or enhanced scanning)",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Workload, "imageScanning.requireScanOnPush",
        "Turn on scanOnPush for the repository, or an enhanced-scanning rule (SCAN_ON_PUSH or CONTINUOUS_SCAN) that covers it.",
        RequiresAws: true);

    public static readonly RuleDefinition Scanned = new(
        "image.scanned", "The digest that runs has a completed ECR scan no older than maxScanAge",
        ResponsibilityRow.PatchManagement, Severity.High, RuleScope.Workload, "imageScanning.maxScanAge",
        "Scan the image (aws ecr start-image-scan) or turn on continuous enhanced scanning.",
        RequiresAws: true);

    public static readonly RuleDefinition Vulnerabilities = new(
        "image.vulnerabilities", "Scan findings of the running digest are within the policy's per-severity thresholds",
        ResponsibilityRow.PatchManagement, Severity.Critical, RuleScope.Workload, "imageScanning.vulnerabilityThresholds",
        "Rebuild the image on a patched base and roll it out, or record accepted CVEs in ignoreFindings.",
        RequiresAws: true);

    public static readonly RuleDefinition TagsImmutable = new(
        "image.tags-immutable", "ECR repositories of running images have immutable tags, so a scanned and admitted tag cannot be re-pointed",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "imageScanning.requireImmutableTags",
        "aws ecr put-image-tag-mutability --repository-name <repository> --image-tag-mutability IMMUTABLE",
        RequiresAws: true);

    private const string Immutable = "IMMUTABLE";

    private static readonly string[] SeverityOrder = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ScanOnPush, Scanned, Vulnerabilities, TagsImmutable];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.ImageScanning is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
        if (duty.RequireScanOnPush == true) enabled.Add(ScanOnPush);
        if (duty.MaxScanAge is not null || duty.VulnerabilityThresholds is not null) enabled.Add(Scanned);
        if (duty.VulnerabilityThresholds is not null) enabled.Add(Vulnerabilities);
        if (duty.RequireImmutableTags == true) enabled.Add(TagsImmutable);
        return enabled;
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var duty = context.Policy.ImageScanning!;
        var aws = context.Snapshot.Aws!;
        var maxAge = DurationParser.TryParse(duty.MaxScanAge, out var age) ? age : (TimeSpan?)null;
        foreach (var container in context.Workload.Containers)
        {
            var path = container.Path + ".image";
            var image = container.Image;
            if (ImageReference.TryParse(image, out var problem) is null)
            {
                // The kubelet refuses it (InvalidImageName): a fail, as for the provenance rules, not an unknown fact.
                foreach (var rule in EnabledRules(context.Policy)) findings.Fail(rule, $"{container.Label}: {problem}", path, image);
                continue;
            }

            var facts = aws.ImageFor(image);
            if (facts is null || facts.NotEcrReason is not null)
            {
                var why = facts?.NotEcrReason ?? "its AWS facts were not collected";
                foreach (var rule in EnabledRules(context.Policy)) findings.Error(rule, $"{container.Label}: image {image} is not checked against ECR: {why}", path, image);
                continue;
            }

            if (duty.RequireScanOnPush == true) CheckScanOnPush(facts, container.Label, path, findings);
            if (duty.RequireImmutableTags == true) CheckTagsImmutable(facts, container.Label, path, findings);
            if (duty.MaxScanAge is null && duty.VulnerabilityThresholds is null) continue;
            if (facts.DigestError is not null || facts.Digest is null)
            {
                var why = facts.DigestError?.ToString() ?? "no digest is known";
                findings.Error(Scanned, $"{container.Label}: cannot tell which digest of {image} runs: {why}", path, image);
                if (duty.VulnerabilityThresholds is not null) findings.Error(Vulnerabilities, $"{container.Label}: cannot tell which digest of {image} runs: {why}", path, image);
                continue;
            }

            var scanOk = CheckScanned(facts, container.Label, path, maxAge, context.Now, findings);
            if (duty.VulnerabilityThresholds is { } thresholds)
            {
                if (scanOk) CheckFindings(facts, thresholds, duty.IgnoreFindings, container.Label, path, findings);
                else findings.Error(Vulnerabilities, $"{container.Label}: the findings of {facts.Digest} are unknown: it has no completed scan", path, image);
            }
        }
    }

    private static void CheckScanOnPush(ImageFacts facts, string label, string path, FindingCollector findings)
    {
        if (facts.ScanConfigError is { } error)
        {
            findings.Error(ScanOnPush, $"{label}: the scanning configuration of repository {facts.Repository} is unknown: {error}", path, facts.Image);
        }
        else if (facts.ScanOnPush is null)
        {
            findings.Error(ScanOnPush, $"{label}: the scanning configuration of repository {facts.Repository} is unknown: it was not collected", path, facts.Image);
        }
        else if (facts.ScanOnPush == false)
        {
            findings.Fail(ScanOnPush, $"{label}: ECR repository {facts.Repository} ({facts.Registry?.AccountId}, {facts.Registry?.Region}) does not scan on push: " +
                                      "neither its scanOnPush nor a registry scanning rule covers it", path, facts.Image);
        }
    }

    /// <summary>
    /// IMMUTABLE only: the _WITH_EXCLUSION forms leave the tags matching their filters mutable, and MUTABLE all of them,
    /// so the image a scan and an admission judged by tag could be swapped afterwards.
    /// </summary>
    private static void CheckTagsImmutable(ImageFacts facts, string label, string path, FindingCollector findings)
    {
        if (facts.RepositoryError is { } error)
        {
            findings.Error(TagsImmutable, $"{label}: the tag mutability of repository {facts.Repository} is unknown: {error}", path, facts.Image);
        }
        else if (facts.TagMutability is not { } mutability)
        {
            findings.Error(TagsImmutable, $"{label}: the tag mutability of repository {facts.Repository} is unknown: it was not collected", path, facts.Image);
        }
        else if (!string.Equals(mutability, Immutable, StringComparison.Ordinal))
        {
            findings.Fail(TagsImmutable, $"{label}: ECR repository {facts.Repository} ({facts.Registry?.AccountId}, {facts.Registry?.Region}) has imageTagMutability {mutability}: " +
                                         "a tag can be pushed again to point at another image after it was scanned and admitted", path, facts.Image);
        }
    }

    /// <returns>True when a completed scan exists (young enough or not), so its findings can be judged.</returns>
    private static bool CheckScanned(ImageFacts facts, string label, string path, TimeSpan? maxAge, DateTimeOffset now, FindingCollector findings)
    {
        if (facts.ScanError is { } error)
        {
            findings.Error(Scanned, $"{label}: the scan of {facts.Digest} could not be read: {error}", path, facts.Image);
            return false;
        }

        if (facts.NeverScanned)
        {
            findings.Fail(Scanned, $"{label}: digest {facts.Digest} of {facts.Repository} has never been scanned", path, facts.Image);
            return false;
        }

        if (facts.Scan is null)
        {
            findings.Error(Scanned, $"{label}: the scan of {facts.Digest} is unknown: it was not collected", path, facts.Image);
            return false;
        }

        var scan = facts.Scan;
        if (scan.Status is not ("COMPLETE" or "ACTIVE"))
        {
            findings.Fail(Scanned, $"{label}: the latest scan of {facts.Digest} is {scan.Status}{(scan.StatusDescription is { } d ? $" ({d})" : "")}", path, facts.Image);
            return false;
        }

        if (maxAge is not { } limit) return true;
        if (scan.CompletedAt is not { } completed)
        {
            // The findings are known, their age is not: maxScanAge cannot be held, so no pass.
            findings.Error(Scanned, $"{label}: the latest scan of {facts.Digest} gives no completion time, so its age cannot be held against maxScanAge {FormatAge(limit)}", path, facts.Image);
        }
        else if (now - completed > limit)
        {
            findings.Fail(Scanned, $"{label}: {facts.Digest} was last scanned {completed.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, older than maxScanAge {FormatAge(limit)}", path, facts.Image);
        }

        return true;
    }

    private static void CheckFindings(ImageFacts facts, VulnerabilityThresholds thresholds, List<string>? ignore, string label, string path, FindingCollector findings)
    {
        var ignored = new HashSet<string>(ignore ?? [], StringComparer.OrdinalIgnoreCase);
        var scan = facts.Scan!;
        var counted = scan.Findings
            .Where(f => !ignored.Contains(f.VulnerabilityId))
            .Where(f => f.Source == EcrFindingSource.Basic || f.Status is null or "ACTIVE")
            .GroupBy(f => f.Severity.ToUpperInvariant())
            .ToDictionary(g => g.Key, g => g.Select(f => f.VulnerabilityId).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        foreach (var severity in SeverityOrder)
        {
            var limit = severity switch
            {
                "CRITICAL" => thresholds.Critical,
                "HIGH" => thresholds.High,
                "MEDIUM" => thresholds.Medium,
                _ => thresholds.Low,
            };
            if (limit is not { } max) continue;
            // The listed findings are authoritative; the summary counts stand in only when none were listed, and then
            // no ignored id can be subtracted from them.
            var listed = scan.Findings.Count > 0;
            var count = listed ? counted.GetValueOrDefault(severity)?.Count ?? 0 : scan.SeverityCounts.GetValueOrDefault(severity);
            if (count <= max) continue;
            var ids = counted.GetValueOrDefault(severity) ?? [];
            var examples = ids.Count == 0 ? "" : ": " + string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? $" and {ids.Count - 5} more" : "");
            var unlisted = !listed && ignored.Count > 0 ? " (the scan lists no findings, only counts, so ignoreFindings cannot be subtracted)" : "";
            findings.Fail(Vulnerabilities, $"{label}: {facts.Digest} has {count} {severity.ToLowerInvariant()} finding(s), more than the {max} allowed{examples}{unlisted}", path, facts.Image);
        }
    }

    private static string FormatAge(TimeSpan age) => age.TotalHours >= 1 && age.Minutes == 0 && age.Seconds == 0 ? $"{(int)age.TotalHours}h" : age.ToString();
}
