namespace EksHardening.Operator.Tests.Cli;

public sealed class ScanCommandTests : ScanTestBase
{

    private static string Examples => RepositoryPaths.Of("deploy", "examples");

    private const string CompliantPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: ok, namespace: shop}
        spec: {containers: [{name: app, image: "nginx:1.25"}]}
        """;

    [Fact]
    public void Examples_scan_prints_the_table_and_exits_1()
    {
        var outcome = Scan(null, "-f", Examples);
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        Assert.Contains("production", outcome.Stdout);
        Assert.Contains("NetworkSecurity", outcome.Stdout);
        Assert.DoesNotContain("v1/Service", outcome.Stdout);
        // Without --kubernetes-version the API server's version is unknown: the skew of the example Nodes is not judged, and says so.
        Assert.Contains("node.kubelet-skew not evaluated: the API server's version is unknown", outcome.Stdout);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public void Every_rule_of_the_catalog_fails_somewhere_in_the_examples_and_the_compliant_namespace_passes()
    {
        var outcome = Scan(null, "-f", Examples, "-o", "json", "--kubernetes-version", "1.31");
        using var json = JsonDocument.Parse(outcome.Stdout);
        var policy = json.RootElement.GetProperty("policies").EnumerateArray().Single();
        var resources = policy.GetProperty("resources").EnumerateArray().ToList();
        var failedRules = resources.SelectMany(r => r.GetProperty("findings").EnumerateArray())
            .Where(f => f.GetProperty("result").GetString() == "fail")
            .Select(f => f.GetProperty("rule").GetString())
            .ToHashSet();
        // AWS-backed rules are off without --aws; ScanAwsTests covers them against the AWS stub.
        var neverFailing = RuleCatalog.All.Where(r => !r.RequiresAws).Select(r => r.Id).Where(id => !failedRules.Contains(id)).ToList();
        Assert.True(neverFailing.Count == 0, "rules that never fail in deploy/examples: " + string.Join(", ", neverFailing));

        string Verdict(string kind, string name) => resources.Single(r => r.GetProperty("kind").GetString() == kind && r.GetProperty("name").GetString() == name)
            .GetProperty("verdict").GetString()!;
        Assert.Equal("pass", Verdict("Deployment", "web"));
        Assert.Equal("pass", Verdict("Namespace", "shop"));
        Assert.Equal("exempt", Verdict("Deployment", "old-etl"));
        Assert.Equal("fail", Verdict("Deployment", "legacy-api"));
        Assert.Equal("pass", Verdict("StorageClass", "gp3"));
        Assert.Equal("fail", Verdict("StorageClass", "gp2"));
        Assert.Equal("pass", Verdict("PersistentVolumeClaim", "web-cache"));
        Assert.Equal("fail", Verdict("PersistentVolumeClaim", "legacy-data"));
        Assert.Equal("pass", Verdict("Ingress", "web"));
        Assert.Equal("fail", Verdict("Ingress", "legacy-api"));
        Assert.Equal("pass", Verdict("Service", "web-nlb"));
        Assert.Equal("fail", Verdict("Service", "legacy-api-lb"));
        Assert.Equal("pass", Verdict("Node", "ip-10-0-1-17.eu-west-1.compute.internal"));
        Assert.Equal("fail", Verdict("Node", "ip-10-0-2-44.eu-west-1.compute.internal"));
        Assert.DoesNotContain(resources, r => r.GetProperty("name").GetString() == "efs");
        Assert.DoesNotContain(resources, r => r.GetProperty("name").GetString() == "aws-node");
        Assert.Equal("load-test-waiver", policy.GetProperty("expiredExemptions")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("1.31")]
    [InlineData("v1.31")]
    [InlineData("v1.31.2-eks-7f9249a")]
    public void Kubernetes_version_gives_node_kubelet_skew_the_API_servers_version(string version)
    {
        var outcome = Scan(null, "-f", Examples, "-o", "json", "--kubernetes-version", version);
        using var json = JsonDocument.Parse(outcome.Stdout);
        var resources = json.RootElement.GetProperty("policies")[0].GetProperty("resources").EnumerateArray().ToList();
        string SkewResult(string node) => resources.Single(r => r.GetProperty("kind").GetString() == "Node" && r.GetProperty("name").GetString() == node)
            .GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == NodeRules.KubeletSkew.Id)
            .GetProperty("result").GetString()!;
        // The example Nodes run kubelet v1.31.2 and v1.28.15; the policy allows a skew of 1.
        Assert.Equal("pass", SkewResult("ip-10-0-1-17.eu-west-1.compute.internal"));
        Assert.Equal("fail", SkewResult("ip-10-0-2-44.eu-west-1.compute.internal"));
        Assert.DoesNotContain("node.kubelet-skew not evaluated", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_has_the_documented_shape()
    {
        var path = Write("in.yaml", LatestPolicy + "---\n" + CompliantPod + "\n---\n" + CompliantPod.Replace("ok", "bad").Replace("nginx:1.25", "nginx"));
        var outcome = Scan(null, "-f", path, "--output", "json");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);

        using var json = JsonDocument.Parse(outcome.Stdout);
        var root = json.RootElement;
        Assert.Equal("eks-hardening", root.GetProperty("tool").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("version").GetString()));
        var policy = root.GetProperty("policies")[0];
        Assert.Equal("tags", policy.GetProperty("name").GetString());
        Assert.Equal("Audit", policy.GetProperty("mode").GetString());
        var summary = policy.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("resources").GetInt32());
        Assert.Equal(1, summary.GetProperty("compliant").GetInt32());
        Assert.Equal(1, summary.GetProperty("violating").GetInt32());
        Assert.Equal(0, summary.GetProperty("exempt").GetInt32());
        Assert.Equal(0, summary.GetProperty("errors").GetInt32());
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("clusterFindings").ValueKind);

        var bad = policy.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "bad");
        Assert.Equal("v1", bad.GetProperty("apiVersion").GetString());
        Assert.Equal("Pod", bad.GetProperty("kind").GetString());
        Assert.Equal("shop", bad.GetProperty("namespace").GetString());
        Assert.Equal($"{path}:12", bad.GetProperty("source").GetString());
        Assert.Equal("fail", bad.GetProperty("verdict").GetString());
        var finding = bad.GetProperty("findings")[0];
        Assert.Equal("image.tag-not-latest", finding.GetProperty("rule").GetString());
        Assert.Equal("InfrastructureSecurity", finding.GetProperty("row").GetString());
        Assert.Equal("high", finding.GetProperty("severity").GetString());
        Assert.Equal("fail", finding.GetProperty("result").GetString());
        Assert.Contains("container app", finding.GetProperty("message").GetString());
        Assert.Equal("spec.containers[0].image", finding.GetProperty("path").GetString());
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Sarif_output_is_sarif_2_1_0_with_rule_metadata()
    {
        var outcome = Scan(null, "-f", Examples, "-o", "sarif");
        var errors = SarifMultitool.Errors(outcome.Stdout);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        using var json = JsonDocument.Parse(outcome.Stdout);
        Assert.Equal("2.1.0", json.RootElement.GetProperty("version").GetString());
        var run = json.RootElement.GetProperty("runs")[0];
        Assert.NotEmpty(run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray());
        Assert.NotEmpty(run.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public void Exit_0_when_nothing_fails_at_or_above_the_threshold()
    {
        var path = Write("in.yaml", LatestPolicy + "---\n" + CompliantPod);
        Assert.Equal(ScanCommand.ExitClean, Scan(null, "-f", path).ExitCode);

        var failing = Write("bad.yaml", LatestPolicy + "---\n" + CompliantPod.Replace("nginx:1.25", "nginx"));
        Assert.Equal(ScanCommand.ExitViolations, Scan(null, "-f", failing, "--fail-on", "high").ExitCode);
        Assert.Equal(ScanCommand.ExitClean, Scan(null, "-f", failing, "--fail-on", "critical").ExitCode);
        Assert.Equal(ScanCommand.ExitClean, Scan(null, "-f", failing, "--fail-on=none").ExitCode);
        Assert.Equal(ScanCommand.ExitViolations, Scan(null, "-f", failing, "--fail-on", "low").ExitCode);
    }

    [Fact]
    public void Reads_stdin_lists_json_files_and_a_separate_policy_file()
    {
        var list = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {}}
            ]}
            """;
        var policy = Write("policy.yaml", LatestPolicy);
        var outcome = Scan(list, "-f", "-", "--policy", policy, "-o", "json");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
        using var json = JsonDocument.Parse(outcome.Stdout);
        var resource = json.RootElement.GetProperty("policies")[0].GetProperty("resources")[0];
        Assert.Equal("default", resource.GetProperty("namespace").GetString());
        Assert.StartsWith("<stdin>:", resource.GetProperty("source").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("skipped").GetProperty("v1/ConfigMap").GetInt32());
    }

    [Fact]
    public void Directories_are_read_recursively_for_yaml_yml_and_json_only()
    {
        Directory.CreateDirectory(Path.Combine(Temp, "nested", "deeper"));
        Write(Path.Combine("nested", "deeper", "pod.yml"), CompliantPod.Replace("nginx:1.25", "nginx"));
        Write(Path.Combine("nested", "policy.yaml"), LatestPolicy);
        Write(Path.Combine("nested", "notes.txt"), "not: [yaml");
        var outcome = Scan(null, "-f", Path.Combine(Temp, "nested"), "-o", "json");
        Assert.Equal(ScanCommand.ExitViolations, outcome.ExitCode);
    }

    [Theory]
    [InlineData(new string[0], "no input")]
    [InlineData(new[] { "-f" }, "-f needs a value")]
    [InlineData(new[] { "-f", "x.yaml", "--bogus" }, "unknown flag --bogus")]
    [InlineData(new[] { "-f", "x.yaml", "-o", "xml" }, "--output must be table, json, sarif or junit")]
    [InlineData(new[] { "-f", "x.yaml", "--fail-on", "severe" }, "--fail-on must be")]
    [InlineData(new[] { "x.yaml" }, "unexpected argument 'x.yaml'")]
    public void Usage_errors_exit_2_with_one_clear_line(string[] args, string expected)
    {
        var outcome = Scan(null, args);
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains(expected, outcome.Stderr);
        Assert.Empty(outcome.Stdout);
    }

    [Theory]
    [InlineData("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n", "bad.yaml:", "invalid YAML")]
    [InlineData("dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n", "dup.yaml:5", "duplicate key 'name'")]
    [InlineData("nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n", "nokind.yaml:1", "has no kind")]
    [InlineData("type.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: 5\n", "type.yaml:5", "Pod 'x': invalid field at spec.containers")]
    [InlineData("scalar.yaml", "just a string\n", "scalar.yaml:1", "must be a mapping")]
    [InlineData("bad.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",,}", "bad.json:1", "invalid YAML")]
    [InlineData("empty.yaml", "# nothing here\n", "empty.yaml", "empty input")]
    public void Malformed_input_names_file_and_line_and_exits_2(string name, string content, string location, string reason)
    {
        var path = Write(name, content);
        var outcome = Scan(null, "-f", path, "--policy", Write("p.yaml", LatestPolicy));
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains(Path.Combine(Temp, location), outcome.Stderr);
        Assert.Contains(reason, outcome.Stderr);
        Assert.DoesNotContain("   at ", outcome.Stderr);
        Assert.Single(outcome.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_missing_file_is_an_input_error()
    {
        var outcome = Scan(null, "-f", Path.Combine(Temp, "absent.yaml"));
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("absent.yaml: no such file or directory", outcome.Stderr);
        Assert.DoesNotContain(":0", outcome.Stderr);
    }

    [Fact]
    public void A_policy_breaking_the_crd_rules_names_the_field_and_line()
    {
        var path = Write("policy.yaml", LatestPolicy.Replace("imageScanning: {disallowLatestTag: true}", "mode: Sometimes\n  imageScanning: {disallowLatestTag: true}"));
        var outcome = Scan(null, "-f", path, "-f", Write("pod.yaml", CompliantPod));
        Assert.Equal(ScanCommand.ExitUsage, outcome.ExitCode);
        Assert.Contains("policy.yaml:5", outcome.Stderr);
        Assert.Contains("spec.mode", outcome.Stderr);
        Assert.DoesNotContain("   at ", outcome.Stderr);
    }

    [Fact]
    public void Without_a_policy_in_the_inputs_the_shipped_example_policy_applies()
    {
        var outcome = Scan(null, "-f", Write("pod.yaml", CompliantPod), "-o", "json");
        using var json = JsonDocument.Parse(outcome.Stdout);
        Assert.Equal("production", json.RootElement.GetProperty("policies")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_executable_returns_the_exit_code_of_the_scan()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", ["exec", dll, "scan", "-f", Examples, "-o", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {await stderr}");
        using var json = JsonDocument.Parse(await stdout);
        Assert.Equal("eks-hardening", json.RootElement.GetProperty("tool").GetString());
    }
}
