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
}

/// <summary>Renders a scan report in one output format (table, json, sarif).</summary>
public interface IScanReportWriter
{
    void Write(ScanReport report, TextWriter output);
}
