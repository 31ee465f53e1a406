using System.Xml;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// JUnit XML, the test-report format CI systems read (Jenkins, GitLab <c>artifacts:reports:junit</c>, GitHub test
/// reporters), in the shape of the Ant/Jenkins schema (junit-10.xsd of jenkinsci/xunit-plugin): a
/// <c>&lt;testsuite&gt;</c> per policy and a <c>&lt;testcase&gt;</c> per finding, i.e. per resource and rule evaluated.
/// </summary>
/// <remarks>
/// Mapping: a fail is a <c>&lt;failure&gt;</c> (type: the rule's severity), an error (a fact that could not be learned) an
/// <c>&lt;error&gt;</c>, an exemption a <c>&lt;skipped&gt;</c>, a pass a bare testcase. The classname is the rule id (CI
/// systems group by its dotted prefix, the rule family); the name is the resource and, when the finding concerns one
/// field, its path, so that two containers of one workload are two testcases.
/// </remarks>
public sealed class JunitReportWriter : IScanReportWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Indent = true,
        OmitXmlDeclaration = true,
        NewLineChars = "\n",
    };

    public void Write(ScanReport report, TextWriter output)
    {
        var suites = report.Policies.Select((policy, i) => new Suite(policy, Cases(policy, report.Filter),
            i < report.EvaluationTimes.Count ? report.EvaluationTimes[i] : TimeSpan.Zero)).ToList();

        // The declaration by hand: an XmlWriter over a TextWriter would name the writer's encoding (UTF-16 for a string).
        output.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        using (var xml = XmlWriter.Create(output, Settings))
        {
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", $"{ScanReport.ToolName} scan");
            xml.WriteAttributeString("tests", Count(suites.Sum(s => s.Cases.Count)));
            xml.WriteAttributeString("failures", Count(suites.Sum(s => s.Count(FindingResult.Fail))));
            xml.WriteAttributeString("errors", Count(suites.Sum(s => s.Count(FindingResult.Error))));
            xml.WriteAttributeString("time", Seconds(suites.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Time)));
            foreach (var suite in suites) WriteSuite(xml, suite, report);
            xml.WriteEndElement();
        }

        output.Write('\n');
    }

    private static void WriteSuite(XmlWriter xml, Suite suite, ScanReport report)
    {
        var policy = suite.Policy;
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", $"policy {policy.PolicyName}");
        xml.WriteAttributeString("tests", Count(suite.Cases.Count));
        xml.WriteAttributeString("failures", Count(suite.Count(FindingResult.Fail)));
        xml.WriteAttributeString("errors", Count(suite.Count(FindingResult.Error)));
        xml.WriteAttributeString("skipped", Count(suite.Count(FindingResult.Exempt)));
        xml.WriteAttributeString("timestamp", report.StartedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        xml.WriteAttributeString("time", Seconds(suite.Time));

        xml.WriteStartElement("properties");
        Property(xml, "tool", $"{ScanReport.ToolName} {report.Version}");
        Property(xml, "mode", policy.Mode.ToString());
        if (!report.Filter.ShowsEverything) Property(xml, "listed", $"only {report.Filter.Description}");
        xml.WriteEndElement();

        foreach (var (finding, resource, source) in suite.Cases) WriteCase(xml, finding, resource, source);

        var notes = SuiteNotes(policy).ToList();
        if (notes.Count > 0) xml.WriteElementString("system-out", XmlText(string.Join('\n', notes)));
        xml.WriteEndElement();
    }

    private static void WriteCase(XmlWriter xml, Finding finding, ResourceRef? resource, SourceLocation? source)
    {
        var subject = resource?.ToString() ?? "cluster";
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("name", XmlText(finding.Path is null ? subject : $"{subject} {finding.Path}"));
        xml.WriteAttributeString("classname", finding.Rule.Id);
        var element = finding.Result switch
        {
            FindingResult.Fail => "failure",
            FindingResult.Error => "error",
            FindingResult.Exempt => "skipped",
            _ => null,
        };
        if (element is not null)
        {
            xml.WriteStartElement(element);
            var message = finding.Result == FindingResult.Exempt
                ? $"exempt{(finding.Exemption is null ? "" : $" by {finding.Exemption}")}: {finding.Message}"
                : finding.Message;
            xml.WriteAttributeString("message", XmlText(message));
            xml.WriteAttributeString("type", ReportTerms.Name(finding.Rule.Severity));
            xml.WriteString(XmlText(Details(finding, subject, source)));
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    /// <summary>What a CI page shows under the failure: the rule, where the resource is, the field, the remedy.</summary>
    private static string Details(Finding finding, string subject, SourceLocation? source)
    {
        var text = new StringBuilder()
            .Append("rule: ").Append(finding.Rule.Id).Append(" (").Append(finding.Rule.Title).Append(")\n")
            .Append("resource: ").Append(subject).Append('\n');
        if (source is not null) text.Append("source: ").Append(source).Append('\n');
        if (finding.Path is not null) text.Append("field: ").Append(finding.Path).Append('\n');
        if (finding.Image is not null) text.Append("image: ").Append(finding.Image).Append('\n');
        if (finding.Result == FindingResult.Error) text.Append("not evaluated: the fact above could not be learned; this is not a pass\n");
        text.Append("remediation: ").Append(finding.Rule.Remediation);
        return text.ToString();
    }

    private static IEnumerable<string> SuiteNotes(PolicyEvaluation policy)
    {
        if (UndecidedNamespacesNote.For(policy) is { } undecided) yield return $"Note: {undecided}";
        foreach (var resource in policy.Resources)
        {
            foreach (var note in resource.Notes) yield return $"Note: {resource.Resource}: {note}";
        }

        foreach (var expired in policy.ExpiredExemptions)
        {
            yield return $"Expired exemption (no longer applied): {expired.Name}, expired {ReportTerms.Timestamp(expired.Expires)}: {expired.Reason}";
        }
    }

    private static List<(Finding Finding, ResourceRef? Resource, SourceLocation? Source)> Cases(PolicyEvaluation policy, FindingFilter filter)
    {
        var cases = new List<(Finding, ResourceRef?, SourceLocation?)>();
        foreach (var resource in policy.Resources)
        {
            cases.AddRange(resource.Findings.Where(filter.Includes).Select(f => (f, (ResourceRef?)resource.Resource, resource.Source)));
        }

        cases.AddRange(policy.ClusterFindings.Where(filter.Includes).Select(f => (f, (ResourceRef?)null, (SourceLocation?)null)));
        return cases;
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", XmlText(value));
        xml.WriteEndElement();
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds with a dot and three decimals, as the schema's SUREFIRE_TIME pattern reads them.</summary>
    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Characters XML 1.0 cannot carry (most control characters, lone surrogates) become U+FFFD rather than breaking the file.</summary>
    internal static string XmlText(string text)
    {
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (XmlConvert.IsXmlChar(c))
            {
                clean?.Append(c);
                continue;
            }

            clean ??= new StringBuilder(text.Length).Append(text, 0, i);
            clean.Append('\uFFFD');
        }

        return clean?.ToString() ?? text;
    }

    private sealed record Suite(PolicyEvaluation Policy, List<(Finding Finding, ResourceRef? Resource, SourceLocation? Source)> Cases, TimeSpan Time)
    {
        public int Count(FindingResult result) => Cases.Count(c => c.Finding.Result == result);
    }
}
