namespace EksHardening.Operator.Tests.Reporting;

public class TableReportWriterTests
{
    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    /// <summary>Wide by default, so that content assertions see each entry on one line.</summary>
    private static string Render(int width = 200) =>
        ReportSamples.Render(new TableReportWriter(width), ReportSamples.Full());

    [Fact]
    public void Ends_with_the_one_line_summary()
    {
        var lines = Lines(Render());
        Assert.Equal(
            "2 policies, 6 resources: 1 compliant, 3 violating, 1 exempt, 1 error; 6 failed findings (1 critical, 3 high, 1 medium, 1 low)",
            lines[^1]);
        Assert.Equal("Not evaluated: 5 objects of other kinds (v1/ConfigMap 3, v1/Service 2)", lines[^2]);
    }

    [Fact]
    public void Empty_report_still_ends_with_the_summary()
    {
        var text = ReportSamples.Render(new TableReportWriter(), ReportSamples.Empty());
        Assert.Equal("0 policies, 0 resources: 0 compliant, 0 violating, 0 exempt, 0 errors; 0 failed findings\n", text);
    }

    [Fact]
    public void Policy_header_names_the_policy_and_mode_with_its_counts()
    {
        var lines = Lines(Render());
        Assert.Equal("Policy production (mode Audit)", lines[0]);
        Assert.Equal("  5 resources: 1 compliant, 2 violating, 1 exempt, 1 error", lines[1]);
        Assert.Contains("Policy staging (mode Enforce)", lines);
        Assert.Contains("  1 resource: 0 compliant, 1 violating, 0 exempt, 0 errors", lines);
    }

    [Fact]
    public void Rows_appear_in_design_order_with_pass_and_fail_counts()
    {
        var lines = Lines(Render());
        var production = lines.TakeWhile(l => l != "Policy staging (mode Enforce)").ToList();
        string[] expected =
        [
            "  InfrastructureSecurity: 3 passed, 3 failed, 1 exempt",
            "  IdentityManagement: 2 passed, 0 failed",
            "  PatchManagement: 0 passed, 0 failed, 2 errors",
            "  NetworkSecurity: 1 passed, 1 failed",
            "  Monitoring: 0 passed, 1 failed",
        ];
        var positions = expected.Select(row => production.IndexOf(row)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, string.Join("\n", production)));
        Assert.Equal(positions.Order().ToList(), positions);
        Assert.DoesNotContain(production, l => l.Contains("DataEncryption", StringComparison.Ordinal));
    }

    [Fact]
    public void Fails_errors_and_exemptions_are_listed_passes_only_counted()
    {
        var text = Render();
        var lines = Lines(text);
        var web = lines.Single(l => l.Contains("pss.privileged", StringComparison.Ordinal));
        Assert.Matches(@"^    critical  fail    pss\.privileged +Deployment shop/web +container web sets securityContext\.privileged: true$", web);
        Assert.Contains(lines, l => l.StartsWith("    high      exempt  image.tag-not-latest", StringComparison.Ordinal) && l.EndsWith("container db uses :latest (exemption legacy-db)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("    critical  error   image.vulnerabilities", StringComparison.Ordinal) && l.Contains("Pod batch/job-1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("cluster.control-plane-logging", StringComparison.Ordinal) && l.Contains(" cluster ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("irsa.token-automount", StringComparison.Ordinal)); // passed everywhere
        Assert.DoesNotContain(lines, l => l.EndsWith(" ok", StringComparison.Ordinal));
    }

    [Fact]
    public void Within_a_row_fails_come_first_most_severe_first()
    {
        var lines = Lines(Render());
        var infra = lines.SkipWhile(l => !l.StartsWith("  InfrastructureSecurity", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Where(l => l[4] != ' ').Select(l => l[4..20].TrimEnd()).ToList();
        Assert.Equal(["critical  fail", "high      fail", "low       fail", "high      exempt"], infra);
    }

    [Fact]
    public void Columns_are_aligned_within_a_policy()
    {
        var lines = Lines(Render());
        var production = lines.TakeWhile(l => l != "Policy staging (mode Enforce)").ToList();
        var header = production.First(l => l.StartsWith("    SEVERITY", StringComparison.Ordinal));
        var messageColumn = header.IndexOf("MESSAGE", StringComparison.Ordinal);
        var resourceColumn = header.IndexOf("RESOURCE", StringComparison.Ordinal);
        var entries = production.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^    (critical|high|medium|low) ")).ToList();
        Assert.Equal(8, entries.Count);
        foreach (var line in entries)
        {
            Assert.NotEqual(' ', line[resourceColumn]);
            Assert.Equal(' ', line[resourceColumn - 1]);
            Assert.NotEqual(' ', line[messageColumn]);
            Assert.Equal(' ', line[messageColumn - 1]);
        }
    }

    [Fact]
    public void Long_messages_wrap_under_the_message_column_within_the_width()
    {
        // Wide enough for the 30-character minimum message column of the production policy.
        const int width = 110;
        var lines = Lines(Render(width));
        Assert.All(lines.Take(lines.Length - 1), l => Assert.True(l.Length <= width, $"{l.Length}: {l}"));
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));

        var staging = lines.SkipWhile(l => l != "Policy staging (mode Enforce)").ToList();
        var header = staging.First(l => l.StartsWith("    SEVERITY", StringComparison.Ordinal));
        var column = header.IndexOf("MESSAGE", StringComparison.Ordinal);
        var first = staging.FindIndex(l => l.Contains("Deployment staging/api", StringComparison.Ordinal));
        var continuation = staging.Skip(first + 1).TakeWhile(l => l.Length > column && l[..column].Trim().Length == 0).ToList();
        Assert.NotEmpty(continuation);
        var rejoined = string.Join(' ', new[] { staging[first][column..] }.Concat(continuation.Select(l => l[column..])));
        Assert.Equal(ReportSamples.LongMessage, rejoined);
    }

    [Fact]
    public void Narrow_terminals_get_messages_on_their_own_lines()
    {
        const int width = 80;
        var lines = Lines(Render(width));
        Assert.All(lines.Take(lines.Length - 1), l => Assert.True(l.Length <= width, $"{l.Length}: {l}"));
        var entry = Array.FindIndex(lines, l => l.Contains("pss.privileged", StringComparison.Ordinal));
        Assert.EndsWith("Deployment shop/web", lines[entry], StringComparison.Ordinal);
        Assert.Equal("      container web sets securityContext.privileged: true", lines[entry + 1]);
        Assert.Contains(lines, l => l.StartsWith("    SEVERITY", StringComparison.Ordinal) && l.EndsWith("RESOURCE", StringComparison.Ordinal));
        var expired = Array.FindIndex(lines, l => l.StartsWith("    old-vendor", StringComparison.Ordinal));
        Assert.Equal("    old-vendor  expired 2026-01-01T00:00:00Z  vendor image, replacement tracked", lines[expired]);
        Assert.Equal("                                              in JIRA-123", lines[expired + 1]);
    }

    [Fact]
    public void Default_width_is_a_common_wide_terminal() => Assert.Equal(120, TableReportWriter.DefaultWidth);

    [Fact]
    public void Expired_exemptions_are_noted()
    {
        var lines = Lines(Render());
        var at = Array.IndexOf(lines, "  Expired exemptions (no longer applied):");
        Assert.True(at > 0);
        Assert.Equal("    old-vendor  expired 2026-01-01T00:00:00Z  vendor image, replacement tracked in JIRA-123", lines[at + 1]);
    }

    [Fact]
    public void Output_is_ascii_for_ascii_input()
    {
        Assert.All(Render(), c => Assert.True(c == '\n' || (c >= ' ' && c < 127), $"non-ASCII or control char {(int)c}"));
    }

    [Fact]
    public void Wrap_splits_words_longer_than_the_width()
    {
        Assert.Equal(["abcde", "fghij", "k xy"], TableReportWriter.Wrap("abcdefghijk xy", 5));
        Assert.Equal([""], TableReportWriter.Wrap("", 5));
    }
}
