namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The scale benchmark in its CI form: one small cluster (N = 1,000) and a few updates, run as the README runs it,
/// checked only for finishing and printing its machine-readable line; the figures are the full run's business.
/// It runs alone, so that its load does not slow the other tests' operators, nor theirs it.
/// </summary>
[Trait("Category", "Slow")]
[Collection(Name)]
public sealed partial class ScaleBenchmarkTests(ITestOutputHelper output)
{
    public const string Name = "scale benchmark";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_reduced_benchmark_completes_and_prints_its_final_line()
    {
        var start = new ProcessStartInfo("dotnet",
            ["exec", Path.Combine(AppContext.BaseDirectory, "EksHardening.ScaleBenchmark.dll"), "--sizes", "1000", "--updates", "20", "--steady-updates", "8", "--idle", "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the benchmark did not finish in {Timeout.TotalMinutes:0} minutes:\n{await stderr}");
        }

        output.WriteLine(await stdout);
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{await stderr}");
        var lines = (await stdout).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(FinalLine(), lines[^1]);
    }

    [GeneratedRegex(@"^scale N=1000 cold_s=\d+\.\d{3} floor_s=\d+\.\d{3} ratio=\d+\.\d{2} p50_ms=\d+ p99_ms=\d+ rss_mb=\d+ status_writes=\d+ steady_p50_ms=\d+ steady_p99_ms=\d+$")]
    private static partial Regex FinalLine();
}
