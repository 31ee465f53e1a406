using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// Which findings a report lists (<c>--only-failed</c>, <c>--min-severity</c>). Summaries and counts always cover the
/// whole scan, and the exit code (<c>--fail-on</c>) does not depend on it: it narrows what is shown, never what is judged.
/// </summary>
/// <param name="OnlyFailed">Only <c>fail</c> findings (not passes, errors or exemptions).</param>
/// <param name="MinSeverity">Only findings of rules at this severity or above; null: every severity.</param>
public sealed record FindingFilter(bool OnlyFailed, Severity? MinSeverity)
{
    public static readonly FindingFilter All = new(false, null);

    public bool ShowsEverything => !OnlyFailed && MinSeverity is null;

    /// <summary>What is listed, e.g. <c>failed findings of severity high or above</c>.</summary>
    public string Description =>
        (OnlyFailed ? "failed findings" : "findings") + (MinSeverity is { } min ? $" of severity {ReportTerms.Name(min)} or above" : "");

    public bool Includes(Finding finding) =>
        (!OnlyFailed || finding.Result == FindingResult.Fail) && (MinSeverity is not { } min || finding.Rule.Severity >= min);
}
