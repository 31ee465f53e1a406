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
        // The kinds of digest seen, in order of first use: the first without a list (the common case of one kind).
        string? firstDigestKind = null;
        List<string>? moreDigestKinds = null;
        foreach (var container in context.Workload.Containers)
        {
            // Paths and messages are built only for failures: a passing container allocates nothing here.
            var image = ImageReference.TryParse(container.Image, out var problem);
            if (image is null)
            {
                // The kubelet refuses it (InvalidImageName), so none of the rules can hold for it.
                foreach (var rule in EnabledRules(context.Policy)) findings.Fail(rule, $"{container.Label}: {problem}", ImagePath(container), container.Image);
                continue;
            }

            if (allowed is not null && !ImagePattern.AnyMatchesName(allowed, image))
            {
                findings.Fail(RegistryAllowed,
                    $"{container.Label}: image {image.Written} ({image.NormalizedName}) is not from an allowed registry ({Quoted(duty.AllowedRegistries!)})",
                    ImagePath(container), image.Written);
            }

            if (duty.DisallowLatestTag == true)
            {
                if (image.Tag == "latest")
                {
                    findings.Fail(TagNotLatest, $"{container.Label} uses :latest ({image.Written})", ImagePath(container), image.Written);
                }
                else if (image.Tag is null && image.ParsedDigest is null)
                {
                    findings.Fail(TagNotLatest, $"{container.Label}: image {image.Written} has no tag, so it pulls :latest", ImagePath(container), image.Written);
                }
            }

            if (duty.RequireDigest == true)
            {
                if (image.ParsedDigest is not { } digest)
                {
                    findings.Fail(DigestPinned, $"{container.Label}: image {image.Written} is not pinned by digest", ImagePath(container), image.Written);
                }
                else if (firstDigestKind is null)
                {
                    firstDigestKind = digest.Kind;
                }
                else if (digest.Kind != firstDigestKind && !(moreDigestKinds ??= []).Contains(digest.Kind))
                {
                    moreDigestKinds.Add(digest.Kind);
                }
            }
        }

        // Which kinds of digest pinned the images: without container names, so that workloads share the pass.
        if (firstDigestKind is not null) findings.PassNote(DigestPinned, PinnedNote(firstDigestKind, moreDigestKinds));
    }

    private static string ImagePath(ContainerView container) => SharedText.Concat(container.Path, ".image");

    private const int PinnedNoteLimit = 1_000;
    private static readonly ConcurrentDictionary<string, string> PinnedNotes = new(StringComparer.Ordinal);

    /// <summary>"pinned by digest (registered sha256)": one string per kind when the images share one kind of digest.</summary>
    private static string PinnedNote(string firstKind, List<string>? moreKinds)
    {
        if (moreKinds is not null) return $"pinned by digest ({firstKind}; {string.Join("; ", moreKinds)})";
        if (PinnedNotes.TryGetValue(firstKind, out var note)) return note;
        if (PinnedNotes.Count >= PinnedNoteLimit) PinnedNotes.Clear();
        return PinnedNotes.GetOrAdd(firstKind, static kind => $"pinned by digest ({kind})");
    }

    /// <summary>
    /// The allow-list as a message quotes it: the first few patterns. The whole list (up to 128 patterns of 512
    /// characters) in every container's message would cost tens of kilobytes per finding, gigabytes on a large cluster.
    /// </summary>
    private static string Quoted(List<string> patterns) =>
        patterns.Count <= 3 ? string.Join(", ", patterns) : $"{string.Join(", ", patterns.Take(3))} and {patterns.Count - 3} more";
}
