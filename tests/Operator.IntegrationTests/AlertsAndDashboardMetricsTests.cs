using EksHardening.Operator.Manifests;
using StubRepository = EksHardening.AwsStub.Ecr.EcrRepository;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// Every metric the chart's alerts (files/prometheus-rules.yaml) and dashboard (files/grafana-dashboard.json) query is
/// served on /metrics by a running operator that has reconciled a policy with AWS facts and answered an admission
/// review. The names are read from the PromQL of the two files, not listed here, so a rule or panel added later is
/// held to the same check.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class AlertsAndDashboardMetricsTests : IAsyncLifetime
{
    private const string OperatorNamespace = "eks-hardening-system";
    private const string Chart = "deploy/helm/eks-hardening";

    private AwsEndpointStub _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsEndpointStub.StartNewAsync();

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    [Fact]
    public async Task Every_metric_the_alerts_and_the_dashboard_query_is_served_by_a_running_operator()
    {
        var queried = QueriedMetrics();
        Assert.NotEmpty(queried);

        var env = _aws.EnvironmentVariables().ToDictionary(p => p.Key, p => (string?)p.Value);
        env["AWS_PROFILE"] = null;
        using var environment = new ProcessEnvironment(env);
        var registry = $"{_aws.AccountId}.dkr.ecr.{_aws.Region}.amazonaws.com";
        _aws.Ecr.AddRepository(new StubRepository { Name = "shop/web", ScanOnPush = false });

        await using var bed = await OperatorTestbed.StartAsync();
        bed.Emulator.SeedMany(
        [
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = OperatorNamespace } },
            new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new() { Name = "shop" } },
            new V1Pod
            {
                ApiVersion = "v1", Kind = "Pod",
                Metadata = new() { Name = "web", NamespaceProperty = "shop" },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = $"{registry}/shop/web:latest" }] },
            },
        ]);
        await bed.CreatePolicyAsync("""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {name: images}
            spec:
              mode: Warn
              imageScanning: {disallowLatestTag: true, requireScanOnPush: true}
            """);
        var port = WebhookClient.FreePort();
        var app = await bed.StartOperatorAsync(extraArgs: ["--webhook-port", port.ToString(CultureInfo.InvariantCulture), "--webhook-namespace", OperatorNamespace]);
        using var http = new HttpClient { BaseAddress = OperatorTestbed.HttpAddress(app, port) };
        // Reconciled, with the AWS facts (the repository's scan on push) among its findings.
        await Eventually.True(() => bed.Policy("images")?.Status is { TotalViolations: > 1 } status
            && status.Conditions?.Any(c => c.Type == ComplianceStatus.Ready && c.Status == "True") == true, "the policy is evaluated with its AWS facts");

        var bundle = await app.Services.GetRequiredService<WebhookCertificates>().EnsureAsync(CancellationToken.None);
        using (var webhook = WebhookClient.Create(bundle.CaCertificates(), $"eks-hardening-webhook.{OperatorNamespace}.svc", port))
        {
            const string spec = """{"containers": [{"name": "web", "image": "registry.example.com/shop/web:1.4.2"}]}""";
            Assert.True((await WebhookClient.PostReviewAsync(webhook, WebhookClient.Review("Pod", spec))).GetProperty("allowed").GetBoolean());
        }

        // Counters of what just happened may take a scrape or two to show: poll, then name what is still missing.
        IReadOnlyList<string> missing = queried;
        for (var attempt = 0; attempt < 100 && missing.Count > 0; attempt++)
        {
            if (attempt > 0) await Task.Delay(200);
            var metrics = await MetricsEndpointTests.ScrapeAsync(http);
            missing = [.. queried.Where(name => !Served(metrics, name))];
        }

        Assert.True(missing.Count == 0, $"queried by a rule or a panel but not served on /metrics: {string.Join(", ", missing)}");
    }

    /// <summary>Metric names in PromQL expressions: what remains once strings, matchers, ranges, grouping labels, functions and keywords are gone.</summary>
    [Theory]
    [InlineData("""sum by (namespace, le) (rate(a_bucket{x=~"b|c", le!="1"}[5m])) > 1""", "a_bucket")]
    [InlineData("""label_replace(max(x offset 15m) unless on (p) y, "s", "$1", "severity", "(.*)") or absent(z)""", "x y z")]
    [InlineData("""histogram_quantile(0.99, sum by (le) (rate(m_seconds_bucket{namespace=~"$namespace"}[$__rate_interval]))) / ignoring(a) group_left k""", "m_seconds_bucket k")]
    [InlineData("""count(g{p=~"$policy"} == 0) or vector(1e3) and bool_metric""", "g bool_metric")]
    public void Metric_names_are_read_from_PromQL(string expression, string expected)
    {
        Assert.Equal(expected.Split(' '), MetricNames(expression));
    }

    /// <summary>A name the scrape serves: a family, or a histogram's _bucket, _sum or _count series.</summary>
    private static bool Served(PrometheusExposition metrics, string name)
    {
        if (metrics.Families.ContainsKey(name)) return true;
        return new[] { "_bucket", "_sum", "_count" }.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)
            && metrics.Families.TryGetValue(name[..^suffix.Length], out var family) && family.Type == "histogram");
    }

    /// <summary>The metric names in every expression of the rules file and every query of the dashboard.</summary>
    private static IReadOnlyList<string> QueriedMetrics()
    {
        var rulesPath = RepositoryPaths.Of([.. Chart.Split('/'), "files", "prometheus-rules.yaml"]);
        var rules = Assert.Single(YamlToJson.Parse(File.ReadAllText(rulesPath), rulesPath)).Root!;
        var expressions = rules["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!["expr"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(expressions);

        var dashboard = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Of([.. Chart.Split('/'), "files", "grafana-dashboard.json"])))!;
        var panels = dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat(p!["panels"]?.AsArray().Select(c => c!) ?? [])).ToList();
        var queries = panels.SelectMany(p => p["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>())
            // A variable's label_values(selector, label): the label is no metric.
            .Concat(dashboard["templating"]!["list"]!.AsArray().Select(v => v!["query"]).OfType<JsonObject>()
                .Select(q => Regex.Match(q["query"]!.GetValue<string>(), @"^label_values\((.+),\s*\w+\)$").Groups[1].Value))
            .ToList();
        Assert.NotEmpty(queries);

        return [.. expressions.Concat(queries).SelectMany(MetricNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        { "and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN" };

    internal static IEnumerable<string> MetricNames(string promql)
    {
        var text = Regex.Replace(promql, "\"(?:[^\"\\\\]|\\\\.)*\"", " ");
        text = Regex.Replace(text, @"\{[^}]*\}", " ");
        text = Regex.Replace(text, @"\[[^\]]*\]", " ");
        text = Regex.Replace(text, @"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ");
        return Regex.Matches(text, @"(?<![\w:$.])[a-zA-Z_:][\w:]*\b(?!\s*\()").Select(m => m.Value)
            .Where(name => !Keywords.Contains(name)).Distinct(StringComparer.Ordinal);
    }
}
