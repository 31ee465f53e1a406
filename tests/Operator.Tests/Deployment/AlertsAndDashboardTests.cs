namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The chart's alerts (files/prometheus-rules.yaml) and Grafana dashboard (files/grafana-dashboard.json): promtool
/// checks and unit-tests the rules (tests/promtool/), every alert has a test that fires it and one that does not, a
/// runbook in the README and the fields Alertmanager routes on; the dashboard's queries are valid PromQL; the chart
/// renders both from those files when asked, and neither by default.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AlertsAndDashboardTests
{
    /// <summary>The dashboard's ConfigMap (the chart has another, the CRD upgrade hook's).</summary>
    private const string DashboardConfigMap = Helm.ReleaseName + "-dashboard";

    private const string RulesFile = Helm.ChartDirectory + "/files/prometheus-rules.yaml";
    private const string DashboardFile = Helm.ChartDirectory + "/files/grafana-dashboard.json";
    private const string PromtoolTests = "tests/promtool";
    private const string ReadmeAddress = "https://github.com/eks-hardening/eks-hardening/blob/main/README.md";

    private static JsonObject Rules => Assert.Single(YamlToJson.Parse(File.ReadAllText(RepositoryPaths.Of(RulesFile.Split('/'))), RulesFile)).Root!.AsObject();

    private static IEnumerable<JsonObject> Alerts(JsonObject rules) =>
        rules["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject());

    private static List<string> AlertNames => [.. Alerts(Rules).Select(a => a["alert"]!.GetValue<string>())];

    private static JsonObject Dashboard => JsonNode.Parse(File.ReadAllText(RepositoryPaths.Of(DashboardFile.Split('/'))))!.AsObject();

    [SkippableFact]
    public void Promtool_checks_the_rules_file()
    {
        var result = Promtool.Run("check", "rules", RulesFile);
        Assert.True(result.ExitCode == 0, $"promtool check rules failed:\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains($"SUCCESS: {AlertNames.Count} rules found", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Promtool_unit_tests_of_the_rules_pass()
    {
        var files = Directory.GetFiles(RepositoryPaths.Of(PromtoolTests), "*.test.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        var result = Promtool.Run(["test", "rules", .. files]);
        Assert.True(result.ExitCode == 0, $"promtool test rules failed:\n{result.Stdout}\n{result.Stderr}");
    }

    [Fact]
    public void Every_alert_has_a_promtool_test_that_fires_it_and_one_that_does_not()
    {
        var cases = Directory.GetFiles(RepositoryPaths.Of(PromtoolTests), "*.test.yaml")
            .SelectMany(f => YamlToJson.Parse(File.ReadAllText(f), f).Select(d => d.Root!))
            .SelectMany(d => d["tests"]!.AsArray()).SelectMany(t => t!["alert_rule_test"]?.AsArray() ?? [])
            .Select(c => (Alert: c!["alertname"]!.GetValue<string>(), Fires: (c["exp_alerts"]?.AsArray().Count ?? 0) > 0))
            .ToList();

        foreach (var alert in AlertNames)
        {
            Assert.True(cases.Contains((alert, true)), $"no promtool test expects {alert} to fire");
            Assert.True(cases.Contains((alert, false)), $"no promtool test expects {alert} not to fire");
        }

        Assert.All(cases, c => Assert.Contains(c.Alert, AlertNames));
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_a_runbook_section_in_the_readme()
    {
        var readme = File.ReadAllText(RepositoryPaths.Of("README.md"));
        // GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces as -.
        var anchors = Regex.Matches(readme, @"^#+ (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\p{L}\p{Nd} _-]", "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("alerts-and-dashboard", anchors);

        Assert.Equal(AlertNames.Count, AlertNames.Distinct(StringComparer.Ordinal).Count());
        foreach (var alert in Alerts(Rules))
        {
            var name = alert["alert"]!.GetValue<string>();
            Assert.Matches("^(critical|warning|info)$", alert["labels"]?["severity"]?.GetValue<string>() ?? "");
            Assert.False(string.IsNullOrWhiteSpace(alert["annotations"]?["summary"]?.GetValue<string>()), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(alert["annotations"]?["description"]?.GetValue<string>()), $"{name} has no description");
            var runbook = alert["annotations"]?["runbook_url"]?.GetValue<string>() ?? "";
            Assert.Equal($"{ReadmeAddress}#{name.ToLowerInvariant()}", runbook);
            Assert.True(anchors.Contains(name.ToLowerInvariant()), $"README.md has no section {name} (the runbook {runbook})");
        }
    }

    [Fact]
    public void The_schema_names_exactly_the_alerts_of_the_rules_file()
    {
        var schema = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Of(Helm.ChartDirectory, "values.schema.json")))!;
        var names = schema["properties"]!["metrics"]!["properties"]!["prometheusRule"]!["properties"]!["alerts"]!["propertyNames"]!["enum"]!.AsArray()
            .Select(n => n!.GetValue<string>());
        Assert.Equal(AlertNames.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_dashboard_has_data_source_namespace_and_policy_variables_and_every_query_uses_the_data_source()
    {
        var dashboard = Dashboard;
        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 36, "schemaVersion is from before Grafana 9");
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => v["name"]!.GetValue<string>());
        Assert.Equal(("datasource", "prometheus"), (variables["datasource"]["type"]!.GetValue<string>(), variables["datasource"]["query"]!.GetValue<string>()));
        Assert.Contains("namespace", variables.Keys);
        Assert.Contains("policy", variables.Keys);

        var panels = Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels.Where(p => p["type"]!.GetValue<string>() != "row"))
        {
            var title = panel["title"]!.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(panel["description"]?.GetValue<string>()), $"panel {title} has no description");
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.Equal("${datasource}", t!["datasource"]!["uid"]!.GetValue<string>()));
            Assert.All(targets, t => Assert.Contains("namespace=~\"$namespace\"", t!["expr"]!.GetValue<string>(), StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public void Every_dashboard_query_is_valid_PromQL()
    {
        // promtool has no expression checker of its own: each query becomes a recording rule of a rules file it checks,
        // with Grafana's variables replaced by values of their kind.
        var queries = Panels(Dashboard).SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>())
            .Concat(Dashboard["templating"]!["list"]!.AsArray().Select(v => v!["query"]).OfType<JsonObject>()
                .Select(q => Regex.Match(q["query"]!.GetValue<string>(), @"^label_values\((.+), \w+\)$").Groups[1].Value))
            .ToList();
        Assert.All(queries, q => Assert.False(string.IsNullOrEmpty(q)));
        var rules = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "dashboard",
                ["rules"] = new JsonArray([.. queries.Select((q, i) => (JsonNode)new JsonObject
                {
                    ["record"] = $"dashboard:query_{i}",
                    ["expr"] = q.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$namespace", ".*", StringComparison.Ordinal)
                        .Replace("$policy", ".*", StringComparison.Ordinal),
                })]),
            }),
        };
        var file = Path.Combine(Path.GetTempPath(), $"eks-hardening-dashboard-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, rules.ToJsonString());
        try
        {
            var result = Promtool.Run("check", "rules", file);
            Assert.True(result.ExitCode == 0, $"a dashboard query is not valid PromQL:\n{result.Stdout}\n{result.Stderr}");
            Assert.Contains($"SUCCESS: {queries.Count} rules found", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public void By_default_the_chart_renders_neither_the_rules_nor_the_dashboard()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        Assert.Empty(chart.OfKind("PrometheusRule"));
        Assert.DoesNotContain(chart.OfKind("ConfigMap"), c => c["metadata"]?["labels"]?["grafana_dashboard"] is not null);
    }

    [SkippableFact]
    public void Enabled_the_chart_renders_the_rules_file_as_a_PrometheusRule_and_the_dashboard_as_a_ConfigMap()
    {
        var chart = RenderedChart.Parse(Helm.Render(sets: ["metrics.prometheusRule.enabled=true", "metrics.grafanaDashboard.enabled=true"]));

        var rule = chart.Single("PrometheusRule");
        Assert.Equal("monitoring.coreos.com/v1", rule["apiVersion"]!.GetValue<string>());
        Assert.Equal(Helm.ReleaseNamespace, rule["metadata"]!["namespace"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(Rules["groups"], rule["spec"]!["groups"]), "the PrometheusRule's groups differ from files/prometheus-rules.yaml");

        var configMap = chart.Named<V1ConfigMap>("ConfigMap", DashboardConfigMap);
        Assert.Equal(Helm.ReleaseNamespace, configMap.Metadata.NamespaceProperty);
        Assert.Equal("1", configMap.Metadata.Labels["grafana_dashboard"]);
        var (key, json) = Assert.Single(configMap.Data);
        Assert.EndsWith(".json", key, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(Dashboard, JsonNode.Parse(json)), "the ConfigMap's dashboard differs from files/grafana-dashboard.json");
    }

    [SkippableFact]
    public void The_chart_applies_namespaces_labels_and_per_alert_settings()
    {
        var chart = RenderedChart.Parse(Helm.Render(sets:
        [
            "metrics.prometheusRule.enabled=true", "metrics.prometheusRule.namespace=monitoring", "metrics.prometheusRule.labels.release=kube-prometheus-stack",
            "metrics.prometheusRule.annotations.owner=platform", "metrics.prometheusRule.alertLabels.team=platform",
            "metrics.prometheusRule.runbookBaseUrl=https://git.example.com/eks-hardening/README.md",
            "metrics.prometheusRule.alerts.EksHardeningAdmissionSlow.enabled=false",
            "metrics.prometheusRule.alerts.EksHardeningNoLeader.for=15m", "metrics.prometheusRule.alerts.EksHardeningNoLeader.severity=page",
            "metrics.grafanaDashboard.enabled=true", "metrics.grafanaDashboard.namespace=grafana", "metrics.grafanaDashboard.labels.grafana_dashboard=yes",
            "metrics.grafanaDashboard.annotations.grafana_folder=Security",
        ]));

        var rule = chart.Single("PrometheusRule");
        Assert.Equal("monitoring", rule["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("kube-prometheus-stack", rule["metadata"]!["labels"]!["release"]!.GetValue<string>());
        Assert.Equal("platform", rule["metadata"]!["annotations"]!["owner"]!.GetValue<string>());
        var rendered = Alerts(rule["spec"]!.AsObject()).ToDictionary(a => a["alert"]!.GetValue<string>());
        Assert.Equal(AlertNames.Where(n => n != "EksHardeningAdmissionSlow").Order(StringComparer.Ordinal), rendered.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("15m", "page"), (rendered["EksHardeningNoLeader"]["for"]!.GetValue<string>(), rendered["EksHardeningNoLeader"]["labels"]!["severity"]!.GetValue<string>()));
        foreach (var original in Alerts(Rules).Where(a => rendered.ContainsKey(a["alert"]!.GetValue<string>())))
        {
            var name = original["alert"]!.GetValue<string>();
            var alert = rendered[name];
            Assert.Equal("platform", alert["labels"]!["team"]!.GetValue<string>());
            Assert.Equal($"https://git.example.com/eks-hardening/README.md#{name.ToLowerInvariant()}", alert["annotations"]!["runbook_url"]!.GetValue<string>());
            Assert.Equal(original["expr"]!.GetValue<string>(), alert["expr"]!.GetValue<string>());
            Assert.Equal(original["annotations"]!["summary"]!.GetValue<string>(), alert["annotations"]!["summary"]!.GetValue<string>());
            if (name != "EksHardeningNoLeader")
            {
                Assert.Equal(original["for"]?.GetValue<string>(), alert["for"]?.GetValue<string>());
                Assert.Equal(original["labels"]!["severity"]!.GetValue<string>(), alert["labels"]!["severity"]!.GetValue<string>());
            }
        }

        var configMap = chart.Named<V1ConfigMap>("ConfigMap", DashboardConfigMap);
        Assert.Equal(("grafana", "yes", "Security"),
            (configMap.Metadata.NamespaceProperty, configMap.Metadata.Labels["grafana_dashboard"], configMap.Metadata.Annotations["grafana_folder"]));
    }

    [SkippableTheory]
    [InlineData("metrics.prometheusRule.alerts.EksHardeningNoLeadr.enabled=false", "EksHardeningNoLeadr")]
    [InlineData("metrics.prometheusRule.alerts.EksHardeningNoLeader.for=5 minutes", "for")]
    [InlineData("metrics.prometheusRule.alerts.EksHardeningNoLeader.page=true", "page")]
    [InlineData("metrics.prometheusRule.enable=true", "enable")]
    [InlineData("metrics.grafanaDashboard.label.grafana_dashboard=1", "label")]
    public void The_schema_refuses_a_misspelt_key_or_a_bad_duration(string set, string named)
    {
        var result = Helm.Template(sets: [set]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_rendered_rules_pass_promtool_as_well()
    {
        var rule = RenderedChart.Parse(Helm.Render(sets: ["metrics.prometheusRule.enabled=true", "metrics.prometheusRule.alertLabels.team=platform"]))
            .Single("PrometheusRule");
        var file = Path.Combine(Path.GetTempPath(), $"eks-hardening-rendered-rules-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, rule["spec"]!.ToJsonString());
        try
        {
            var result = Promtool.Run("check", "rules", file);
            Assert.True(result.ExitCode == 0, $"promtool check rules failed on the rendered PrometheusRule:\n{result.Stdout}\n{result.Stderr}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject())
            .SelectMany(p => new[] { p }.Concat(p["panels"]?.AsArray().Select(c => c!.AsObject()) ?? []));

    /// <summary>
    /// promtool, from Debian's prometheus package: `.ci/run` installs it when missing and sets REQUIRE_PROMTOOL=1;
    /// elsewhere it is looked up (EKS_HARDENING_PROMTOOL, PATH) and the tests that need it skip and say why.
    /// </summary>
    private static class Promtool
    {
        private static readonly string? Executable = ExternalTool.Find("EKS_HARDENING_PROMTOOL", null, "promtool");

        public static ToolResult Run(params string[] args) => ExternalTool.Run(
            ExternalTool.Require(Executable, "REQUIRE_PROMTOOL", "promtool",
                "apt-get install prometheus (Debian ships promtool in it), set EKS_HARDENING_PROMTOOL, or run .ci/run"),
            args);
    }
}
