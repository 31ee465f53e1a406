using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// Turns an evaluation into the policy's status (DESIGN §3) and decides whether it differs from the status
/// already written. Pure: the clock comes in as an argument, and nothing that changes on every pass (such as
/// lastEvaluated) takes part in the comparison, so a quiet cluster causes no writes.
/// </summary>
public static class ComplianceStatus
{
    public const string Ready = "Ready";
    public const string Compliant = "Compliant";
    public const string AwsReachable = "AwsReachable";
    /// <summary>The CRD bounds status.violations[].message; longer messages are cut.</summary>
    public const int MaxMessageLength = 1024;
    /// <summary>The CRD's maxItems for status.violations.</summary>
    public const int MaxViolationsLimit = 500;

    public static ResponsibilityPolicyStatus FromEvaluation(
        ResponsibilityPolicy policy, PolicyEvaluation evaluation, ResponsibilityPolicyStatus? previous, DateTimeOffset now, int maxViolations)
    {
        var generation = policy.Metadata?.Generation;
        var tally = FindingTally.Of(evaluation);
        var summary = evaluation.Summary;
        var violations = tally.Violations
            .OrderByDescending(v => v.Finding.Rule.Severity)
            .ThenBy(v => v.Resource.Namespace, StringComparer.Ordinal)
            .ThenBy(v => v.Resource.Kind, StringComparer.Ordinal)
            .ThenBy(v => v.Resource.Name, StringComparer.Ordinal)
            .ThenBy(v => v.Finding.Rule.Id, StringComparer.Ordinal)
            .Take(Math.Clamp(maxViolations, 0, MaxViolationsLimit))
            .Select(v => new ViolationRecord
            {
                Rule = v.Finding.Rule.Id,
                Severity = v.Finding.Rule.Severity,
                Kind = v.Resource.Kind,
                Namespace = v.Resource.Namespace,
                Name = v.Resource.Name,
                Message = Cut(v.Finding.Message),
            })
            .ToList();

        var (compliantStatus, compliantReason, compliantMessage) =
            summary.Violating > 0 ? ("False", "ViolationsFound", $"{summary.Violating} of {summary.Resources} resources violate")
            : summary.Errors > 0 ? ("Unknown", "EvaluationErrors", $"{summary.Errors} of {summary.Resources} resources could not be fully checked")
            : ("True", "NoViolations", $"{summary.Resources} resources checked, none violates");

        var conditions = new List<V1Condition>
        {
            Condition(previous, Ready, "True", "Evaluated", $"Evaluated {summary.Resources} resources", generation, now),
            Condition(previous, Compliant, compliantStatus, compliantReason, compliantMessage, generation, now),
        };
        if (evaluation.AwsErrors is { } awsErrors)
        {
            // Which services failed and why, one line per service and kind of failure.
            var failures = awsErrors.GroupBy(e => (e.Service, e.Kind))
                .Select(g => $"{g.Key.Service}: {g.Key.Kind} ({string.Join(", ", g.Select(e => e.Operation).Distinct())}): {g.First().Message}")
                .ToList();
            conditions.Add(failures.Count == 0
                ? Condition(previous, AwsReachable, "True", "FactsLearned", "Every AWS fact the policy needs was learned", generation, now)
                : Condition(previous, AwsReachable, "False", "AwsErrors", Cut(string.Join("; ", failures)), generation, now));
        }

        return new ResponsibilityPolicyStatus
        {
            ObservedGeneration = generation,
            LastEvaluated = previous?.LastEvaluated,
            Conditions = conditions,
            Summary = summary,
            Responsibilities = tally.Rows,
            TotalViolations = tally.TotalFails,
            Violations = violations,
            ClusterFindings = evaluation.ClusterFindings
                .Select(f => new ClusterFindingRecord { Rule = f.Rule.Id, Result = f.Result, Message = Cut(f.Message) })
                .ToList(),
            ExpiredExemptions = evaluation.ExpiredExemptions.Select(e => e.Name).ToList(),
        };
    }

    /// <summary>The status of a policy whose spec is invalid beyond what the CRD schema catches.</summary>
    public static ResponsibilityPolicyStatus InvalidSpec(ResponsibilityPolicy policy, string message, ResponsibilityPolicyStatus? previous, DateTimeOffset now)
    {
        var generation = policy.Metadata?.Generation;
        return new ResponsibilityPolicyStatus
        {
            ObservedGeneration = generation,
            LastEvaluated = previous?.LastEvaluated,
            Conditions =
            [
                Condition(previous, Ready, "False", "InvalidSpec", Cut(message), generation, now),
                Condition(previous, Compliant, "Unknown", "InvalidSpec", "The policy was not evaluated", generation, now),
            ],
            Summary = new ComplianceSummary(),
            Responsibilities = [],
            TotalViolations = 0,
            Violations = [],
            ClusterFindings = [],
            ExpiredExemptions = [],
            Remediations = [],
        };
    }

    /// <summary>True when the two statuses differ in anything but <c>lastEvaluated</c>.</summary>
    public static bool ContentDiffers(ResponsibilityPolicyStatus? current, ResponsibilityPolicyStatus desired)
    {
        if (current is null) return true;
        return Canonical(current) != Canonical(desired);
    }

    private static string Canonical(ResponsibilityPolicyStatus status)
    {
        var json = KubernetesJson.Serialize(status);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        // Compare what a reader of the status sees; absent and empty lists are the same to them.
        var parts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == "lastEvaluated") continue;
            if (property.Value.ValueKind is JsonValueKind.Null) continue;
            if (property.Value.ValueKind is JsonValueKind.Array && property.Value.GetArrayLength() == 0) continue;
            parts[property.Name] = property.Value.GetRawText();
        }

        return string.Join('\n', parts.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>
    /// One pass over every finding (an evaluation of a large cluster holds tens of thousands): the failing findings of
    /// resources, all fails with the cluster's, and passes and fails per responsibility row.
    /// </summary>
    private sealed class FindingTally
    {
        public List<(ResourceRef Resource, Finding Finding)> Violations { get; } = [];

        public int TotalFails { get; private set; }

        public List<ResponsibilityRowStatus> Rows { get; } = [];

        public static FindingTally Of(PolicyEvaluation evaluation)
        {
            var tally = new FindingTally();
            var rows = new SortedDictionary<ResponsibilityRow, ResponsibilityRowStatus>();
            foreach (var rule in evaluation.EnabledRules) rows.TryAdd(rule.Row, new ResponsibilityRowStatus { Row = rule.Row });
            foreach (var finding in evaluation.ClusterFindings)
            {
                rows.TryAdd(finding.Rule.Row, new ResponsibilityRowStatus { Row = finding.Rule.Row });
                tally.Count(finding, rows);
            }

            foreach (var resource in evaluation.Resources)
            {
                var findings = resource.Findings;
                for (var i = 0; i < findings.Count; i++)
                {
                    if (tally.Count(findings[i], rows)) tally.Violations.Add((resource.Resource, findings[i]));
                }
            }

            tally.Rows.AddRange(rows.Values);
            return tally;
        }

        /// <summary>Counts the finding on its row (a row no rule of the policy names is not reported); true for a fail.</summary>
        private bool Count(Finding finding, SortedDictionary<ResponsibilityRow, ResponsibilityRowStatus> rows)
        {
            var row = rows.GetValueOrDefault(finding.Rule.Row);
            switch (finding.Result)
            {
                case FindingResult.Pass:
                    if (row is not null) row.Passed++;
                    return false;
                case FindingResult.Fail:
                    if (row is not null) row.Failed++;
                    TotalFails++;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>A condition whose lastTransitionTime moves only when its status flips.</summary>
    private static V1Condition Condition(ResponsibilityPolicyStatus? previous, string type, string status, string reason, string message, long? generation, DateTimeOffset now)
    {
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        // metav1.Time has second precision: a value read back must equal the one written.
        var transition = old is not null && old.Status == status ? old.LastTransitionTime : TruncateToSeconds(now);
        return new V1Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = transition,
        };
    }

    public static DateTime TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    internal static string Cut(string message) => message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 1)] + "…";
}
