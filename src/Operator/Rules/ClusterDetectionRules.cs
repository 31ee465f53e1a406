using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Alerts and the audit trail the customer sets up (<c>cluster.threat-detection</c>, <c>cluster.audit-trail</c>):
/// GuardDuty watching the cluster's region with the asked protection plans, and a logging CloudTrail trail that covers
/// the region and records read and write management events (as Security Hub's CloudTrail.1 asks). Findings sit on the
/// cluster.
/// </summary>
public sealed class ClusterDetectionRules : IRuleFamily
{
    public static readonly RuleDefinition ThreatDetection = new(
        "cluster.threat-detection", "GuardDuty is enabled in the cluster's region with the required EKS protection features",
        ResponsibilityRow.Monitoring, Severity.High, RuleScope.Cluster, "cluster.requireThreatDetection",
        "aws guardduty update-detector --detector-id <id> --enable --features Name=EKS_AUDIT_LOGS,Status=ENABLED Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}] (create one first with aws guardduty create-detector --enable).",
        RequiresAws: true);

    public static readonly RuleDefinition AuditTrail = new(
        "cluster.audit-trail", "A CloudTrail trail covering the cluster's region is logging read and write management events",
        ResponsibilityRow.Monitoring, Severity.High, RuleScope.Cluster, "cluster.requireAuditTrail",
        "aws cloudtrail create-trail --name <name> --s3-bucket-name <bucket> --is-multi-region-trail, then aws cloudtrail start-logging --name <name> (management events, read and write, are recorded by default).",
        RequiresAws: true);

    private const string Enabled = "ENABLED";
    private const string AddonManagement = "EKS_ADDON_MANAGEMENT";

    /// <summary>Either runtime monitoring plan watches EKS: RUNTIME_MONITORING superseded EKS_RUNTIME_MONITORING.</summary>
    private static readonly string[] RuntimeMonitoring = ["RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"];

    /// <summary>The service whose management events the audit trail must include.</summary>
    private const string EksEventSource = "eks.amazonaws.com";

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ThreatDetection, AuditTrail];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.Cluster is not { } duty) return [];
        var enabled = new List<RuleDefinition>(2);
        if (duty.RequireThreatDetection is not null) enabled.Add(ThreatDetection);
        if (duty.RequireAuditTrail == true) enabled.Add(AuditTrail);
        return enabled;
    }

    public void EvaluateCluster(ClusterContext context, FindingCollector findings)
    {
        var duty = context.Policy.Cluster!;
        var facts = context.Snapshot.Aws?.Cluster;
        if (facts is null)
        {
            foreach (var rule in EnabledRules(context.Policy)) findings.Error(rule, $"the cluster's region is unknown: {ClusterRules.ClusterFactsMissing}");
            return;
        }

        if (duty.RequireThreatDetection is { } features) CheckThreatDetection(facts, features, findings);
        if (duty.RequireAuditTrail == true) CheckAuditTrail(facts, findings);
    }

    private static void CheckThreatDetection(ClusterFacts facts, IReadOnlyList<string> required, FindingCollector findings)
    {
        var region = facts.Region;
        if (facts.DetectorsError is { } error)
        {
            findings.Error(ThreatDetection, $"GuardDuty in {region} is unknown: {error}");
            return;
        }

        if (facts.Detectors is not { } detectors)
        {
            findings.Error(ThreatDetection, $"GuardDuty in {region} is unknown: it was not collected");
            return;
        }

        if (detectors.Count == 0)
        {
            findings.Fail(ThreatDetection, $"GuardDuty has no detector in {region}: nothing watches the cluster for threats");
            return;
        }

        // At most one detector per account and region; should there be more, one that satisfies everything suffices.
        var faults = detectors.Select(d => (Detector: d, Faults: FaultsOf(d, required))).ToList();
        if (faults.Any(f => f.Faults.Count == 0)) return;
        foreach (var (detector, detectorFaults) in faults)
        {
            foreach (var fault in detectorFaults) findings.Fail(ThreatDetection, $"GuardDuty detector {detector.DetectorId} in {region}: {fault}", $"detector[{detector.DetectorId}]");
        }
    }

    private static List<string> FaultsOf(GuardDutyDetector detector, IReadOnlyList<string> required)
    {
        if (!string.Equals(detector.Status, Enabled, StringComparison.Ordinal)) return [$"the detector is {detector.Status ?? "of unknown status"}, not ENABLED"];
        var faults = new List<string>();
        foreach (var name in required.Distinct(StringComparer.Ordinal))
        {
            if (RuntimeMonitoring.Contains(name, StringComparer.Ordinal))
            {
                var runtime = detector.Features.Where(f => RuntimeMonitoring.Contains(f.Name, StringComparer.Ordinal) && IsEnabled(f.Status)).ToList();
                if (runtime.Count == 0) faults.Add($"{name} is not enabled (nor {string.Join(" nor ", RuntimeMonitoring.Where(r => r != name))}), so no runtime monitoring watches the nodes");
                else if (!runtime.Any(f => IsEnabled(f.AdditionalConfiguration.GetValueOrDefault(AddonManagement))))
                {
                    faults.Add($"{runtime[0].Name} is enabled but its {AddonManagement} is not: GuardDuty does not deploy its security agent to the cluster, so runtime events are not collected unless the agent is managed by hand");
                }

                continue;
            }

            var feature = detector.Features.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
            if (feature is null) faults.Add($"{name} is not among the detector's features");
            else if (!IsEnabled(feature.Status)) faults.Add($"{name} is {feature.Status ?? "of unknown status"}, not ENABLED");
        }

        return faults;
    }

    private static bool IsEnabled(string? status) => string.Equals(status, Enabled, StringComparison.Ordinal);

    private static void CheckAuditTrail(ClusterFacts facts, FindingCollector findings)
    {
        var region = facts.Region;
        if (facts.TrailsError is { } error)
        {
            findings.Error(AuditTrail, $"CloudTrail in {region} is unknown: {error}");
            return;
        }

        if (facts.Trails is not { } trails)
        {
            findings.Error(AuditTrail, $"CloudTrail in {region} is unknown: it was not collected");
            return;
        }

        var covering = trails.Where(t => t.Trail.IsMultiRegionTrail || string.Equals(t.Trail.HomeRegion, region, StringComparison.Ordinal)).ToList();
        if (covering.Count == 0)
        {
            findings.Fail(AuditTrail, $"no CloudTrail trail covers {region} (none is multi-region or homed there): the cluster's AWS API calls are not kept");
            return;
        }

        var faults = new List<string>();
        var errors = new List<string>();
        foreach (var (trail, isLogging, selectors, trailError) in covering)
        {
            if (trailError is not null) errors.Add($"trail {trail.Name}: {trailError}");
            else if (isLogging != true) faults.Add($"trail {trail.Name} is not logging");
            else if (selectors is null) errors.Add($"trail {trail.Name}: its event selectors are unknown");
            else if (ManagementEventGap(selectors) is { } gap) faults.Add($"trail {trail.Name} {gap}");
            else return;
        }

        // No trail passes: an unknown trail might have, so unknowns make the result an error, not a fail.
        if (errors.Count > 0) findings.Error(AuditTrail, $"no trail covering {region} is known to log management events: {string.Join("; ", errors.Concat(faults))}");
        else findings.Fail(AuditTrail, $"no trail covering {region} logs read and write management events: {string.Join("; ", faults)}");
    }

    /// <summary>What the selectors leave out of the region's EKS management events (read and write); null when nothing.</summary>
    internal static string? ManagementEventGap(CloudTrailEventSelectors selectors)
    {
        bool reads = false, writes = false;
        if (selectors.AdvancedEventSelectors.Count > 0)
        {
            foreach (var fields in selectors.AdvancedEventSelectors)
            {
                var (r, w) = AdvancedCoverage(fields);
                reads |= r;
                writes |= w;
            }
        }
        else
        {
            foreach (var selector in selectors.EventSelectors)
            {
                if (!selector.IncludeManagementEvents || selector.ExcludeManagementEventSources.Contains(EksEventSource, StringComparer.Ordinal)) continue;
                reads |= selector.ReadWriteType is "All" or "ReadOnly";
                writes |= selector.ReadWriteType is "All" or "WriteOnly";
            }
        }

        return (reads, writes) switch
        {
            (true, true) => null,
            (true, false) => "records read-only management events, not writes",
            (false, true) => "records write management events, not reads",
            _ => "records no management events",
        };
    }

    /// <summary>
    /// Whether one advanced selector records EKS's management reads and writes: its eventCategory is Management, an
    /// eventSource condition admits eks.amazonaws.com, and a readOnly condition limits it to one kind. Any other field
    /// narrows it to some events only, so it is not counted (fail closed).
    /// </summary>
    private static (bool Reads, bool Writes) AdvancedCoverage(IReadOnlyList<CloudTrailFieldSelector> fields)
    {
        var management = false;
        bool reads = true, writes = true;
        foreach (var field in fields)
        {
            switch (field.Field)
            {
                case "eventCategory":
                    management = Admits(field, "Management");
                    break;
                case "eventSource":
                    if (!Admits(field, EksEventSource)) return (false, false);
                    break;
                case "readOnly":
                    reads &= Admits(field, "true");
                    writes &= Admits(field, "false");
                    break;
                default:
                    return (false, false);
            }
        }

        return management ? (reads, writes) : (false, false);
    }

    /// <summary>Whether a field selector's conditions, all of which must hold, admit <paramref name="value"/>.</summary>
    private static bool Admits(CloudTrailFieldSelector field, string value) =>
        (field.EqualsValues.Count == 0 || field.EqualsValues.Contains(value, StringComparer.Ordinal))
        && !field.NotEqualsValues.Contains(value, StringComparer.Ordinal)
        && (field.StartsWith.Count == 0 || field.StartsWith.Any(p => value.StartsWith(p, StringComparison.Ordinal)))
        && !field.NotStartsWith.Any(p => value.StartsWith(p, StringComparison.Ordinal))
        && (field.EndsWith.Count == 0 || field.EndsWith.Any(p => value.EndsWith(p, StringComparison.Ordinal)))
        && !field.NotEndsWith.Any(p => value.EndsWith(p, StringComparison.Ordinal));
}
