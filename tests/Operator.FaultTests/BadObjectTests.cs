namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Scenario 5: objects the API server may hand over, however odd: optional fields absent everywhere, 1 MiB of
/// annotations, unicode names, unknown fields, ten thousand containers in one pod, and a policy with every field at
/// its limits. The operator (a real process, so that its memory can be measured) must not crash, must stay within
/// bounded memory, and must write exactly the status the rule engine computes; scan must judge the same objects and
/// refuse duplicate YAML keys with one clear line.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BadObjectTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MemoryBound = 1024L * 1024 * 1024;
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync() => _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static JsonObject Raw(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Named(JsonObject obj, string name)
    {
        obj["metadata"]!["name"] = name;
        return obj;
    }

    private static JsonObject Deployment(string name, JsonObject annotations)
    {
        var deployment = Raw("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"namespace":"prod-a"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}""");
        deployment["metadata"]!["name"] = name;
        deployment["metadata"]!["annotations"] = annotations;
        return deployment;
    }

    /// <summary>
    /// Every odd object, in prod-a (in scope of both policies). Unicode goes wherever the API server lets it through
    /// (container names, images, annotations); in names only for scan, since the API server refuses such names.
    /// </summary>
    private static List<JsonObject> OddObjects(string unicodeName = "unicode")
    {
        var containers = new JsonArray();
        for (var i = 0; i < 10_000; i++) containers.Add(new JsonObject { ["name"] = $"c{i}", ["image"] = "nginx:latest" });
        var megabyte = new JsonObject();
        for (var i = 0; i < 16; i++) megabyte[$"example.com/blob-{i}"] = new string((char)('a' + i), 64 * 1024);
        return
        [
            // Optional fields absent everywhere.
            Raw("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"no-spec","namespace":"prod-a"}}"""),
            Raw("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare","namespace":"prod-a"},"spec":{"containers":[{"name":"c"}]}}"""),
            Raw("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"no-containers","namespace":"prod-a"},"spec":{}}"""),
            Raw("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"no-template","namespace":"prod-a"},"spec":{}}"""),
            Raw("""{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"no-spec","namespace":"prod-a"}}"""),
            Raw("""{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"empty-template","namespace":"prod-a"},"spec":{"template":{}}}"""),
            Raw("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"empty-pod-spec","namespace":"prod-a"},"spec":{"template":{"spec":{}}}}"""),
            Raw("""{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"no-job-template","namespace":"prod-a"},"spec":{"schedule":"@daily"}}"""),
            Raw("""{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"null-lists","namespace":"prod-a"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":null,"env":null,"ports":null,"securityContext":null}],"volumes":null,"initContainers":null}}}}"""),
            Raw("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"bare","namespace":"prod-a"}}"""),
            Raw("""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"no-spec","namespace":"prod-a"}}"""),
            // 1 MiB of annotations.
            Deployment("annotated", megabyte),
            // Unicode everywhere.
            Named(Raw("""{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"prod-a","annotations":{"note":"名前-😀\u202e"}},"spec":{"containers":[{"name":"容器-😀","image":"régistry.example.com/ïmage:ß\u202e"}]}}"""), unicodeName),
            // Unknown fields at every level.
            Raw("""{"apiVersion":"v1","kind":"Pod","future":{"x":1},"metadata":{"name":"unknown-fields","namespace":"prod-a","futureMeta":[1,2]},"spec":{"futureSpec":true,"containers":[{"name":"c","image":"nginx:1","futureContainer":{"a":[{"b":null}]},"securityContext":{"futureKnob":"on"}}]},"status":{"futureStatus":1}}"""),
            // Ten thousand containers.
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = "ten-thousand", ["namespace"] = "prod-a" }, ["spec"] = new JsonObject { ["containers"] = containers } },
        ];
    }

    [Fact]
    public async Task Odd_objects_and_a_policy_at_its_limits_are_judged_without_a_crash_within_bounded_memory()
    {
        var limits = PolicyAtItsLimits.Build("limits");
        var problems = PolicyValidator.Validate(limits);
        Assert.True(problems.Count == 0, "past the limits: " + PolicyValidator.Summarize(problems));
        var prodA = _bed.Emulator.Get<V1Namespace>("prod-a")!;
        prodA.ApiVersion = "v1";
        prodA.Kind = "Namespace";
        foreach (var (key, value) in PolicyAtItsLimits.SelectorLabels()) prodA.Metadata.Labels[key] = value;
        _bed.Emulator.Seed(prodA);
        foreach (var odd in OddObjects()) _bed.Emulator.Seed(odd);
        _bed.Emulator.Seed(limits);

        await using var process = OperatorProcess.Start(
            ["run", "--kubeconfig", _bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0", "--aws", "false"],
            new Dictionary<string, string?>());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _bed.ConvergedAsync("production", TimeSpan.FromSeconds(120));
        await _bed.ConvergedAsync("limits", TimeSpan.FromSeconds(120));
        var took = clock.Elapsed;
        var peak = process.PeakResidentBytes();
        Assert.False(process.HasExited, "the operator is still running");
        Assert.DoesNotContain(process.Output, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
        Assert.True(peak < MemoryBound, $"peak resident memory {peak / (1024 * 1024)} MiB");

        // Clear messages: every violation names its container or field, in one clean line within the CRD's bound.
        var violations = _bed.Policy("production")!.Status.Violations!.Concat(_bed.Policy("limits")!.Status.Violations!).ToList();
        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.True(v.Message.Length is > 0 and <= 1024 && !v.Message.Any(char.IsControl), v.Message));
        Assert.Contains(violations, v => v.Name == "ten-thousand" && v.Message.Contains("container c", StringComparison.Ordinal));
        var limitsSize = limits.ToJsonString().Length;
        ScenarioReport.Add(output, new ScenarioOutcome("5 bad objects",
            $"15 odd objects (no spec, nulls, 1 MiB annotations, unicode, unknown fields, 10 000 containers) and a {limitsSize / 1024} KiB policy at the CRD's limits",
            took, $"none needed; peak memory {peak / (1024 * 1024)} MiB (bound {MemoryBound / (1024 * 1024)} MiB)", "nothing; no crash"));
    }

    [Fact]
    public async Task Scan_judges_the_odd_objects_and_refuses_duplicate_keys_in_one_line()
    {
        var directory = Directory.CreateTempSubdirectory("eks-hardening-bad-").FullName;
        try
        {
            var manifests = Path.Combine(directory, "odd.json");
            var prodA = new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = "prod-a", ["labels"] = new JsonObject([KeyValuePair.Create("env", (JsonNode?)"prod"), .. PolicyAtItsLimits.SelectorLabels().Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]) },
            };
            await File.WriteAllTextAsync(manifests, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([prodA, .. OddObjects("ünïcødé-名前-😀")]) }.ToJsonString());
            var policy = Path.Combine(directory, "policy.json");
            await File.WriteAllTextAsync(policy, PolicyAtItsLimits.Build("limits").ToJsonString());
            await using (var scan = OperatorProcess.Start(["scan", "-f", manifests, "--policy", policy, "-o", "json"], new Dictionary<string, string?>()))
            {
                await Eventually.True(() => scan.HasExited, "scan finishes", TimeSpan.FromSeconds(120));
                var (exitCode, _) = await scan.TerminateAsync(TimeSpan.FromSeconds(5));
                Assert.True(exitCode == 1, $"exit {exitCode}: {string.Join('\n', scan.Output.TakeLast(5))}");   // violations found, no crash
                Assert.Contains("\"ten-thousand\"", string.Join('\n', scan.Output), StringComparison.Ordinal);
            }

            var duplicate = Path.Combine(directory, "duplicate.yaml");
            await File.WriteAllTextAsync(duplicate, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec: {containers: [{name: c, image: nginx}]}\n");
            await using var refused = OperatorProcess.Start(["scan", "-f", duplicate], new Dictionary<string, string?>());
            await Eventually.True(() => refused.HasExited, "scan finishes", TimeSpan.FromSeconds(60));
            var (refusedExit, _) = await refused.TerminateAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(2, refusedExit);
            var line = Assert.Single(refused.Output);
            Assert.Contains("duplicate.yaml:5", line, StringComparison.Ordinal);
            Assert.Contains("duplicate key 'name'", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
