namespace EksHardening.Operator.Tests.Support;

/// <summary>
/// Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool-linux), the reference validator for
/// SARIF 2.1.0. `.ci/run` installs it into .tools/sarif and sets REQUIRE_SARIF_MULTITOOL=1; elsewhere
/// tests that need it skip at run time and say why.
/// </summary>
internal static class SarifMultitool
{
    private static readonly string? Executable = Find();

    /// <summary>Validation errors for a SARIF document (empty when valid). Skips the test when the tool is absent.</summary>
    public static List<string> Errors(string sarif)
    {
        if (Executable is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_SARIF_MULTITOOL") == "1",
                "REQUIRE_SARIF_MULTITOOL=1 but the SARIF Multitool is not installed (.ci/run installs it into .tools/sarif)");
            Skip.If(true, "SARIF Multitool not installed: run .ci/run, or npm install --prefix .tools/sarif @microsoft/sarif-multitool-linux@5.7.0");
        }

        var dir = Directory.CreateTempSubdirectory("sarif-validate-");
        try
        {
            var input = Path.Combine(dir.FullName, "input.sarif");
            var output = Path.Combine(dir.FullName, "validation.sarif");
            File.WriteAllText(input, sarif);
            var start = new ProcessStartInfo(Executable!, ["validate", input, "--output", output])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(File.Exists(output), $"the SARIF Multitool wrote no result (exit {process.ExitCode}): {stdout}");

            using var log = JsonDocument.Parse(File.ReadAllText(output));
            return log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
                .Where(r => r.TryGetProperty("level", out var level) && level.GetString() == "error")
                .Select(Describe)
                .ToList();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Describe(JsonElement result)
    {
        var rule = result.TryGetProperty("ruleId", out var id) ? id.GetString() : "?";
        var message = result.GetProperty("message");
        var text = message.TryGetProperty("text", out var t) ? t.GetString()
            : message.TryGetProperty("arguments", out var args) ? string.Join("; ", args.EnumerateArray().Select(a => a.GetString()))
            : message.ToString();
        return $"{rule}: {text}";
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("SARIF_MULTITOOL") is { Length: > 0 } configured && File.Exists(configured)) return configured;
        var installed = RepositoryPaths.Of(".tools", "sarif", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        return File.Exists(installed) ? installed : null;
    }
}
