using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Keeping the cluster patched (<c>cluster.version-supported</c>, <c>cluster.addons-current</c>): its Kubernetes version
/// in EKS standard support, as EKS's own DescribeClusterVersions says (no table of dates in the code), and each EKS
/// add-on at least at the default version EKS gives that Kubernetes version. Findings sit on the cluster.
/// </summary>
public sealed class ClusterLifecycleRules : IRuleFamily
{
    public static readonly RuleDefinition VersionSupported = new(
        "cluster.version-supported", "The cluster's Kubernetes version is in EKS standard support, not within minSupportWindow of its end",
        ResponsibilityRow.PatchManagement, Severity.High, RuleScope.Cluster, "cluster.requireSupportedVersion",
        "Upgrade the control plane one minor version at a time (aws eks update-cluster-version --name <name> --kubernetes-version <next>), then the nodes and add-ons.",
        RequiresAws: true);

    public static readonly RuleDefinition AddonsCurrent = new(
        "cluster.addons-current", "Every EKS add-on runs at least the default version for the cluster's Kubernetes version",
        ResponsibilityRow.PatchManagement, Severity.Medium, RuleScope.Cluster, "cluster.requireCurrentAddons",
        "aws eks update-addon --cluster-name <name> --addon-name <addon> --addon-version <default version> (aws eks describe-addon-versions --addon-name <addon> --kubernetes-version <version>).",
        RequiresAws: true);

    private const string StandardSupport = "STANDARD_SUPPORT";

    public IReadOnlyList<RuleDefinition> Rules { get; } = [VersionSupported, AddonsCurrent];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Cluster is not { } duty) return [];
        var enabled = new List<RuleDefinition>(2);
        if (duty.RequireSupportedVersion == true) enabled.Add(VersionSupported);
        if (duty.RequireCurrentAddons == true) enabled.Add(AddonsCurrent);
        return enabled;
    }

    public void EvaluateCluster(ClusterContext context, FindingCollector findings)
    {
        var duty = context.Policy.Cluster!;
        if (!ClusterRules.TryDescribed(context, EnabledRules(context.Policy), findings, out var facts, out var cluster)) return;

        if (cluster.Version is not { Length: > 0 } version)
        {
            foreach (var rule in EnabledRules(context.Policy)) findings.Error(rule, $"EKS reported no Kubernetes version for cluster {cluster.Name}", "version");
            return;
        }

        if (duty.RequireSupportedVersion == true) CheckVersion(cluster.Name, version, facts, duty.MinSupportWindow, context.Now, findings);
        if (duty.RequireCurrentAddons == true) CheckAddons(cluster.Name, version, facts, findings);
    }

    private static void CheckVersion(string name, string version, ClusterFacts facts, string? windowText, DateTimeOffset now, FindingCollector findings)
    {
        if (facts.VersionSupportError is { } error)
        {
            findings.Error(VersionSupported, $"the support of Kubernetes {version} on EKS is unknown: {error}", "version");
            return;
        }

        if (!facts.VersionSupportCollected)
        {
            findings.Error(VersionSupported, $"the support of Kubernetes {version} on EKS is unknown: it was not collected", "version");
            return;
        }

        if (facts.VersionSupport is not { } support)
        {
            findings.Error(VersionSupported, $"EKS DescribeClusterVersions does not list Kubernetes {version}, so its support is unknown", "version");
            return;
        }

        var window = TimeSpan.Zero;
        if (windowText is not null && !(DurationParser.TryParse(windowText, out window) && window >= TimeSpan.Zero))
        {
            findings.Error(VersionSupported, $"minSupportWindow \"{windowText}\" is not a duration such as 720h, so how early to warn is unknown");
            return;
        }

        var end = support.EndOfStandardSupportDate;
        var endText = end is { } date ? $" ended {Day(date)}" : "";
        if (support.Status is not null && !string.Equals(support.Status, StandardSupport, StringComparison.Ordinal))
        {
            var extended = support.EndOfExtendedSupportDate is { } extendedEnd ? $"; extended support (paid) ends {Day(extendedEnd)}" : "";
            findings.Fail(VersionSupported, $"cluster {name} runs Kubernetes {version}, whose EKS standard support{endText} (status {support.Status}{extended})", "version");
            return;
        }

        if (end is null)
        {
            // In standard support by status, but without its end date no window can be judged.
            if (window > TimeSpan.Zero || support.Status is null)
            {
                findings.Error(VersionSupported, $"EKS gives no end of standard support for Kubernetes {version}, so whether it ends within minSupportWindow is unknown", "version");
            }

            return;
        }

        if (now >= end.Value)
        {
            findings.Fail(VersionSupported, $"cluster {name} runs Kubernetes {version}, whose EKS standard support ended {Day(end.Value)}", "version");
        }
        else if (now >= end.Value - window)
        {
            findings.Fail(VersionSupported, $"cluster {name} runs Kubernetes {version}, whose EKS standard support ends {Day(end.Value)}, in {(int)Math.Ceiling((end.Value - now).TotalDays)} days: within minSupportWindow {windowText}", "version");
        }
    }

    private static void CheckAddons(string name, string version, ClusterFacts facts, FindingCollector findings)
    {
        if (facts.AddonsError is { } error)
        {
            findings.Error(AddonsCurrent, $"the add-ons of cluster {name} are unknown: {error}");
            return;
        }

        if (facts.Addons is not { } addons)
        {
            findings.Error(AddonsCurrent, $"the add-ons of cluster {name} are unknown: they were not collected");
            return;
        }

        if (addons.Count == 0)
        {
            findings.PassNote(AddonsCurrent, $"cluster {name} has no EKS add-ons (self-managed components are not judged)");
            return;
        }

        foreach (var (addon, defaultVersion, addonError) in addons)
        {
            var path = $"addons[{addon.Name}].addonVersion";
            if (addonError is not null) findings.Error(AddonsCurrent, $"add-on {addon.Name}: {addonError}", path);
            else if (addon.Version is null) findings.Error(AddonsCurrent, $"add-on {addon.Name} reports no version", path);
            else if (defaultVersion is null) findings.Error(AddonsCurrent, $"EKS names no default version of add-on {addon.Name} for Kubernetes {version}, so whether {addon.Version} is current is unknown", path);
            else if (AddonVersion.Compare(addon.Version, defaultVersion) is not { } order)
            {
                findings.Error(AddonsCurrent, $"add-on {addon.Name} version {addon.Version} or default {defaultVersion} is not a version such as v1.19.0-eksbuild.1", path);
            }
            else if (order < 0)
            {
                findings.Fail(AddonsCurrent, $"add-on {addon.Name} runs {addon.Version}, older than {defaultVersion}, EKS's default for Kubernetes {version}", path);
            }
        }
    }

    private static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The order of EKS add-on versions (<c>v1.19.0-eksbuild.1</c>): the numbers of the version, then of the build
/// (<c>eksbuild.N</c>, and any further dotted numbers), compared number by number.
/// </summary>
public static class AddonVersion
{
    /// <summary>Below zero when <paramref name="a"/> is older, zero when equal, above when newer; null when either is not such a version.</summary>
    public static int? Compare(string a, string b)
    {
        if (Parse(a) is not { } left || Parse(b) is not { } right) return null;
        for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
        {
            var x = i < left.Count ? left[i] : 0;
            var y = i < right.Count ? right[i] : 0;
            if (x != y) return x.CompareTo(y);
        }

        return 0;
    }

    /// <summary>The version's numbers, then the build's: v1.19.0-eksbuild.1 is 1, 19, 0, then 1 (a missing build is 0).</summary>
    private static List<long>? Parse(string text)
    {
        var rest = text.Trim();
        if (rest.StartsWith('v')) rest = rest[1..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        var core = dash < 0 ? rest : rest[..dash];
        var build = dash < 0 ? null : rest[(dash + 1)..];
        var numbers = new List<long>();
        foreach (var part in core.Split('.'))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
            numbers.Add(n);
        }

        if (numbers.Count is < 1 or > 4) return null;
        while (numbers.Count < 4) numbers.Add(0);
        if (build is null) return numbers;
        // eksbuild.N (the only suffix EKS uses); other suffixes are not ordered here.
        const string prefix = "eksbuild.";
        if (!build.StartsWith(prefix, StringComparison.Ordinal)) return null;
        foreach (var part in build[prefix.Length..].Split('.'))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return null;
            numbers.Add(n);
        }

        return numbers;
    }
}
