using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// The human report for a terminal: per policy, findings grouped by responsibility row (DESIGN §2
/// order) with fails, errors and exemptions listed and passes only counted; it ends with a
/// one-line summary of the whole scan. Long messages wrapped; the report's filter chooses the entries listed, the
/// counts cover every finding.
/// </summary>
/// <param name="width">Line width to wrap messages at. When that leaves under 30 characters for the message column, messages go on their own lines below each entry.</param>
/// <param name="colour">Colour the severity and result columns with ANSI escapes (for a terminal); the layout is the same.</param>
public sealed class TableReportWriter(int width = TableReportWriter.DefaultWidth, bool colour = false) : IScanReportWriter
{
    public const int DefaultWidth = 120;

    private const string Indent = "    ";
    private const string Gap = "  ";
    private const int SeverityWidth = 8;   // "critical"
    private const int ResultWidth = 6;     // "exempt"
    private const int MaxResourceWidth = 48;
    private const int MinMessageWidth = 30;

    private readonly int _width = Math.Max(width, 40);

    public void Write(ScanReport report, TextWriter output)
    {
        foreach (var policy in report.Policies)
        {
            WritePolicy(policy, report.Filter, output);
            output.WriteLine();
        }

        foreach (var note in report.ResourceNotes) output.WriteLine($"Note: {note}");
        var undecided = report.Policies.Where(p => p.UndecidedNamespaces.Count > 0).ToList();
        if (undecided.Count > 0)
        {
            var namespaces = undecided.SelectMany(p => p.UndecidedNamespaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            WriteWrapped(output, "Undecided: ", $"{Plural(undecided.Sum(p => p.UndecidedResources), "resource", "resources")} evaluated as selected because the labels of namespaces {string.Join(", ", namespaces)} were unknown; see the notes above.");
        }

        if (report.SkippedKinds.Count > 0)
        {
            var skipped = report.SkippedKinds.OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
            var count = skipped.Sum(k => k.Value);
            output.WriteLine($"Not evaluated: {Plural(count, "object", "objects")} of other kinds ({string.Join(", ", skipped.Select(k => $"{k.Key} {k.Value}"))})");
        }

        if (!report.Filter.ShowsEverything) output.WriteLine($"Listed: only {report.Filter.Description}; the counts cover every finding.");
        output.WriteLine(SummaryLine(report));
    }

    /// <summary>
    /// The last line: policy and resource counts by verdict (summed over policies) and failed
    /// findings by severity, e.g. <c>3 policies, 42 resources: 30 compliant, 9 violating, 2 exempt, 1 error; 57 failed findings (4 critical, 20 high, 30 medium, 3 low)</c>.
    /// </summary>
    public static string SummaryLine(ScanReport report)
    {
        int resources = 0, compliant = 0, violating = 0, exempt = 0, errors = 0;
        var failedBySeverity = new Dictionary<Severity, int>();
        foreach (var policy in report.Policies)
        {
            var summary = policy.Summary;
            resources += summary.Resources;
            compliant += summary.Compliant;
            violating += summary.Violating;
            exempt += summary.Exempt;
            errors += summary.Errors;
            foreach (var finding in policy.AllFindings)
            {
                if (finding.Result != FindingResult.Fail) continue;
                failedBySeverity[finding.Rule.Severity] = failedBySeverity.GetValueOrDefault(finding.Rule.Severity) + 1;
            }
        }

        var failed = failedBySeverity.Values.Sum();
        var line = new StringBuilder()
            .Append(Plural(report.Policies.Count, "policy", "policies")).Append(", ")
            .Append(Plural(resources, "resource", "resources")).Append(": ")
            .Append(compliant).Append(" compliant, ")
            .Append(violating).Append(" violating, ")
            .Append(exempt).Append(" exempt, ")
            .Append(Plural(errors, "error", "errors")).Append("; ")
            .Append(Plural(failed, "failed finding", "failed findings"));
        if (failed > 0)
        {
            line.Append(" (")
                .AppendJoin(", ", ReportTerms.SeverityOrder.Select(s => $"{failedBySeverity.GetValueOrDefault(s)} {ReportTerms.Name(s)}"))
                .Append(')');
        }

        return line.ToString();
    }

    private void WritePolicy(PolicyEvaluation policy, FindingFilter filter, TextWriter output)
    {
        var summary = policy.Summary;
        output.WriteLine($"Policy {policy.PolicyName} (mode {policy.Mode})");
        output.WriteLine($"  {Plural(summary.Resources, "resource", "resources")}: {summary.Compliant} compliant, {summary.Violating} violating, {summary.Exempt} exempt, {Plural(summary.Errors, "error", "errors")}");

        var entries = new List<Entry>();
        foreach (var resource in policy.Resources)
        {
            var label = resource.Resource.ToString();
            foreach (var finding in resource.Findings) entries.Add(new Entry(finding, label));
        }

        foreach (var finding in policy.ClusterFindings) entries.Add(new Entry(finding, "cluster"));

        if (entries.Count == 0)
        {
            output.WriteLine("  no findings: no rule of this policy applied to the scanned objects");
        }
        else
        {
            WriteRows(entries, filter, output);
        }

        if (UndecidedNamespacesNote.For(policy) is { } note)
        {
            output.WriteLine();
            WriteWrapped(output, "  Note: ", note);
        }

        if (policy.ExpiredExemptions.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("  Expired exemptions (no longer applied):");
            var nameWidth = policy.ExpiredExemptions.Max(e => e.Name.Length);
            foreach (var expired in policy.ExpiredExemptions)
            {
                WriteWrapped(output, $"{Indent}{expired.Name.PadRight(nameWidth)}{Gap}expired {ReportTerms.Timestamp(expired.Expires)}{Gap}", SingleLine(expired.Reason));
            }
        }
    }

    private void WriteRows(List<Entry> entries, FindingFilter filter, TextWriter output)
    {
        var listed = entries.Where(e => e.Finding.Result != FindingResult.Pass && filter.Includes(e.Finding)).ToList();
        var ruleWidth = Math.Max("RULE".Length, listed.Count == 0 ? 0 : listed.Max(e => e.Finding.Rule.Id.Length));
        var resourceWidth = Math.Min(MaxResourceWidth, Math.Max("RESOURCE".Length, listed.Count == 0 ? 0 : listed.Max(e => e.Resource.Length)));
        var messageColumn = Indent.Length + SeverityWidth + Gap.Length + ResultWidth + Gap.Length + ruleWidth + Gap.Length + resourceWidth + Gap.Length;

        var stacked = _width - messageColumn < MinMessageWidth;

        foreach (var row in ReportTerms.RowOrder)
        {
            var inRow = entries.Where(e => e.Finding.Rule.Row == row).ToList();
            if (inRow.Count == 0) continue;

            output.WriteLine();
            output.WriteLine($"  {row}: {CountLine(inRow)}");

            // Fails first, then errors, then exemptions; most severe first; otherwise evaluation order.
            var shown = inRow
                .Where(e => e.Finding.Result != FindingResult.Pass && filter.Includes(e.Finding))
                .OrderBy(e => ListOrder(e.Finding.Result))
                .ThenByDescending(e => e.Finding.Rule.Severity)
                .ToList();
            if (shown.Count == 0) continue;

            var header = Line("SEVERITY", "RESULT", "RULE", "RESOURCE", ruleWidth, resourceWidth) + (stacked ? "" : "MESSAGE");
            output.WriteLine(header.TrimEnd());
            foreach (var entry in shown)
            {
                var finding = entry.Finding;
                var message = SingleLine(finding.Message);
                if (finding.Exemption is not null) message += $" (exemption {finding.Exemption})";
                var severity = ReportTerms.Name(finding.Rule.Severity);
                var result = ReportTerms.Name(finding.Result);
                var resource = Truncate(entry.Resource, resourceWidth);
                var prefix = Line(severity, result, finding.Rule.Id, resource, ruleWidth, resourceWidth);
                var painted = colour
                    ? Indent + Paint(severity, SeverityWidth, SeverityColour(finding.Rule.Severity)) + Gap + Paint(result, ResultWidth, ResultColour(finding.Result)) + Gap
                      + finding.Rule.Id.PadRight(ruleWidth) + Gap + resource.PadRight(resourceWidth) + Gap
                    : null;
                WriteWrapped(output, prefix, message, painted);
            }
        }
    }

    /// <summary>
    /// Writes the prefix and the text wrapped in the column after it; when that column would be
    /// narrower than <see cref="MinMessageWidth"/>, the text goes on its own lines below instead.
    /// </summary>
    /// <param name="paintedPrefix">The prefix with colours, written instead of it; the plain one sets the layout.</param>
    private void WriteWrapped(TextWriter output, string prefix, string text, string? paintedPrefix = null)
    {
        if (_width - prefix.Length >= MinMessageWidth)
        {
            var lines = Wrap(text, _width - prefix.Length);
            output.WriteLine(((paintedPrefix ?? prefix) + lines[0]).TrimEnd());
            var continuation = new string(' ', prefix.Length);
            for (var i = 1; i < lines.Count; i++) output.WriteLine(continuation + lines[i]);
        }
        else
        {
            output.WriteLine((paintedPrefix ?? prefix).TrimEnd());
            const string below = Indent + "  ";
            foreach (var line in Wrap(text, _width - below.Length)) output.WriteLine(below + line);
        }
    }

    /// <summary>The word in colour, then the padding (outside the escapes, so that widths stay those of the text).</summary>
    private static string Paint(string word, int width, string code) => $"\u001b[{code}m{word}\u001b[0m{new string(' ', Math.Max(0, width - word.Length))}";

    /// <summary>SGR codes: bold red, red, yellow, blue.</summary>
    private static string SeverityColour(Severity severity) => severity switch
    {
        Severity.Critical => "1;31",
        Severity.High => "31",
        Severity.Medium => "33",
        _ => "34",
    };

    /// <summary>SGR codes: red for a fail, magenta for an error (not judged), cyan for an exemption.</summary>
    private static string ResultColour(FindingResult result) => result switch
    {
        FindingResult.Fail => "31",
        FindingResult.Error => "35",
        FindingResult.Exempt => "36",
        _ => "32",
    };

    private static string Line(string severity, string result, string rule, string resource, int ruleWidth, int resourceWidth) =>
        Indent + severity.PadRight(SeverityWidth) + Gap + result.PadRight(ResultWidth) + Gap + rule.PadRight(ruleWidth) + Gap + resource.PadRight(resourceWidth) + Gap;

    private static string CountLine(List<Entry> inRow)
    {
        int passed = 0, failed = 0, exempt = 0, errors = 0;
        foreach (var entry in inRow)
        {
            switch (entry.Finding.Result)
            {
                case FindingResult.Pass: passed++; break;
                case FindingResult.Fail: failed++; break;
                case FindingResult.Exempt: exempt++; break;
                case FindingResult.Error: errors++; break;
            }
        }

        var line = $"{passed} passed, {failed} failed";
        if (exempt > 0) line += $", {exempt} exempt";
        if (errors > 0) line += $", {Plural(errors, "error", "errors")}";
        return line;
    }

    private static int ListOrder(FindingResult result) => result switch
    {
        FindingResult.Fail => 0,
        FindingResult.Error => 1,
        _ => 2,
    };

    private static string Plural(int count, string one, string many) => $"{count} {(count == 1 ? one : many)}";

    /// <summary>Control characters (newlines, tabs) would break the columns.</summary>
    private static string SingleLine(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(char.IsControl(c) ? ' ' : c);
        return builder.ToString();
    }

    private static string Truncate(string text, int width) =>
        text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 3), "...");

    /// <summary>Word-wraps to the width; a word longer than the width is split.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word.AsSpan();
            while (rest.Length > 0)
            {
                var room = current.Length == 0 ? width : width - current.Length - 1;
                if (rest.Length <= room)
                {
                    if (current.Length > 0) current.Append(' ');
                    current.Append(rest);
                    rest = [];
                }
                else if (current.Length > 0)
                {
                    lines.Add(current.ToString());
                    current.Clear();
                }
                else
                {
                    lines.Add(rest[..width].ToString());
                    rest = rest[width..];
                }
            }
        }

        if (current.Length > 0 || lines.Count == 0) lines.Add(current.ToString());
        return lines;
    }

    private readonly record struct Entry(Finding Finding, string Resource);
}
