using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace EksHardening.Operator.Tests.Reporting;

public sealed class JunitReportWriterTests
{
    private static readonly XmlSchemaSet Schema = LoadSchema();

    [Fact]
    public void The_report_validates_against_the_jenkins_junit_schema()
    {
        var xml = Render(ReportSamples.Full());
        Assert.Empty(SchemaErrors(xml));
    }

    [Fact]
    public void An_empty_scan_validates_too()
    {
        var xml = Render(ReportSamples.Empty());
        Assert.Empty(SchemaErrors(xml));
        Assert.Equal("0", XDocument.Parse(xml).Root!.Attribute("tests")!.Value);
    }

    [Fact]
    public void The_schema_rejects_what_it_should_so_validation_is_not_vacuous()
    {
        // A testsuite without its required counts, and an unknown element: both must be reported.
        Assert.NotEmpty(SchemaErrors("<testsuites><testsuite name=\"x\"><bogus/></testsuite></testsuites>"));
    }

    [Fact]
    public void Each_policy_is_a_testsuite_with_counts_of_its_testcases()
    {
        var suites = XDocument.Parse(Render(ReportSamples.Full())).Root!.Elements("testsuite").ToList();
        Assert.Equal(["policy production", "policy staging"], suites.Select(s => s.Attribute("name")!.Value));

        // production: web (fail, fail, pass, error), db (pass, exempt, pass), job-1 (pass, error), shop (fail, fail),
        // batch (pass, pass) and one failed cluster finding.
        var production = suites[0];
        Assert.Equal(("14", "5", "2", "1"), Counts(production));
        Assert.Equal(14, production.Elements("testcase").Count());
        Assert.Equal(5, production.Elements("testcase").Count(c => c.Element("failure") is not null));
        Assert.Equal(2, production.Elements("testcase").Count(c => c.Element("error") is not null));
        Assert.Equal(1, production.Elements("testcase").Count(c => c.Element("skipped") is not null));
        Assert.Equal(("2", "1", "0", "0"), Counts(suites[1]));

        var root = XDocument.Parse(Render(ReportSamples.Full())).Root!;
        Assert.Equal("16", root.Attribute("tests")!.Value);
        Assert.Equal("6", root.Attribute("failures")!.Value);
        Assert.Equal("2", root.Attribute("errors")!.Value);
    }

    [Fact]
    public void A_failure_carries_the_message_the_severity_and_where_to_look()
    {
        var web = Cases(ReportSamples.Full()).First(c =>
            c.Attribute("classname")!.Value == "pss.privileged" && c.Attribute("name")!.Value.StartsWith("Deployment shop/web", StringComparison.Ordinal));
        Assert.Equal("Deployment shop/web spec.template.spec.containers[0].securityContext.privileged", web.Attribute("name")!.Value);
        var failure = web.Element("failure")!;
        Assert.Equal("container web sets securityContext.privileged: true", failure.Attribute("message")!.Value);
        Assert.Equal("critical", failure.Attribute("type")!.Value);
        Assert.Contains("source: deploy/shop/web.yaml:12", failure.Value);
        Assert.Contains("remediation: Remove securityContext.privileged", failure.Value);
    }

    [Fact]
    public void Errors_are_errors_exemptions_are_skipped_and_passes_are_bare()
    {
        var cases = Cases(ReportSamples.Full());
        var error = cases.First(c => c.Element("error") is not null).Element("error")!;
        Assert.Equal("ECR denied ecr:DescribeImageScanFindings", error.Attribute("message")!.Value);
        Assert.Contains("this is not a pass", error.Value);

        var skipped = cases.Single(c => c.Element("skipped") is not null).Element("skipped")!;
        Assert.Equal("exempt by legacy-db: container db uses :latest", skipped.Attribute("message")!.Value);

        var pass = cases.First(c => c.Attribute("classname")!.Value == "irsa.token-automount");
        Assert.Empty(pass.Elements());
    }

    [Fact]
    public void Cluster_findings_and_expired_exemptions_are_reported()
    {
        var cases = Cases(ReportSamples.Full());
        Assert.Contains(cases, c => c.Attribute("name")!.Value == "cluster" && c.Attribute("classname")!.Value == "cluster.control-plane-logging"
                                    && c.Element("failure") is not null);
        var production = XDocument.Parse(Render(ReportSamples.Full())).Root!.Elements("testsuite").First();
        Assert.Contains("Expired exemption (no longer applied): old-vendor", production.Element("system-out")!.Value);
    }

    [Fact]
    public void Timestamp_and_time_come_from_the_report()
    {
        var full = ReportSamples.Full();
        var report = new ScanReport(full.Version, full.Policies, full.SkippedKinds)
        {
            StartedAt = new DateTimeOffset(2026, 12, 5, 10, 30, 15, TimeSpan.FromHours(2)),
            EvaluationTimes = [TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(250)],
        };
        var root = XDocument.Parse(Render(report)).Root!;
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal("2026-12-05T08:30:15", suites[0].Attribute("timestamp")!.Value);
        Assert.Equal("1.500", suites[0].Attribute("time")!.Value);
        Assert.Equal("0.250", suites[1].Attribute("time")!.Value);
        Assert.Equal("1.750", root.Attribute("time")!.Value);
        Assert.Empty(SchemaErrors(Render(report)));
    }

    [Theory]
    [InlineData(true, null, 6)]
    [InlineData(false, Severity.Critical, 6)]
    [InlineData(true, Severity.Critical, 1)]
    public void The_filter_keeps_only_the_listed_findings(bool onlyFailed, Severity? minSeverity, int expected)
    {
        var full = ReportSamples.Full();
        var report = new ScanReport(full.Version, full.Policies, full.SkippedKinds) { Filter = new FindingFilter(onlyFailed, minSeverity) };
        var cases = Cases(report);
        Assert.Equal(expected, cases.Count);
        Assert.All(cases, c =>
        {
            if (onlyFailed) Assert.NotNull(c.Element("failure"));
        });
        Assert.Empty(SchemaErrors(Render(report)));
    }

    [Fact]
    public void Characters_xml_cannot_carry_are_replaced_not_written()
    {
        Assert.Equal("a\uFFFDb", JunitReportWriter.XmlText("a\u0001b"));
        Assert.Equal("tab\tand emoji \U0001F600", JunitReportWriter.XmlText("tab\tand emoji \U0001F600"));
        Assert.Equal("lone \uFFFD", JunitReportWriter.XmlText("lone \uD800"));
    }

    private static (string Tests, string Failures, string Errors, string Skipped) Counts(XElement suite) =>
        (suite.Attribute("tests")!.Value, suite.Attribute("failures")!.Value, suite.Attribute("errors")!.Value, suite.Attribute("skipped")!.Value);

    private static List<XElement> Cases(ScanReport report) =>
        XDocument.Parse(Render(report)).Descendants("testcase").ToList();

    private static string Render(ScanReport report) => ReportSamples.Render(new JunitReportWriter(), report);

    private static List<string> SchemaErrors(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schema };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
        }

        return errors;
    }

    private static XmlSchemaSet LoadSchema()
    {
        var set = new XmlSchemaSet();
        using var reader = XmlReader.Create(RepositoryPaths.Of("tests", "Operator.Tests", "Reporting", "Fixtures", "junit-10.xsd"));
        set.Add(null, reader);
        set.Compile();
        return set;
    }
}
