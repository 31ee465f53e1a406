namespace EksHardening.Operator.IntegrationTests;

/// <summary>The real executable: <c>eks-hardening run --kubeconfig</c> against the emulator.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static ProcessStartInfo Operator(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("KUBECONFIG");
        return start;
    }

    [Fact]
    public async Task Run_against_a_kubeconfig_writes_status_and_stops_on_request()
    {
        using var process = Process.Start(Operator("run", "--kubeconfig", _bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0", "--workers", "1"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await _bed.ConvergedAsync("production", TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain("Unhandled exception", await stderr);
    }

    /// <summary>With <c>--log-format json</c> every line on stdout is one JSON object (the process is killed, so a last partial line is left out).</summary>
    [Fact]
    public async Task Run_with_log_format_json_writes_one_json_object_per_line()
    {
        using var process = Process.Start(Operator("run", "--kubeconfig", _bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0",
            "--webhook-port", "0", "--workers", "1", "--log-format", "json"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await _bed.ConvergedAsync("production", TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var text = await stdout;
        var lines = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            var entry = JsonNode.Parse(line) as JsonObject;
            Assert.True(entry is not null, $"not a JSON object: {line}");
            foreach (var key in new[] { "Timestamp", "LogLevel", "Category", "Message" }) Assert.True(entry.ContainsKey(key), $"no {key} in {line}");
            Assert.EndsWith("Z", entry["Timestamp"]!.GetValue<string>());
        });
        Assert.Contains(lines, line => JsonNode.Parse(line)!["Category"]!.GetValue<string>().StartsWith("EksHardening.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "run", "--workers", "zero" }, "--workers must be a whole number")]
    [InlineData(new[] { "run", "--bogus" }, "unknown flag --bogus")]
    [InlineData(new[] { "run", "--kubeconfig", "/nonexistent/kubeconfig" }, "cannot load the Kubernetes configuration")]
    public async Task Bad_flags_and_config_exit_2_with_one_line(string[] args, string expected)
    {
        using var process = Process.Start(Operator(args))!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
