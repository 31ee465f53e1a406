namespace EksHardening.Operator.Tests.Reporting;

public class JsonReportWriterTests
{
    private static JsonDocument Parse(EksHardening.Operator.Reporting.ScanReport report) =>
        JsonDocument.Parse(ReportSamples.Render(new JsonReportWriter(), report));

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>The required keys come first, in this order; later keys are allowed extras.</summary>
    private static void AssertKeysStartWith(JsonElement element, params string[] required) =>
        Assert.Equal(required, Keys(element).Take(required.Length).ToArray());

    [Fact]
    public void Top_level_has_tool_version_policies_and_skipped()
    {
        using var json = Parse(ReportSamples.Full());
        var root = json.RootElement;
        Assert.Equal(["tool", "version", "policies", "skipped"], Keys(root));
        Assert.Equal("eks-hardening", root.GetProperty("tool").GetString());
        Assert.Equal("1.2.3", root.GetProperty("version").GetString());
        Assert.Equal(2, root.GetProperty("policies").GetArrayLength());

        var skipped = root.GetProperty("skipped");
        Assert.Equal(["v1/ConfigMap", "v1/Service"], Keys(skipped));
        Assert.Equal(3, skipped.GetProperty("v1/ConfigMap").GetInt32());
        Assert.Equal(2, skipped.GetProperty("v1/Service").GetInt32());
    }

    [Fact]
    public void Policy_has_name_mode_summary_resources_and_cluster_findings()
    {
        using var json = Parse(ReportSamples.Full());
        var policy = json.RootElement.GetProperty("policies")[0];
        AssertKeysStartWith(policy, "name", "mode", "summary", "resources", "clusterFindings");
        Assert.Equal("production", policy.GetProperty("name").GetString());
        Assert.Equal("Audit", policy.GetProperty("mode").GetString());
        Assert.Equal("Enforce", json.RootElement.GetProperty("policies")[1].GetProperty("mode").GetString());

        var summary = policy.GetProperty("summary");
        Assert.Equal(["resources", "compliant", "violating", "exempt", "errors"], Keys(summary));
        Assert.Equal(5, summary.GetProperty("resources").GetInt32());
        Assert.Equal(1, summary.GetProperty("compliant").GetInt32());
        Assert.Equal(2, summary.GetProperty("violating").GetInt32());
        Assert.Equal(1, summary.GetProperty("exempt").GetInt32());
        Assert.Equal(1, summary.GetProperty("errors").GetInt32());

        Assert.Equal(JsonValueKind.Array, policy.GetProperty("resources").ValueKind);
        Assert.Equal(5, policy.GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public void Workload_resource_keys_values_and_findings()
    {
        using var json = Parse(ReportSamples.Full());
        var web = json.RootElement.GetProperty("policies")[0].GetProperty("resources")[0];
        Assert.Equal(["apiVersion", "kind", "namespace", "name", "source", "verdict", "findings"], Keys(web));
        Assert.Equal("apps/v1", web.GetProperty("apiVersion").GetString());
        Assert.Equal("Deployment", web.GetProperty("kind").GetString());
        Assert.Equal("shop", web.GetProperty("namespace").GetString());
        Assert.Equal("web", web.GetProperty("name").GetString());
        Assert.Equal("deploy/shop/web.yaml:12", web.GetProperty("source").GetString());
        Assert.Equal("fail", web.GetProperty("verdict").GetString());

        var findings = web.GetProperty("findings");
        Assert.Equal(4, findings.GetArrayLength()); // passes included
        var privileged = findings[0];
        Assert.Equal(["rule", "row", "severity", "result", "message", "path"], Keys(privileged));
        Assert.Equal("pss.privileged", privileged.GetProperty("rule").GetString());
        Assert.Equal("InfrastructureSecurity", privileged.GetProperty("row").GetString());
        Assert.Equal("critical", privileged.GetProperty("severity").GetString());
        Assert.Equal("fail", privileged.GetProperty("result").GetString());
        Assert.Equal("container web sets securityContext.privileged: true", privileged.GetProperty("message").GetString());
        Assert.Equal("spec.template.spec.containers[0].securityContext.privileged", privileged.GetProperty("path").GetString());

        var latest = findings[1];
        AssertKeysStartWith(latest, "rule", "row", "severity", "result", "message", "path");
        Assert.Equal("high", latest.GetProperty("severity").GetString());
        Assert.Equal("nginx:latest", latest.GetProperty("image").GetString());

        var pass = findings[2];
        Assert.Equal("pass", pass.GetProperty("result").GetString());
        Assert.Equal("medium", pass.GetProperty("severity").GetString());
        Assert.Equal("IdentityManagement", pass.GetProperty("row").GetString());
        Assert.Equal(JsonValueKind.Null, pass.GetProperty("path").ValueKind);
        Assert.False(pass.TryGetProperty("exemption", out _));

        Assert.Equal("error", findings[3].GetProperty("result").GetString());
    }

    [Fact]
    public void Verdicts_cover_pass_fail_exempt_and_error()
    {
        using var json = Parse(ReportSamples.Full());
        var verdicts = json.RootElement.GetProperty("policies")[0].GetProperty("resources").EnumerateArray()
            .Select(r => r.GetProperty("verdict").GetString()!).ToArray();
        Assert.Equal(["fail", "exempt", "error", "fail", "pass"], verdicts);
    }

    [Fact]
    public void Exempt_finding_names_its_exemption()
    {
        using var json = Parse(ReportSamples.Full());
        var db = json.RootElement.GetProperty("policies")[0].GetProperty("resources")[1];
        var exempt = db.GetProperty("findings")[1];
        Assert.Equal("exempt", exempt.GetProperty("result").GetString());
        Assert.Equal("legacy-db", exempt.GetProperty("exemption").GetString());
        Assert.Equal(@"deploy\shop\db.yaml:3", db.GetProperty("source").GetString());
    }

    [Fact]
    public void Namespace_resources_have_null_namespace_and_unknown_source_is_null()
    {
        using var json = Parse(ReportSamples.Full());
        var resources = json.RootElement.GetProperty("policies")[0].GetProperty("resources");
        var shop = resources[3];
        Assert.Equal("Namespace", shop.GetProperty("kind").GetString());
        Assert.Equal("v1", shop.GetProperty("apiVersion").GetString());
        Assert.Equal(JsonValueKind.Null, shop.GetProperty("namespace").ValueKind);
        Assert.Equal("shop", shop.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, shop.GetProperty("source").ValueKind);
        Assert.Equal(JsonValueKind.Null, resources[2].GetProperty("source").ValueKind); // Pod without a known source
        Assert.Equal("./deploy/namespaces.yaml:1", resources[4].GetProperty("source").GetString());
    }

    [Fact]
    public void Cluster_findings_and_expired_exemptions()
    {
        using var json = Parse(ReportSamples.Full());
        var policy = json.RootElement.GetProperty("policies")[0];
        var cluster = policy.GetProperty("clusterFindings");
        Assert.Equal(1, cluster.GetArrayLength());
        AssertKeysStartWith(cluster[0], "rule", "row", "severity", "result", "message", "path");
        Assert.Equal("cluster.control-plane-logging", cluster[0].GetProperty("rule").GetString());
        Assert.Equal("Monitoring", cluster[0].GetProperty("row").GetString());

        var expired = Assert.Single(policy.GetProperty("expiredExemptions").EnumerateArray());
        Assert.Equal(["name", "expires", "reason"], Keys(expired));
        Assert.Equal("old-vendor", expired.GetProperty("name").GetString());
        Assert.Equal("2026-01-01T00:00:00Z", expired.GetProperty("expires").GetString());
        Assert.Equal("vendor image, replacement tracked in JIRA-123", expired.GetProperty("reason").GetString());

        var staging = json.RootElement.GetProperty("policies")[1];
        Assert.Equal(0, staging.GetProperty("clusterFindings").GetArrayLength());
        Assert.Equal(0, staging.GetProperty("expiredExemptions").GetArrayLength());
    }

    [Fact]
    public void Output_is_deterministic_indented_and_ends_with_a_newline()
    {
        var first = ReportSamples.Render(new JsonReportWriter(), ReportSamples.Full());
        var second = ReportSamples.Render(new JsonReportWriter(), ReportSamples.Full());
        Assert.Equal(first, second);
        Assert.StartsWith("{\n  \"tool\": \"eks-hardening\",\n", first, StringComparison.Ordinal);
        Assert.EndsWith("}\n", first, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", first, StringComparison.Ordinal);
        Assert.Contains("container web sets securityContext.privileged: true", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_report_is_a_complete_document()
    {
        using var json = Parse(ReportSamples.Empty());
        Assert.Equal(["tool", "version", "policies", "skipped"], Keys(json.RootElement));
        Assert.Equal(0, json.RootElement.GetProperty("policies").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("skipped").ValueKind);
    }
}
