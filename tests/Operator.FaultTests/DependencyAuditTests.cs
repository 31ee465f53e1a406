namespace EksHardening.Operator.FaultTests;

/// <summary>
/// Item 9: the CI's dependency audit (<c>.ci/dependency-audit</c>) fails on High and Critical advisories, direct or
/// transitive, prints them, and never passes an audit that could not run off as clean.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DependencyAuditTests : IDisposable
{
    private readonly string _report = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_report);

    private static string Report(params (string Package, string Severity, bool Transitive)[] advisories)
    {
        string Packages(bool transitive) => string.Join(",", advisories.Where(a => a.Transitive == transitive).Select(a =>
            $$"""{"id":"{{a.Package}}","resolvedVersion":"1.2.3","vulnerabilities":[{"severity":"{{a.Severity}}","advisoryurl":"https://github.com/advisories/GHSA-{{a.Package}}"}]}"""));
        return $$"""
            {"version":1,"parameters":"--vulnerable --include-transitive","sources":["https://api.nuget.org/v3/index.json"],
             "projects":[{"path":"/src/Operator/EksHardening.Operator.csproj","frameworks":[{"framework":"net10.0",
               "topLevelPackages":[{{Packages(false)}}],"transitivePackages":[{{Packages(true)}}]}]},
              {"path":"/src/Entities/EksHardening.Entities.csproj"}]}
            """;
    }

    private async Task<(int ExitCode, string Output)> AuditAsync(string report, bool sourcesWithoutData = false, bool required = false)
    {
        await File.WriteAllTextAsync(_report, report);
        var start = new ProcessStartInfo("bash", [RepositoryPaths.Of(".ci", "dependency-audit"), "--from-json", _report])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["AUDIT_SOURCES_WITHOUT_DATA"] = sourcesWithoutData ? "1" : "0";
        start.Environment["REQUIRE_VULNERABILITY_AUDIT"] = required ? "1" : "0";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [Theory]
    [InlineData("High", false)]
    [InlineData("Critical", true)]
    public async Task A_high_or_critical_advisory_direct_or_transitive_fails_and_is_printed(string severity, bool transitive)
    {
        var (exitCode, output) = await AuditAsync(Report(("Risky.Package", severity, transitive), ("Mild.Package", "Moderate", false)));
        Assert.Equal(1, exitCode);
        Assert.Contains($"{severity}\tRisky.Package 1.2.3\thttps://github.com/advisories/GHSA-Risky.Package\tEksHardening.Operator.csproj", output, StringComparison.Ordinal);
        Assert.Contains("Moderate\tMild.Package", output, StringComparison.Ordinal);
        Assert.Contains("FAILED: 1 High or Critical", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lower_advisories_are_printed_and_pass()
    {
        var (exitCode, output) = await AuditAsync(Report(("Mild.Package", "Moderate", true), ("Minor.Package", "Low", false)));
        Assert.Equal(0, exitCode);
        Assert.Contains("Low\tMinor.Package", output, StringComparison.Ordinal);
        Assert.Contains("no High or Critical advisories", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sources_without_vulnerability_data_are_never_reported_as_clean()
    {
        var (exitCode, output) = await AuditAsync(Report(), sourcesWithoutData: true);
        Assert.Equal(0, exitCode);
        Assert.Contains("NOT AUDITED", output, StringComparison.Ordinal);
        Assert.DoesNotContain("no High or Critical advisories", output, StringComparison.Ordinal);

        var (requiredExitCode, requiredOutput) = await AuditAsync(Report(), sourcesWithoutData: true, required: true);
        Assert.Equal(1, requiredExitCode);
        Assert.Contains("the audit could not run", requiredOutput, StringComparison.Ordinal);
    }
}
