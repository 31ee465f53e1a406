namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The release path, checked statically (no Docker or registry here): actionlint on the GitHub workflows,
/// dockerfilelint on the Dockerfile, each also shown to catch a broken input, and the release workflow's own
/// contract (tag = versions, image and chart names, platforms, signing, pinned actions).
/// </summary>
public sealed class ReleaseLintTests
{
    private const string WorkflowsDirectory = ".github/workflows";
    private const string ReleaseWorkflow = WorkflowsDirectory + "/release.yml";

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Actionlint_finds_nothing_in_the_repositorys_workflows()
    {
        var result = Linters.Actionlint(WorkflowsDirectory);

        Assert.True(result.ExitCode == 0, $"actionlint found problems (exit {result.ExitCode}):\n{result.Stdout}{result.Stderr}");
        Assert.Contains($"{Directory.GetFiles(RepositoryPaths.Of(WorkflowsDirectory.Split('/')), "*.yml").Length} file(s), 0 finding(s)", result.Stderr);
    }

    /// <summary>The README's GitHub Actions recipe is a job users paste: it must be a valid workflow too.</summary>
    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Actionlint_finds_nothing_in_the_readmes_GitHub_Actions_recipe()
    {
        var readme = File.ReadAllText(RepositoryPaths.Of("README.md"));
        var section = readme.IndexOf("\n## CI recipes", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## CI recipes' section");
        var start = readme.IndexOf("```yaml\n", section, StringComparison.Ordinal) + "```yaml\n".Length;
        var job = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.StartsWith("jobs:", job);
        var dir = Directory.CreateTempSubdirectory("actionlint-");
        try
        {
            var file = Path.Combine(dir.FullName, "readme-recipe.yml");
            File.WriteAllText(file, "name: eks-hardening\non: [push, pull_request]\n" + job);

            var result = Linters.Actionlint(file);

            Assert.True(result.ExitCode == 0, $"actionlint found problems in the README's recipe (exit {result.ExitCode}):\n{result.Stdout}{result.Stderr}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static TheoryData<string, string, string> BrokenWorkflows => new()
    {
        { "an unknown event", "on: pushh\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n", "[events]" },
        { "a misspelt context property", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.ref_nam }}\n", "[expression]" },
        { "a job without runs-on", "on: push\njobs:\n  a:\n    steps:\n      - run: echo hi\n", "runs-on" },
        { "a step output of a step that does not exist", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.build.outputs.digest }}\n", "[expression]" },
        { "an unknown permission", "on: push\npermissions:\n  id-tokens: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n", "[permissions]" },
    };

    [Trait("Category", "Slow")]
    [SkippableTheory]
    [MemberData(nameof(BrokenWorkflows))]
    public void Actionlint_reports_a_broken_workflow(string brokenBy, string workflow, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("actionlint-");
        try
        {
            var file = Path.Combine(dir.FullName, "broken.yml");
            File.WriteAllText(file, workflow);

            var result = Linters.Actionlint(file);

            Assert.True(result.ExitCode == 1, $"actionlint passed a workflow with {brokenBy} (exit {result.ExitCode}): {result.Stdout}{result.Stderr}");
            Assert.Contains(expected, result.Stdout);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Dockerfilelint_finds_nothing_in_the_Dockerfile()
    {
        var result = Linters.Dockerfilelint(RepositoryPaths.Of("Dockerfile"));

        Assert.Empty(Linters.DockerfilelintIssues(result));
        Assert.True(result.ExitCode == 0, $"dockerfilelint failed (exit {result.ExitCode}): {result.Stderr}");
    }

    public static TheoryData<string, string, string> BadDockerfiles => new()
    {
        { "the latest tag", "FROM ubuntu:latest\nCMD [\"true\"]\n", "Base Image Latest Tag" },
        { "apt-get install without -y", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install curl\nCMD [\"true\"]\n", "Missing parameter for `apt-get`" },
        { "a port out of range", "FROM ubuntu:24.04\nEXPOSE 99999\nCMD [\"true\"]\n", "Invalid Port Exposed" },
        { "an unknown instruction", "FROM ubuntu:24.04\nCOPPY a b\nCMD [\"true\"]\n", "Invalid Command" },
    };

    /// <summary>The bad file is linted beside a copy of the repository's .dockerfilelintrc, so that the rules in force are the repository's.</summary>
    [Trait("Category", "Slow")]
    [SkippableTheory]
    [MemberData(nameof(BadDockerfiles))]
    public void Dockerfilelint_reports_a_bad_Dockerfile(string badBy, string dockerfile, string expectedTitle)
    {
        var dir = Directory.CreateTempSubdirectory("dockerfilelint-");
        try
        {
            File.Copy(RepositoryPaths.Of(".dockerfilelintrc"), Path.Combine(dir.FullName, ".dockerfilelintrc"));
            var file = Path.Combine(dir.FullName, "Dockerfile");
            File.WriteAllText(file, dockerfile);

            var result = Linters.Dockerfilelint(file);

            Assert.True(result.ExitCode != 0, $"dockerfilelint passed a Dockerfile with {badBy}: {result.Stdout}");
            Assert.Contains(Linters.DockerfilelintIssues(result), issue => issue.StartsWith(expectedTitle + " (", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// dockerfilelint 1.8.0 reads `FROM --platform=…` as the image name, so .dockerfilelintrc turns its missing_tag rule
    /// off; this test checks instead that every stage's base image names a tag or a digest, never latest.
    /// </summary>
    [Fact]
    public void Every_base_image_of_the_Dockerfile_names_a_tag_other_than_latest()
    {
        var images = Regex.Matches(File.ReadAllText(RepositoryPaths.Of("Dockerfile")), @"^FROM\s+(?:--\S+\s+)*(?<image>\S+)", RegexOptions.Multiline)
            .Select(m => m.Groups["image"].Value)
            .ToList();

        Assert.Equal(2, images.Count);
        Assert.All(images, image =>
        {
            var lastSegment = image[(image.LastIndexOf('/') + 1)..];
            Assert.True(lastSegment.Contains(':') || image.Contains("@sha256:"), $"{image} names no tag");
            Assert.False(lastSegment.EndsWith(":latest", StringComparison.Ordinal), $"{image} is latest");
        });
    }

    [Fact]
    public void The_image_cross_publishes_from_the_build_platform_for_amd64_and_arm64()
    {
        var dockerfile = File.ReadAllText(RepositoryPaths.Of("Dockerfile"));
        var build = ReleaseStep("Build and push the image (linux/amd64, linux/arm64)")["with"]!;

        Assert.Matches(@"(?m)^FROM --platform=\$BUILDPLATFORM mcr\.microsoft\.com/dotnet/sdk:\S+ AS build$", dockerfile);
        Assert.Matches(@"(?m)^FROM --platform=\$BUILDPLATFORM mcr\.microsoft\.com/dotnet/sdk:\S+-aot AS build$", dockerfile);
        Assert.Matches(@"(?m)^RUN scripts/native-cross-toolchain ""\$TARGETARCH""$", dockerfile);
        Assert.Matches(@"(?m)^RUN scripts/publish-native .*-a ""\$TARGETARCH""", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/runtime-deps:\S+-chiseled$", dockerfile);
        Assert.Matches(@"(?m)^ENTRYPOINT \[""/app/eks-hardening""\]$", dockerfile);
        Assert.Equal("linux/amd64,linux/arm64", Text(build["platforms"]));
        Assert.Equal("Dockerfile", Text(build["file"]));
        Assert.Equal("true", Text(build["push"]));
        Assert.Equal("true", Text(build["sbom"]));
        Assert.StartsWith("mode=max", Text(build["provenance"]));
    }

    [Fact]
    public void The_release_runs_on_version_tags_with_the_permissions_keyless_signing_needs()
    {
        var workflow = Workflow(ReleaseWorkflow);
        var job = (JsonObject)workflow["jobs"]!["release"]!;

        Assert.Equal(["v*.*.*"], workflow["on"]!["push"]!["tags"]!.AsArray().Select(Text));
        Assert.Equal("read", Text(workflow["permissions"]!["contents"]));
        Assert.Equal(
            new Dictionary<string, string> { ["contents"] = "write", ["packages"] = "write", ["id-token"] = "write" },
            job["permissions"]!.AsObject().ToDictionary(p => p.Key, p => Text(p.Value)));
    }

    [Fact]
    public void The_release_signs_the_image_and_the_chart_by_digest_and_attests_the_sbom()
    {
        var steps = ReleaseSteps();
        var runs = string.Join("\n", steps.Select(s => Text(s["run"])));

        Assert.Contains(steps, s => Text(s["uses"]).StartsWith("sigstore/cosign-installer@", StringComparison.Ordinal));
        Assert.Contains(steps, s => Text(s["uses"]).StartsWith("anchore/sbom-action@", StringComparison.Ordinal));
        Assert.Contains("cosign sign --yes \"$IMAGE\"", runs);
        Assert.Contains("cosign attest --yes --type spdxjson --predicate \"$SBOM\" \"$IMAGE\"", runs);
        Assert.Contains("cosign sign --yes \"$CHARTS/eks-hardening@$digest\"", runs);
        Assert.Equal("${{ steps.names.outputs.image }}@${{ steps.build.outputs.digest }}",
            Text(ReleaseStep("Sign the image (keyless, by digest)")["env"]!["IMAGE"]));
        Assert.Contains("--set-string \"image.digest=$DIGEST\"", Text(ReleaseStep("Render install.yaml with the image pinned by digest")["run"]));
        Assert.Contains("dist/install.yaml", Text(ReleaseStep("Publish the GitHub release")["run"]));
    }

    /// <summary>Every action is pinned by a full commit SHA (a tag can be moved), with the tag named in a comment.</summary>
    [Fact]
    public void Every_action_in_the_workflows_is_pinned_by_commit()
    {
        var uses = Directory.GetFiles(RepositoryPaths.Of(WorkflowsDirectory.Split('/')), "*.yml")
            .SelectMany(File.ReadAllLines)
            .Where(line => Regex.IsMatch(line, @"^\s*(-\s+)?uses:"))
            .ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, line => Assert.Matches(@"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$", line));
    }

    public static TheoryData<string, string> RepositoryOwners => new()
    {
        { "eks-hardening", "ghcr.io/eks-hardening" },
        { "Eks-Hardening", "ghcr.io/eks-hardening" },
    };

    /// <summary>
    /// The step that names the release, run as the workflow runs it (bash, GITHUB_* variables) over copies of the
    /// csproj and Chart.yaml: a tag equal to both versions names the chart's default image; any other tag fails.
    /// </summary>
    [Trait("Category", "Slow")]
    [SkippableTheory]
    [MemberData(nameof(RepositoryOwners))]
    public void The_version_check_accepts_the_tag_of_the_csproj_and_chart_version(string owner, string registry)
    {
        var version = CsprojVersion();
        var result = RunVersionCheck("v" + version, owner);

        Assert.True(result.ExitCode == 0, $"the version check failed for v{version}: {result.Stdout}{result.Stderr}");
        Assert.Equal($"{registry}/eks-hardening", result.Outputs["image"]);
        Assert.Equal($"{registry}/charts", result.Outputs["charts"]);
        Assert.Equal(version, result.Outputs["version"]);
        // The image the release publishes (for the project's own owner) is the chart's default image.
        if (owner == "eks-hardening") Assert.Equal(ChartDefaultImageRepository(), result.Outputs["image"]);
    }

    public static TheoryData<string> WrongTags => new() { "v9.9.9", "v0.1", "0.1.0-not-a-tag", "vlatest" };

    [Trait("Category", "Slow")]
    [SkippableTheory]
    [MemberData(nameof(WrongTags))]
    public void The_version_check_fails_a_tag_that_is_not_the_csproj_and_chart_version(string tag)
    {
        var result = RunVersionCheck(tag, "eks-hardening");

        Assert.True(result.ExitCode != 0, $"the version check passed tag {tag}: {result.Stdout}");
        Assert.Contains("::error::", result.Stdout);
        Assert.Empty(result.Outputs);
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void The_version_check_fails_when_the_chart_version_differs_from_the_csproj()
    {
        var version = CsprojVersion();
        var result = RunVersionCheck("v" + version, "eks-hardening",
            chartYaml => Regex.Replace(chartYaml, @"(?m)^version:.*$", "version: 99.0.0"));

        Assert.True(result.ExitCode != 0, $"the version check passed a chart version of 99.0.0: {result.Stdout}");
        Assert.Contains("Chart.yaml version is 99.0.0", result.Stdout);
    }

    private static VersionCheckResult RunVersionCheck(string tag, string owner, Func<string, string>? editChart = null)
    {
        var bash = ExternalTool.FindOnPath("bash");
        Skip.If(bash is null, "bash not found on PATH");
        var dir = Directory.CreateTempSubdirectory("release-names-");
        try
        {
            var chartDir = Path.Combine(dir.FullName, "chart");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "src", "Operator"));
            Directory.CreateDirectory(chartDir);
            File.Copy(RepositoryPaths.Of("src", "Operator", "EksHardening.Operator.csproj"), Path.Combine(dir.FullName, "src", "Operator", "EksHardening.Operator.csproj"));
            var chartYaml = File.ReadAllText(Path.Combine(Helm.ChartPath, "Chart.yaml"));
            File.WriteAllText(Path.Combine(chartDir, "Chart.yaml"), editChart is null ? chartYaml : editChart(chartYaml));
            var outputFile = Path.Combine(dir.FullName, "github-output");
            File.WriteAllText(outputFile, "");

            var result = ExternalTool.Run(bash!, ["-c", Text(ReleaseStep("Check that the tag is the operator's and the chart's version")["run"])], dir.FullName,
                new Dictionary<string, string>
                {
                    ["GITHUB_REF_NAME"] = tag,
                    ["GITHUB_REPOSITORY_OWNER"] = owner,
                    ["GITHUB_OUTPUT"] = outputFile,
                    ["CHART_DIR"] = "chart",
                });
            var outputs = File.ReadAllLines(outputFile).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
            return new VersionCheckResult(result.ExitCode, result.Stdout, result.Stderr, outputs);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string CsprojVersion() =>
        XDocument.Load(RepositoryPaths.Of("src", "Operator", "EksHardening.Operator.csproj")).Descendants("Version").Single().Value;

    private static string ChartDefaultImageRepository()
    {
        var values = YamlToJson.Parse(File.ReadAllText(Path.Combine(Helm.ChartPath, "values.yaml")), "values.yaml").Single().Root!;
        return Text(values["image"]!["repository"]);
    }

    private static JsonObject Workflow(string path) =>
        (JsonObject)YamlToJson.Parse(File.ReadAllText(RepositoryPaths.Of(path.Split('/'))), path).Single().Root!;

    private static List<JsonObject> ReleaseSteps() =>
        Workflow(ReleaseWorkflow)["jobs"]!["release"]!["steps"]!.AsArray().Cast<JsonObject>().ToList();

    private static JsonObject ReleaseStep(string name)
    {
        var step = ReleaseSteps().SingleOrDefault(s => Text(s["name"]) == name);
        Assert.True(step is not null, $"{ReleaseWorkflow} has no step named '{name}'");
        return step!;
    }

    private static string Text(JsonNode? node) => node is JsonValue value ? value.ToString() : "";

    private sealed record VersionCheckResult(int ExitCode, string Stdout, string Stderr, Dictionary<string, string> Outputs);
}
