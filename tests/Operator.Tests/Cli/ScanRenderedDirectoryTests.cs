using System.Text.Json.Nodes;
using EksHardening.Operator.Tests.Deployment;

namespace EksHardening.Operator.Tests.Cli;

/// <summary>
/// <c>-f</c> on a Helm chart or Kustomize directory: scanned exactly as its rendered output (with the real helm and
/// kubectl, skipping when absent unless REQUIRE_HELM=1 / REQUIRE_KUBECTL=1), sources naming the chart's templates, and
/// every way rendering can go wrong an exit 2 naming the directory (with stand-in tools that always run).
/// </summary>
public sealed class ScanRenderedDirectoryTests : ScanTestBase
{
    private const string Policy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: ci}
        spec:
          imageScanning: {disallowLatestTag: true}
          podSecurity: {level: restricted}
        """;

    private const string ChartYaml = "apiVersion: v2\nname: shop\nversion: 0.1.0\n";

    private const string DeploymentTemplate = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}-web
          namespace: shop
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: {{ .Values.image | quote }}
                  securityContext: {privileged: {{ .Values.privileged }}}
        """;

    private const string JobTemplate = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: shop}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: migrate, image: "busybox:1.36"}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {a: b}
        """;

    private string WriteChart()
    {
        Write("chart/Chart.yaml", ChartYaml);
        Write("chart/values.yaml", "image: nginx:latest\nprivileged: true\n");
        Write("chart/templates/deployment.yaml", DeploymentTemplate);
        Write("chart/templates/job.yaml", JobTemplate);
        return Path.Combine(Temp, "chart");
    }

    [SkippableFact]
    public void A_chart_directory_scans_exactly_like_its_helm_template_output()
    {
        var helm = Helm.Require();
        var chart = WriteChart();
        var policy = Write("policy.yaml", Policy);
        var rendered = Write("rendered.yaml", Render(helm, "template", chart));
        var environment = new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = helm };

        foreach (var format in new[] { "table", "json" })
        {
            var fromChart = ScanWith(environment, false, null, "-f", chart, "--policy", policy, "-o", format);
            var fromFile = ScanWith(environment, false, null, "-f", rendered, "--policy", policy, "-o", format);
            Assert.Equal(ScanCommand.ExitViolations, fromChart.ExitCode);
            Assert.Equal(fromFile.ExitCode, fromChart.ExitCode);
            Assert.Equal(WithoutSources(fromFile.Stdout, format), WithoutSources(fromChart.Stdout, format));
        }

        // Each resource names the chart template it came from (helm's '# Source:' comments), without a line.
        var json = JsonNode.Parse(ScanWith(environment, false, null, "-f", chart, "--policy", policy, "-o", "json").Stdout)!;
        var sources = json["policies"]![0]!["resources"]!.AsArray().ToDictionary(r => r!["kind"]!.GetValue<string>(), r => r!["source"]!.GetValue<string>());
        Assert.Equal(Path.Join(chart, "templates/deployment.yaml"), sources["Deployment"]);
        Assert.Equal(Path.Join(chart, "templates/job.yaml"), sources["Job"]);
    }

    [SkippableFact]
    public void Values_and_set_reach_helm_template()
    {
        var helm = Helm.Require();
        var chart = WriteChart();
        var policy = Write("policy.yaml", Policy);
        var environment = new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = helm };
        var values = Write("prod.yaml", "image: nginx:1.27\n");

        var defaults = JsonNode.Parse(ScanWith(environment, false, null, "-f", chart, "--policy", policy, "-o", "json").Stdout)!;
        var withValues = JsonNode.Parse(ScanWith(environment, false, null, "-f", chart, "--policy", policy, "-o", "json",
            "--values", values, "--set", "privileged=false").Stdout)!;

        Assert.Equal("fail", Result(defaults, "Deployment", "image.tag-not-latest"));
        Assert.Equal("fail", Result(defaults, "Deployment", "pss.privileged"));
        Assert.Equal("pass", Result(withValues, "Deployment", "image.tag-not-latest"));
        Assert.Equal("pass", Result(withValues, "Deployment", "pss.privileged"));
    }

    [SkippableFact]
    public void A_chart_helm_cannot_render_is_exit_2_with_helms_message_and_the_directory()
    {
        var helm = Helm.Require();
        var chart = WriteChart();
        Write("chart/templates/broken.yaml", "metadata: {name: {{ .Values.name \n");
        var outcome = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = helm }, false, null, "-f", chart);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains($"{chart}: helm template {chart} failed (exit 1): ", outcome.Stderr);
        Assert.Contains("broken.yaml", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [SkippableFact]
    public void A_kustomize_directory_scans_exactly_like_its_kubectl_kustomize_output()
    {
        var kubectl = Kubectl.Require();
        Write("base/deployment.yaml", DeploymentTemplate.Replace("{{ .Release.Name }}", "shop", StringComparison.Ordinal)
            .Replace("{{ .Values.image | quote }}", "nginx:latest", StringComparison.Ordinal).Replace("{{ .Values.privileged }}", "true", StringComparison.Ordinal));
        Write("base/kustomization.yaml", "resources: [deployment.yaml]\n");
        Write("overlay/kustomization.yaml", "resources: [../base]\nnamePrefix: prod-\nimages: [{name: nginx, newTag: '1.27'}]\n");
        var overlay = Path.Combine(Temp, "overlay");
        var policy = Write("policy.yaml", Policy);
        var rendered = Write("rendered.yaml", Render(kubectl, "kustomize", overlay));
        var environment = new Dictionary<string, string> { [ManifestRenderer.KubectlVariable] = kubectl };

        foreach (var format in new[] { "table", "json" })
        {
            var fromDirectory = ScanWith(environment, false, null, "-f", overlay, "--policy", policy, "-o", format);
            var fromFile = ScanWith(environment, false, null, "-f", rendered, "--policy", policy, "-o", format);
            Assert.Equal(fromFile.ExitCode, fromDirectory.ExitCode);
            Assert.Equal(WithoutSources(fromFile.Stdout, format), WithoutSources(fromDirectory.Stdout, format));
        }

        var json = JsonNode.Parse(ScanWith(environment, false, null, "-f", overlay, "--policy", policy, "-o", "json").Stdout)!;
        var deployment = json["policies"]![0]!["resources"]![0]!;
        Assert.Equal("prod-shop-web", deployment["name"]!.GetValue<string>());
        Assert.Equal(overlay, deployment["source"]!.GetValue<string>());
        // The overlay's image tag applied: the scan judged the rendered object, not the base file.
        Assert.Equal("pass", Result(json, "Deployment", "image.tag-not-latest"));
    }

    [Theory]
    [InlineData("chart", "Chart.yaml", "helm", "helm template")]
    [InlineData("kustomize", "kustomization.yaml", "kubectl", "kubectl kustomize")]
    [InlineData("kustomize-yml", "kustomization.yml", "kubectl", "kubectl kustomize")]
    [InlineData("kustomize-kind", "Kustomization", "kubectl", "kubectl kustomize")]
    public void Without_the_tool_a_rendered_directory_is_exit_2_saying_what_is_needed_and_how_to_pipe_instead(
        string directory, string marker, string tool, string command)
    {
        Write($"{directory}/{marker}", "name: x\n");
        var path = Path.Combine(Temp, directory);
        var outcome = ScanWith(new Dictionary<string, string> { ["PATH"] = Path.Combine(Temp, "no-tools") }, false, null, "-f", path);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains($"{path}: ", outcome.Stderr);
        Assert.Contains($"rendering it needs {tool}, which is not on PATH", outcome.Stderr);
        Assert.Contains($"{command} {path} | eks-hardening scan -f -", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public void A_tool_variable_naming_no_file_is_exit_2_naming_the_variable()
    {
        var chart = WriteChart();
        var missing = Path.Combine(Temp, "bin", "helm");
        var outcome = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = missing }, false, null, "-f", chart);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains($"{ManifestRenderer.HelmVariable}={missing} does not exist", outcome.Stderr);
    }

    [Fact]
    public void A_failing_tool_is_exit_2_with_its_trimmed_message_and_an_empty_render_is_no_pass()
    {
        var chart = WriteChart();
        var failing = Tool("failing-helm", "echo '  Error: template: shop/templates/x.yaml:3: unexpected EOF  ' >&2\nexit 3\n");
        var outcome = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = failing }, false, null, "-f", chart);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains($"{chart}: helm template {chart} failed (exit 3): Error: template: shop/templates/x.yaml:3: unexpected EOF\n", outcome.Stderr);

        var silent = Tool("silent-helm", "exit 0\n");
        var empty = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = silent }, false, null, "-f", chart);
        Assert.Equal(ScanCommand.ExitUsage, empty.ExitCode);
        Assert.Contains($"{chart}: helm template {chart} rendered no Kubernetes objects", empty.Stderr);

        // Not even among other inputs: the chart would pass unseen.
        var other = Write("other.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
        var among = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = silent }, false, null, "-f", other, "-f", chart);
        Assert.Equal(ScanCommand.ExitUsage, among.ExitCode);
        Assert.Contains($"{chart}: helm template {chart} rendered no Kubernetes objects", among.Stderr);
    }

    [Fact]
    public void Helm_gets_the_directory_values_and_sets_as_separate_arguments_and_nothing_of_stdin()
    {
        var chart = WriteChart();
        var arguments = Path.Combine(Temp, "arguments");
        var helm = Tool("recording-helm", $"for a in \"$@\"; do echo \"$a\" >> '{arguments}'; done\ncat > /dev/null\necho 'apiVersion: v1'\necho 'kind: Namespace'\necho 'metadata: {{name: shop}}'\n");
        var values = Write("my values.yaml", "a: 1\n");
        var outcome = ScanWith(new Dictionary<string, string> { [ManifestRenderer.HelmVariable] = helm }, false, "stdin is not for helm",
            "-f", chart, "--values", values, "--set", "a=b; rm -rf /", "--set", "c=d");
        Assert.Equal("", outcome.Stderr);
        Assert.Equal(["template", chart, "--values", values, "--set", "a=b; rm -rf /", "--set", "c=d"], File.ReadAllLines(arguments));
    }

    [Theory]
    [InlineData("--values")]
    [InlineData("--set")]
    public void Helm_flags_without_a_chart_directory_are_a_usage_error(string flag)
    {
        var outcome = Scan(null, "-f", Write("pod.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"), flag, Write("v.yaml", "a: 1\n"));
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("--values and --set are passed to helm template, so they need a Helm chart directory", outcome.Stderr);
    }

    [Fact]
    public void A_values_file_that_does_not_exist_is_a_usage_error()
    {
        var chart = WriteChart();
        var outcome = Scan(null, "-f", chart, "--values", Path.Combine(Temp, "absent.yaml"));
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("absent.yaml: no such file", outcome.Stderr);
    }

    /// <summary>A stand-in for helm or kubectl: a script run directly (its #! line), never through a shell of ours.</summary>
    private string Tool(string name, string body)
    {
        var path = Write($"bin/{name}", "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string Render(string tool, params string[] args)
    {
        var result = ExternalTool.Run(tool, args);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {result.Stderr}");
        return result.Stdout;
    }

    private static string? Result(JsonNode report, string kind, string rule) =>
        report["policies"]![0]!["resources"]!.AsArray().First(r => r!["kind"]!.GetValue<string>() == kind)!["findings"]!.AsArray()
            .First(f => f!["rule"]!.GetValue<string>() == rule)!["result"]!.GetValue<string>();

    /// <summary>The report without where its resources came from (a file and line in one case, the template in the other).</summary>
    private static string WithoutSources(string output, string format)
    {
        if (format != "json") return output;
        var json = JsonNode.Parse(output)!;
        foreach (var resource in json["policies"]!.AsArray().SelectMany(p => p!["resources"]!.AsArray())) resource!.AsObject().Remove("source");
        return json.ToJsonString();
    }
}
