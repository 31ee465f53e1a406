using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>Image provenance: allowed registries, no latest tag, digest pinning (<c>image.*</c>).</summary>
public sealed class ImageRules : IRuleFamily
{
    public static readonly RuleDefinition RegistryAllowed = new(
        "image.registry-allowed", "Images come only from allowed registries or repositories",
        ResponsibilityRow.InfrastructureSecurity, Severity.High, RuleScope.Workload, "imageScanning.allowedRegistries",
        "Pull the image from an allowed registry (mirror it into your ECR), or add its registry to allowedRegistries.");

    public static readonly RuleDefinition TagNotLatest = new(
        "image.tag-not-latest", "Images are not referenced by the mutable :latest tag (no tag counts as latest)",
        ResponsibilityRow.InfrastructureSecurity, Severity.High, RuleScope.Workload, "imageScanning.disallowLatestTag",
        "Reference a versioned tag or a digest (repo:1.2.3 or repo@sha256:...).");

    public static readonly RuleDefinition DigestPinned = new(
        "image.digest-pinned", "Images are pinned by a valid OCI digest",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "imageScanning.requireDigest",
        "Append the image digest: repo:tag@sha256:<64 hex>.");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [RegistryAllowed, TagNotLatest, DigestPinned];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.ImageScanning is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
        if (duty.AllowedRegistries is { Count: > 0 }) enabled.Add(RegistryAllowed);
        if (duty.DisallowLatestTag == true) enabled.Add(TagNotLatest);
        if (duty.RequireDigest == true) enabled.Add(DigestPinned);
        return enabled;
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var duty = context.Policy.ImageScanning!;
        var allowed = duty.AllowedRegistries is { Count: > 0 } patterns ? CompiledPatterns.For(patterns) : null;
        var allowedText = allowed is null ? "" : Quoted(duty.AllowedRegistries!);
        foreach (var container in context.Workload.Containers)
        {
            var path = container.Path + ".image";
            var image = ImageReference.TryParse(container.Image, out var problem);
            if (image is null)
            {
                // An unusable reference fails every enabled image rule: none of them can hold for it.
                var message = $"{container.Label}: {problem}";
                if (allowed is not null) findings.Fail(RegistryAllowed, message, path, container.Image);
                if (duty.DisallowLatestTag == true) findings.Fail(TagNotLatest, message, path, container.Image);
                if (duty.RequireDigest == true) findings.Fail(DigestPinned, message, path, container.Image);
                continue;
            }

            if (allowed is not null && !allowed.Any(p => p.MatchesName(image)))
            {
                findings.Fail(RegistryAllowed,
                    $"{container.Label}: image {image.Written} ({image.NormalizedName}) is not from an allowed registry ({allowedText})",
                    path, image.Written);
            }

            if (duty.DisallowLatestTag == true)
            {
                if (image.Tag == "latest")
                {
                    findings.Fail(TagNotLatest, $"{container.Label} uses :latest ({image.Written})", path, image.Written);
                }
                else if (image.Tag is null && !image.HasValidDigest)
                {
                    findings.Fail(TagNotLatest, $"{container.Label}: image {image.Written} has no tag, so it pulls :latest", path, image.Written);
                }
            }

            if (duty.RequireDigest == true && !image.HasValidDigest)
            {
                var message = image.Digest is null
                    ? $"{container.Label}: image {image.Written} is not pinned by digest"
                    : $"{container.Label}: '{image.Digest}' in {image.Written} is not a valid OCI digest (sha256:<64 hex> or sha512:<128 hex>)";
                findings.Fail(DigestPinned, message, path, image.Written);
            }
        }
    }

    /// <summary>
    /// The allow-list as a message quotes it: the first few patterns. The whole list (up to 128 patterns of 512
    /// characters) in every container's message would cost tens of kilobytes per finding, gigabytes on a large cluster.
    /// </summary>
    private static string Quoted(List<string> patterns) =>
        patterns.Count <= 3 ? string.Join(", ", patterns) : $"{string.Join(", ", patterns.Take(3))} and {patterns.Count - 3} more";

    /// <summary>Patterns are compiled once per distinct allow-list, not per workload.</summary>
    private static class CompiledPatterns
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<List<string>, List<ImagePattern>> Cache = [];

        public static List<ImagePattern> For(List<string> patterns) =>
            Cache.GetValue(patterns, list => list.Select(p => new ImagePattern(p)).ToList());
    }
}
