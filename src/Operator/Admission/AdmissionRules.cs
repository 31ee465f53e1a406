using EksHardening.Operator.Facts;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Admission;

/// <summary>
/// The one list of rules the webhook decides: those whose facts are all in the admitted object (and the
/// ServiceAccount it names). Namespace-level rules, role sharing across namespaces and NetworkPolicy coverage
/// depend on other objects that may change independently, so they are reported by the reconciler only.
/// </summary>
public static class AdmissionRules
{
    /// <summary>Ids and globs (<c>pss.*</c>) of the rules decided at admission.</summary>
    public static readonly IReadOnlyList<string> Decidable =
    [
        "pss.*",
        "workload.resource-limits",
        "workload.read-only-root-filesystem",
        "image.registry-allowed",
        "image.tag-not-latest",
        "image.digest-pinned",
        "irsa.dedicated-service-account",
        "irsa.token-automount",
    ];

    /// <summary>Scan findings of the running digest, from <see cref="IImageFacts"/> (not in the catalog until the AWS layer adds it).</summary>
    public const string ImageVulnerabilitiesId = "image.vulnerabilities";

    /// <summary>The catalog's definition when the AWS layer provides one, else the admission's own.</summary>
    public static RuleDefinition ImageVulnerabilities { get; } = RuleCatalog.Find(ImageVulnerabilitiesId) ?? new RuleDefinition(
        ImageVulnerabilitiesId, "Running images have no scan findings above the policy's thresholds",
        ResponsibilityRow.PatchManagement, Severity.High, RuleScope.Workload, "imageScanning.vulnerabilityThresholds",
        "Rebuild the image on a patched base, or record accepted findings in ignoreFindings.");

    private static readonly HashSet<string> DecidableIds = RuleCatalog.All
        .Where(r => r.Scope == RuleScope.Workload && Decidable.Any(p => Matches(p, r.Id)))
        .Select(r => r.Id)
        .ToHashSet(StringComparer.Ordinal);

    public static bool IsDecidable(RuleDefinition rule) => DecidableIds.Contains(rule.Id);

    /// <summary>The catalog's rules the webhook decides, in catalog order.</summary>
    public static IEnumerable<RuleDefinition> All => RuleCatalog.All.Where(IsDecidable);

    /// <summary>What one policy asks of admission: the decidable rules it turns on, grouped by family.</summary>
    internal static AdmissionPlan PlanFor(ResponsibilityPolicySpec spec)
    {
        var rules = new List<RuleDefinition>();
        var families = new List<IRuleFamily>();
        foreach (var family in RuleCatalog.Families)
        {
            var before = rules.Count;
            foreach (var rule in family.EnabledRules(spec))
            {
                if (IsDecidable(rule)) rules.Add(rule);
            }

            if (rules.Count > before) families.Add(family);
        }

        var thresholds = spec.ImageScanning?.VulnerabilityThresholds;
        return new AdmissionPlan(rules, families, thresholds);
    }

    private static bool Matches(string pattern, string id) =>
        pattern.EndsWith(".*", StringComparison.Ordinal)
            ? id.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, id, StringComparison.Ordinal);
}

/// <summary>The rules and families one policy evaluates at admission, and its vulnerability thresholds (null: not checked).</summary>
internal sealed record AdmissionPlan(
    IReadOnlyList<RuleDefinition> Rules,
    IReadOnlyList<IRuleFamily> Families,
    VulnerabilityThresholds? VulnerabilityThresholds)
{
    public bool IsEmpty => Rules.Count == 0 && VulnerabilityThresholds is null;
}
