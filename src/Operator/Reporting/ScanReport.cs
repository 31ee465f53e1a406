using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>Everything one offline scan found, ready for an output format.</summary>
/// <param name="SkippedKinds">Objects of kinds the scanner does not evaluate, counted by "apiVersion/kind".</param>
public sealed record ScanReport(
    string Version,
    IReadOnlyList<PolicyEvaluation> Policies,
    IReadOnlyDictionary<string, int> SkippedKinds)
{
    public const string ToolName = "eks-hardening";

    /// <summary>Which findings the outputs list; summaries count every finding.</summary>
    public FindingFilter Filter { get; init; } = FindingFilter.All;

    /// <summary>When the evaluation started (JUnit's timestamp).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long each policy's evaluation took, in the order of <see cref="Policies"/> (JUnit's time); empty when not measured.</summary>
    public IReadOnlyList<TimeSpan> EvaluationTimes { get; init; } = [];

    /// <summary>
    /// Notes on how resources were read (a removed apiVersion), each once with the resource it concerns, e.g.
    /// "Deployment shop/web: extensions/v1beta1 Deployment: API removed in Kubernetes 1.16; …". Every output shows them.
    /// </summary>
    public IReadOnlyList<string> ResourceNotes =>
        Policies.SelectMany(p => p.Resources).SelectMany(r => r.Notes.Select(n => $"{r.Resource}: {n}"))
            .Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Renders a scan report in one output format (table, json, sarif, junit).</summary>
public interface IScanReportWriter
{
    void Write(ScanReport report, TextWriter output);
}
