namespace EksHardening.Operator.Tests.Reporting;

/// <summary>
/// SARIF output, validated by Microsoft's SARIF Multitool (<c>validate</c>: the SARIF 2.1.0 schema
/// plus the SARIF validation rules), plus the extra demands of GitHub code scanning.
/// </summary>
public class SarifReportWriterTests
{
    private static string Render(EksHardening.Operator.Reporting.ScanReport report) =>
        ReportSamples.Render(new SarifReportWriter("/abs/repo"), report);

    private static void AssertValid(string sarif)
    {
        var errors = SarifMultitool.Errors(sarif);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Full_report_is_valid_sarif() => AssertValid(Render(ReportSamples.Full()));

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Empty_report_is_valid_sarif()
    {
        var sarif = Render(ReportSamples.Empty());
        AssertValid(sarif);
        var run = JsonNode.Parse(sarif)!["runs"]![0]!;
        Assert.Empty(run["results"]!.AsArray());
        Assert.Empty(run["tool"]!["driver"]!["rules"]!.AsArray());
    }

    [Trait("Category", "Slow")]
    [SkippableTheory]
    [InlineData("version", "\"2.0.0\"")]
    [InlineData("result message", "{}")]
    [InlineData("region startLine", "0")]
    [InlineData("result extra", "1")]
    public void The_validator_rejects_broken_documents(string what, string value)
    {
        var sarif = JsonNode.Parse(Render(ReportSamples.Full()))!.AsObject();
        var run = sarif["runs"]![0]!;
        var results = run["results"]!.AsArray();
        var broken = JsonNode.Parse(value);
        switch (what)
        {
            case "version": sarif["version"] = broken; break;
            case "result level": results[0]!["level"] = broken; break;
            case "result message": results[0]!["message"] = broken; break;
            case "suppression kind": results.First(r => r!["suppressions"] is not null)!["suppressions"]![0]!["kind"] = broken; break;
            case "region startLine": results[0]!["locations"]![0]!["physicalLocation"]!["region"]!["startLine"] = broken; break;
            case "rule level": run["tool"]!["driver"]!["rules"]![0]!["defaultConfiguration"]!["level"] = broken; break;
            case "result extra": results[0]!["severity"] = broken; break;
        }

        Assert.NotEmpty(SarifMultitool.Errors(sarif.ToJsonString()));
    }

    /// <summary>The Multitool does not check enumerations, so the SARIF 2.1.0 value sets are checked here.</summary>
    [Fact]
    public void Enumerated_values_are_those_of_SARIF_2_1_0()
    {
        string[] levels = ["none", "note", "warning", "error"];
        string[] kinds = ["notApplicable", "pass", "fail", "review", "open", "informational"];
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var run = sarif.RootElement.GetProperty("runs")[0];
        foreach (var rule in run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
        {
            Assert.Contains(rule.GetProperty("defaultConfiguration").GetProperty("level").GetString(), levels);
        }

        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        foreach (var result in results)
        {
            if (result.TryGetProperty("level", out var level)) Assert.Contains(level.GetString(), levels);
            if (result.TryGetProperty("kind", out var kind)) Assert.Contains(kind.GetString(), kinds);
            if (!result.TryGetProperty("suppressions", out var suppressions)) continue;
            foreach (var suppression in suppressions.EnumerateArray())
            {
                Assert.Contains(suppression.GetProperty("kind").GetString(), (string[])["inSource", "external"]);
                Assert.Contains(suppression.GetProperty("status").GetString(), (string[])["accepted", "underReview", "rejected"]);
            }
        }
    }

    [Fact]
    public void Log_names_schema_version_and_one_run_of_the_tool()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var root = sarif.RootElement;
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", root.GetProperty("$schema").GetString());
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("eks-hardening", driver.GetProperty("name").GetString());
        Assert.Equal("1.2.3", driver.GetProperty("version").GetString());
        Assert.True(Uri.IsWellFormedUriString(driver.GetProperty("informationUri").GetString(), UriKind.Absolute));
    }

    [Fact]
    public void Rules_describe_every_evaluated_rule_once()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var rules = sarif.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("rules")
            .EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(
            new[] { "cluster.control-plane-logging", "image.tag-not-latest", "image.vulnerabilities", "irsa.token-automount", "namespace.psa-label", "network.default-deny-ingress", "pss.privileged" },
            rules.Keys.Order(StringComparer.Ordinal));

        var privileged = rules["pss.privileged"];
        Assert.Equal("PssPrivileged", privileged.GetProperty("name").GetString());
        Assert.Equal(ReportSamples.Privileged.Title, privileged.GetProperty("shortDescription").GetProperty("text").GetString());
        Assert.Contains("InfrastructureSecurity", privileged.GetProperty("fullDescription").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(ReportSamples.Privileged.Remediation, privileged.GetProperty("help").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(ReportSamples.Privileged.Remediation, privileged.GetProperty("help").GetProperty("markdown").GetString(), StringComparison.Ordinal);
        var properties = privileged.GetProperty("properties");
        Assert.Equal("InfrastructureSecurity", properties.GetProperty("row").GetString());
        Assert.Equal("critical", properties.GetProperty("severity").GetString());
        Assert.Contains("security", properties.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [InlineData("pss.privileged", "error", "critical", 9.0, 10.0)]
    [InlineData("image.tag-not-latest", "error", "high", 7.0, 8.9)]
    [InlineData("irsa.token-automount", "warning", "medium", 4.0, 6.9)]
    [InlineData("namespace.psa-label", "note", "low", 0.1, 3.9)]
    public void Rule_level_and_security_severity_follow_the_severity(string id, string level, string severity, double min, double max)
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var rule = sarif.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("rules")
            .EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);
        Assert.Equal(level, rule.GetProperty("defaultConfiguration").GetProperty("level").GetString());
        Assert.Equal(severity, rule.GetProperty("properties").GetProperty("severity").GetString());
        var securitySeverity = rule.GetProperty("properties").GetProperty("security-severity");
        Assert.Equal(JsonValueKind.String, securitySeverity.ValueKind);
        var score = double.Parse(securitySeverity.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.InRange(score, min, max);
    }

    [Fact]
    public void One_result_per_fail_error_and_exempt_finding_with_a_matching_rule_index()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var run = sarif.RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(9, results.Count); // 6 fail, 2 error, 1 exempt; passes are not results
        foreach (var result in results)
        {
            var index = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(result.GetProperty("ruleId").GetString(), rules[index].GetProperty("id").GetString());
            Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("message").GetProperty("text").GetString()));
        }

        Assert.Equal(6, results.Count(r => r.GetProperty("properties").GetProperty("result").GetString() == "fail"));
        Assert.Equal(2, results.Count(r => r.GetProperty("properties").GetProperty("result").GetString() == "error"));
        Assert.Equal(1, results.Count(r => r.GetProperty("properties").GetProperty("result").GetString() == "exempt"));
    }

    [Fact]
    public void Fail_result_points_at_the_manifest_line_and_the_resource()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results")[0];
        Assert.Equal("pss.privileged", result.GetProperty("ruleId").GetString());
        Assert.Equal("fail", result.GetProperty("kind").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Equal("Deployment shop/web: container web sets securityContext.privileged: true", result.GetProperty("message").GetProperty("text").GetString());

        var location = Assert.Single(result.GetProperty("locations").EnumerateArray());
        var physical = location.GetProperty("physicalLocation");
        Assert.Equal("deploy/shop/web.yaml", physical.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(12, physical.GetProperty("region").GetProperty("startLine").GetInt32());

        var logical = location.GetProperty("logicalLocations").EnumerateArray().ToList();
        Assert.Equal(2, logical.Count);
        Assert.Equal("Deployment shop/web", logical[0].GetProperty("fullyQualifiedName").GetString());
        Assert.Equal("web", logical[0].GetProperty("name").GetString());
        Assert.Equal("resource", logical[0].GetProperty("kind").GetString());
        Assert.Equal("spec.template.spec.containers[0].securityContext.privileged", logical[1].GetProperty("name").GetString());
        Assert.Equal("property", logical[1].GetProperty("kind").GetString());

        Assert.Equal("production", result.GetProperty("properties").GetProperty("policy").GetString());
        Assert.False(result.TryGetProperty("suppressions", out _));
    }

    [Fact]
    public void Error_result_is_open_with_level_none()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var error = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .First(r => r.GetProperty("ruleId").GetString() == "image.vulnerabilities");
        Assert.Equal("open", error.GetProperty("kind").GetString());
        Assert.Equal("none", error.GetProperty("level").GetString());
        Assert.Contains("could not be evaluated", error.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Exempt_result_is_a_suppressed_fail_with_the_exemption_as_justification()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var exempt = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Single(r => r.TryGetProperty("suppressions", out _));
        Assert.Equal("fail", exempt.GetProperty("kind").GetString());
        Assert.Equal("error", exempt.GetProperty("level").GetString());
        var suppression = Assert.Single(exempt.GetProperty("suppressions").EnumerateArray());
        Assert.Equal("external", suppression.GetProperty("kind").GetString());
        Assert.Equal("accepted", suppression.GetProperty("status").GetString());
        Assert.Contains("legacy-db", suppression.GetProperty("justification").GetString(), StringComparison.Ordinal);
        // Backslashes in the manifest path become forward slashes.
        Assert.Equal("deploy/shop/db.yaml", exempt.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
    }

    [Fact]
    public void Every_result_has_a_relative_physical_location_as_github_requires()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var uris = new List<string>();
        foreach (var result in sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray())
        {
            var uri = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!;
            Assert.True(Uri.IsWellFormedUriString(uri, UriKind.Relative), uri);
            Assert.DoesNotContain('\\', uri);
            Assert.False(uri.StartsWith('/'), uri);
            Assert.False(uri.StartsWith("./", StringComparison.Ordinal), uri);
            uris.Add(uri);
        }

        Assert.Contains("deploy/staging/api.yaml", uris);               // absolute path made relative to the base directory
        Assert.Contains("kubernetes/batch/Pod/job-1", uris);            // no known source: a stand-in path
        Assert.Contains("eks/cluster", uris);                           // cluster findings
    }

    [Fact]
    public void Namespace_without_a_manifest_points_at_a_workload_in_it()
    {
        using var sarif = JsonDocument.Parse(Render(ReportSamples.Full()));
        var psa = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("ruleId").GetString() == "namespace.psa-label");
        var location = psa.GetProperty("locations")[0];
        Assert.Equal("deploy/shop/web.yaml", location.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("Namespace shop", location.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString());
    }

    [Fact]
    public void Fingerprints_are_stable_distinct_and_ignore_lines_and_messages()
    {
        static List<string> Fingerprints(string sarif)
        {
            using var document = JsonDocument.Parse(sarif);
            return document.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
                .Select(r => r.GetProperty("partialFingerprints").GetProperty(SarifReportWriter.FingerprintKey).GetString()!)
                .ToList();
        }

        var first = Fingerprints(Render(ReportSamples.Full()));
        Assert.Equal(first, Fingerprints(Render(ReportSamples.Full())));
        Assert.Equal(first.Count, first.Distinct().Count());

        // The same findings after the manifest moved down a few lines and messages were reworded.
        var report = ReportSamples.Full();
        var moved = report with
        {
            Policies = report.Policies.Select(p => p with
            {
                Resources = p.Resources.Select(r => r with
                {
                    Source = r.Source is null ? null : r.Source with { Line = r.Source.Line + 5 },
                    Findings = r.Findings.Select(f => f with { Message = f.Message + " (reworded)" }).ToList(),
                }).ToList(),
            }).ToList(),
        };
        Assert.Equal(first, Fingerprints(Render(moved)));
    }

    [Fact]
    public void Absolute_paths_outside_the_base_directory_become_file_uris()
    {
        var writer = new SarifReportWriter("/abs/repo");
        Assert.Equal("deploy/x.yaml", writer.ArtifactUri("/abs/repo/deploy/x.yaml"));
        Assert.Equal("file:///elsewhere/x.yaml", writer.ArtifactUri("/elsewhere/x.yaml"));
        Assert.Equal("deploy/my%20app.yaml", writer.ArtifactUri("./deploy/my app.yaml"));
        Assert.Equal("file:///abs/repo/x.yaml", new SarifReportWriter().ArtifactUri("/abs/repo/x.yaml"));
    }

    [Fact]
    public void Output_is_deterministic() =>
        Assert.Equal(Render(ReportSamples.Full()), Render(ReportSamples.Full()));
}
