using EksHardening.Operator.Facts;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Admission;

/// <summary>
/// The one list of rules the webhook decides: those whose facts are all in the admitted object (and the
/// ServiceAccount it names). Namespace-level rules, role sharing across namespaces and NetworkPolicy coverage
/// depend on other objects that may change independently, so they are reported by the reconciler only. Of the
/// object-scoped rules, those judged on a binding, on aws-auth, on a StorageClass or claim and on an Ingress or
/// Service are decided on that object (<see cref="ObjectRulesOf"/>), with the roles and StorageClasses they refer to
/// from the operator's cache; rbac.workload-privileges (every binding that reaches a service account) and node.*
/// (facts of running machines) are reported by the reconciler only.
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

    public static bool IsDecidable(RuleDefinition rule) => DecidableIds.Contains(rule.Id) || ObjectRules.Values.Any(r => r.Contains(rule));

    private static readonly Dictionary<string, RuleDefinition[]> ObjectRules = new(StringComparer.Ordinal)
    {
        ["ClusterRoleBinding"] = [RbacRules.ClusterAdminBound, RbacRules.WildcardRole, RbacRules.AnonymousAccess],
        ["RoleBinding"] = [RbacRules.ClusterAdminBound, RbacRules.WildcardRole, RbacRules.AnonymousAccess],
        ["ConfigMap"] = [RbacRules.SystemMastersMapping],
        ["StorageClass"] = [EncryptionRules.Volumes],
        ["PersistentVolumeClaim"] = [EncryptionRules.Volumes],
        ["Ingress"] = [EncryptionRules.IngressTls],
        ["Service"] = [EncryptionRules.IngressTls],
    };

    /// <summary>The object-scoped rules decided at admission on an object of <paramref name="kind"/> (empty for workload kinds).</summary>
    public static IReadOnlyList<RuleDefinition> ObjectRulesOf(string kind) => ObjectRules.GetValueOrDefault(kind) ?? [];

    /// <summary>The catalog's rules the webhook decides (on workloads and on objects), in catalog order.</summary>
    public static IEnumerable<RuleDefinition> All => RuleCatalog.All.Where(IsDecidable);

    /// <summary>What one policy asks of admission on workloads: the decidable workload rules it turns on, grouped by family.</summary>
    internal static AdmissionPlan PlanFor(ResponsibilityPolicySpec spec)
    {
        var rules = new List<RuleDefinition>();
        var families = new List<IRuleFamily>();
        foreach (var family in RuleCatalog.Families)
        {
            var before = rules.Count;
            foreach (var rule in family.EnabledRules(spec))
            {
                if (DecidableIds.Contains(rule.Id)) rules.Add(rule);
            }

            if (rules.Count > before) families.Add(family);
        }

        var thresholds = spec.ImageScanning?.VulnerabilityThresholds;
        return new AdmissionPlan(rules, families, thresholds);
    }

    /// <summary>What one policy asks of admission on objects of <paramref name="kind"/>: the rules it turns on that judge them, and their families.</summary>
    internal static AdmissionPlan ObjectPlanFor(ResponsibilityPolicySpec spec, string kind)
    {
        var ofKind = ObjectRulesOf(kind);
        var rules = new List<RuleDefinition>();
        var families = new List<IRuleFamily>();
        foreach (var family in RuleCatalog.Families)
        {
            var enabled = family.EnabledRules(spec).Where(ofKind.Contains).ToList();
            if (enabled.Count == 0) continue;
            rules.AddRange(enabled);
            families.Add(family);
        }

        return new AdmissionPlan(rules, families, VulnerabilityThresholds: null);
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
