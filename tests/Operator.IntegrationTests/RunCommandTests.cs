namespace EksHardening.Operator.IntegrationTests;

/// <summary>The real executable, JIT and native: <c>eks-hardening run --kubeconfig</c> against the emulator.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private OperatorTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await OperatorTestbed.StartWithMixedWorkloadsAsync();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    public static TheoryData<string> Builds => [NativeBinary.Jit, NativeBinary.Native];

    [SkippableTheory]
    [MemberData(nameof(Builds))]
    public async Task Run_against_a_kubeconfig_writes_status_and_stops_on_request(string build)
    {
        using var process = Process.Start(NativeBinary.Start(build, "run", "--kubeconfig", _bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0", "--workers", "1"))!;
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
    [SkippableTheory]
    [MemberData(nameof(Builds))]
    public async Task Run_with_log_format_json_writes_one_json_object_per_line(string build)
    {
        using var process = Process.Start(NativeBinary.Start(build, "run", "--kubeconfig", _bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0",
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

    [SkippableTheory]
    [InlineData(NativeBinary.Jit, new[] { "run", "--workers", "zero" }, "--workers must be a whole number")]
    [InlineData(NativeBinary.Jit, new[] { "run", "--bogus" }, "unknown flag --bogus")]
    [InlineData(NativeBinary.Jit, new[] { "run", "--kubeconfig", "/nonexistent/kubeconfig" }, "cannot load the Kubernetes configuration")]
    [InlineData(NativeBinary.Native, new[] { "run", "--bogus" }, "unknown flag --bogus")]
    [InlineData(NativeBinary.Native, new[] { "run", "--kubeconfig", "/nonexistent/kubeconfig" }, "cannot load the Kubernetes configuration")]
    public async Task Bad_flags_and_config_exit_2_with_one_line(string build, string[] args, string expected)
    {
        using var process = Process.Start(NativeBinary.Start(build, args))!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
