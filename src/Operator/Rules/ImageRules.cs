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
        "Append the image digest: repo:tag@sha256:<64 lowercase hex> (OCI-registered sha256, sha512 or blake3).");

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
        var allowed = duty.AllowedRegistries is { Count: > 0 } patterns ? ImagePattern.CompileAll(patterns, ImagePatternUse.AllowedRegistry) : null;
        var allowedText = allowed is null ? "" : Quoted(duty.AllowedRegistries!);
        List<string>? digestKinds = null;
        foreach (var container in context.Workload.Containers)
        {
            var path = container.Path + ".image";
            var image = ImageReference.TryParse(container.Image, out var problem);
            if (image is null)
            {
                // The kubelet refuses it (InvalidImageName), so none of the rules can hold for it.
                foreach (var rule in EnabledRules(context.Policy)) findings.Fail(rule, $"{container.Label}: {problem}", path, container.Image);
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
                else if (image.Tag is null && image.ParsedDigest is null)
                {
                    findings.Fail(TagNotLatest, $"{container.Label}: image {image.Written} has no tag, so it pulls :latest", path, image.Written);
                }
            }

            if (duty.RequireDigest == true)
            {
                if (image.ParsedDigest is not { } digest)
                {
                    findings.Fail(DigestPinned, $"{container.Label}: image {image.Written} is not pinned by digest", path, image.Written);
                }
                else if (!(digestKinds ??= []).Contains(digest.Kind))
                {
                    digestKinds.Add(digest.Kind);
                }
            }
        }

        // Which kinds of digest pinned the images: without container names, so that workloads share the pass.
        if (digestKinds is not null) findings.PassNote(DigestPinned, $"pinned by digest ({string.Join("; ", digestKinds)})");
    }

    /// <summary>
    /// The allow-list as a message quotes it: the first few patterns. The whole list (up to 128 patterns of 512
    /// characters) in every container's message would cost tens of kilobytes per finding, gigabytes on a large cluster.
    /// </summary>
    private static string Quoted(List<string> patterns) =>
        patterns.Count <= 3 ? string.Join(", ", patterns) : $"{string.Join(", ", patterns.Take(3))} and {patterns.Count - 3} more";
}
