using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace EksHardening.Operator.Tests.Cli;

/// <summary>--output-file, --only-failed, --min-severity, --color (NO_COLOR), the progress line and the help's examples.</summary>
public sealed partial class ScanReportFlagsTests : ScanTestBase
{
    private static string Examples => RepositoryPaths.Of("deploy", "examples");

    private const string LatestPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec: {containers: [{name: app, image: "nginx:latest"}]}
        """;

    [Theory]
    [InlineData("json")]
    [InlineData("junit")]
    [InlineData("table")]
    public void Output_file_holds_the_report_stdout_stays_empty_and_stderr_gets_the_summary(string format)
    {
        var direct = Scan(null, "-f", Examples, "-o", format);
        var file = Path.Combine(Temp, "report.out");
        var outcome = Scan(null, "-f", Examples, "-o", format, "--output-file", file);

        Assert.Equal(direct.ExitCode, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal(Normalize(direct.Stdout), Normalize(File.ReadAllText(file)));
        var summary = Assert.Single(outcome.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("1 policy, ", summary, StringComparison.Ordinal);
        Assert.EndsWith($"{format} report written to {file}", summary.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Output_file_replaces_an_existing_file_whole_and_leaves_no_temporary_file()
    {
        var file = Write("report.json", new string('x', 5_000_000));
        var outcome = Scan(null, "-f", Write("pod.yaml", LatestPod), "--policy", Write("p.yaml", LatestPolicy), "-o", "json", "--output-file", file);
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        Assert.Equal("tags", JsonNode.Parse(File.ReadAllText(file))!["policies"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(["p.yaml", "pod.yaml", "report.json"], Directory.EnumerateFileSystemEntries(Temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("missing-dir/report.json", "directory")]
    [InlineData(".", "is a directory")]
    public void Output_file_in_a_missing_directory_or_naming_a_directory_is_a_usage_error(string relative, string expected)
    {
        var file = Path.Combine(Temp, relative);
        var outcome = Scan(null, "-f", Write("pod.yaml", LatestPod), "--output-file", file);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("--output-file", outcome.Stderr);
        Assert.Contains(expected, outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    public static TheoryData<string, bool, string?> Filters()
    {
        var data = new TheoryData<string, bool, string?>();
        foreach (var format in new[] { "table", "json", "sarif", "junit" })
        {
            data.Add(format, true, null);
            data.Add(format, false, "high");
            data.Add(format, true, "critical");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void Filters_list_exactly_the_unfiltered_findings_they_keep_and_leave_the_exit_code(string format, bool onlyFailed, string? minSeverity)
    {
        var all = Scan(null, "-f", Examples, "-o", format);
        List<string> args = ["-f", Examples, "-o", format];
        if (onlyFailed) args.Add("--only-failed");
        if (minSeverity is not null) args.AddRange(["--min-severity", minSeverity]);
        var filtered = Scan(null, [.. args]);

        Assert.Equal(all.ExitCode, filtered.ExitCode);
        var min = minSeverity is null ? Severity.Low : Enum.Parse<Severity>(minSeverity, ignoreCase: true);
        var expected = Listed(format, all.Stdout).Where(f => (!onlyFailed || f.Result == "fail") && f.Severity >= min).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), Listed(format, filtered.Stdout).Order());
    }

    [Fact]
    public void Min_severity_changes_what_is_listed_not_what_fails_the_build()
    {
        // The only failure is high: listing critical and above shows nothing, yet --fail-on high still fails.
        var outcome = Scan(null, "-f", Write("pod.yaml", LatestPod), "--policy", Write("p.yaml", LatestPolicy),
            "-o", "json", "--min-severity", "critical", "--fail-on", "high");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        var report = JsonNode.Parse(outcome.Stdout)!;
        Assert.Empty(report["policies"]![0]!["resources"]!.AsArray());
        Assert.Equal(1, report["policies"]![0]!["summary"]!["violating"]!.GetValue<int>());
        Assert.Equal("critical", report["filter"]!["minSeverity"]!.GetValue<string>());
    }

    [Fact]
    public void The_table_says_when_it_lists_only_some_findings()
    {
        var outcome = Scan(null, "-f", Examples, "--only-failed", "--min-severity", "high");
        Assert.Contains("Listed: only failed findings of severity high or above; the counts cover every finding.", outcome.Stdout);
        Assert.DoesNotContain("Listed:", Scan(null, "-f", Examples).Stdout);
    }

    [Theory]
    [InlineData(true, null, null, true)]
    [InlineData(false, null, null, false)]
    [InlineData(true, "1", null, false)]
    [InlineData(true, "", null, true)]
    [InlineData(false, null, "always", true)]
    [InlineData(true, null, "never", false)]
    [InlineData(true, "1", "always", true)]
    [InlineData(true, null, "AUTO", true)]
    public void The_table_is_coloured_on_a_terminal_unless_no_color_is_set_or_color_says_otherwise(
        bool terminal, string? noColor, string? colour, bool coloured)
    {
        var environment = new Dictionary<string, string>();
        if (noColor is not null) environment["NO_COLOR"] = noColor;
        List<string> args = ["-f", Examples];
        if (colour is not null) args.AddRange(["--color", colour]);

        var outcome = ScanWith(environment, terminal, null, [.. args]);
        Assert.Equal(coloured, outcome.Stdout.Contains('\u001b', StringComparison.Ordinal));
        // Colour changes nothing else: without the escapes the table is the plain one.
        var plain = ScanWith(environment, terminal: false, null, "-f", Examples);
        Assert.Equal(plain.Stdout, AnsiEscape().Replace(outcome.Stdout, ""));
    }

    [Fact]
    public void Colour_never_reaches_json_sarif_or_junit()
    {
        foreach (var format in new[] { "json", "sarif", "junit" })
        {
            Assert.DoesNotContain('\u001b', ScanWith(new Dictionary<string, string>(), terminal: true, null, "-f", Examples, "-o", format, "--color", "always").Stdout);
        }
    }

    [Fact]
    public void Inputs_over_a_thousand_objects_get_one_progress_line_on_stderr()
    {
        var pods = Write("many.yaml", ManyPods(1_001));
        var policy = Write("p.yaml", LatestPolicy);

        var piped = ScanWith(new Dictionary<string, string>(), terminal: false, null, "-f", pods, "--policy", policy, "--fail-on", "none");
        Assert.Equal("eks-hardening scan: scanned 1,001 objects against 1 policy\n", piped.Stderr.Replace("\r\n", "\n", StringComparison.Ordinal));

        var terminal = ScanWith(new Dictionary<string, string>(), terminal: true, null, "-f", pods, "--policy", policy, "--fail-on", "none");
        Assert.StartsWith("\rscanning 1,001 objects: policy 1/1 (tags)…", terminal.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("\rscanned 1,001 objects against 1 policy" + new string(' ', "scanning 1,001 objects: policy 1/1 (tags)…".Length - "scanned 1,001 objects against 1 policy".Length) + "\n",
            terminal.Stderr, StringComparison.Ordinal);

        var small = ScanWith(new Dictionary<string, string>(), terminal: true, null, "-f", Write("few.yaml", ManyPods(1_000)), "--policy", policy, "--fail-on", "none");
        Assert.Equal("", small.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--min-severity", "urgent" }, "--min-severity must be low, medium, high or critical, not 'urgent'")]
    [InlineData(new[] { "--color", "sometimes" }, "--color must be auto, always or never, not 'sometimes'")]
    [InlineData(new[] { "-o", "xml" }, "--output must be table, json, sarif or junit, not 'xml'")]
    public void Bad_values_are_usage_errors_naming_the_flag(string[] flags, string expected)
    {
        var outcome = Scan(null, ["-f", Examples, .. flags]);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains(expected, outcome.Stderr);
    }

    [Fact]
    public void The_help_has_examples_whose_flags_are_all_scan_flags()
    {
        var help = CommandLine.Invoke("scan", "--help").Stdout;
        var examples = help[(help.IndexOf("\nExamples:\n", StringComparison.Ordinal) + 1)..];
        var commands = examples.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("eks-hardening scan ", StringComparison.Ordinal)).ToList();
        Assert.True(commands.Count >= 4, examples);

        var documented = FlagInHelp().Matches(help[..help.IndexOf("\nExamples:\n", StringComparison.Ordinal)]).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            var scan = command[(command.IndexOf("eks-hardening scan ", StringComparison.Ordinal) + "eks-hardening scan ".Length)..];
            var flags = scan.Split(' ').Where(t => t.StartsWith('-') && t != "-").ToList();
            Assert.All(flags, flag => Assert.Contains(flag, documented));
        }
    }

    /// <summary>(rule severity, result) of every finding a report lists.</summary>
    private static List<(Severity Severity, string Result)> Listed(string format, string output)
    {
        var severities = RuleCatalog.All.ToDictionary(r => r.Id, r => r.Severity, StringComparer.Ordinal);
        switch (format)
        {
            case "table":
                return [.. TableRow().Matches(output).Select(m => (Enum.Parse<Severity>(m.Groups[1].Value, ignoreCase: true), m.Groups[2].Value))];
            case "json":
                var json = JsonNode.Parse(output)!;
                return [.. json["policies"]!.AsArray().SelectMany(p => p!["resources"]!.AsArray().SelectMany(r => r!["findings"]!.AsArray()).Concat(p["clusterFindings"]!.AsArray()))
                    .Select(f => (Enum.Parse<Severity>(f!["severity"]!.GetValue<string>(), ignoreCase: true), f["result"]!.GetValue<string>()))];
            case "sarif":
                return [.. JsonNode.Parse(output)!["runs"]![0]!["results"]!.AsArray()
                    .Select(r => (Enum.Parse<Severity>(r!["properties"]!["severity"]!.GetValue<string>(), ignoreCase: true), r["properties"]!["result"]!.GetValue<string>()))];
            default:
                return [.. XDocument.Parse(output).Descendants("testcase").Select(c => (severities[c.Attribute("classname")!.Value], c.Elements().FirstOrDefault()?.Name.LocalName switch
                {
                    "failure" => "fail",
                    "error" => "error",
                    "skipped" => "exempt",
                    _ => "pass",
                }))];
        }
    }

    /// <summary>The JUnit timestamp and times are the only parts of a report that differ between two runs.</summary>
    private static string Normalize(string report) => JunitTimes().Replace(report, "");

    private static string ManyPods(int count) =>
        "apiVersion: v1\nkind: List\nitems:\n" + string.Concat(Enumerable.Range(0, count).Select(i =>
            $"- {{apiVersion: v1, kind: Pod, metadata: {{name: p{i}, namespace: shop}}, spec: {{containers: [{{name: app, image: \"nginx:1.27\"}}]}}}}\n"));

    [GeneratedRegex(@"(?m)^    (critical|high|medium|low)\s+(fail|error|exempt)\s")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"(?<=\s)--[a-z-]+|(?<=\s)-[a-z](?=[ ,])")]
    private static partial Regex FlagInHelp();

    [GeneratedRegex(@" (timestamp|time)=""[^""]*""")]
    private static partial Regex JunitTimes();
}
