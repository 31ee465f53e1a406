namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The native binary reads, judges and writes exactly as the JIT build: the README's scan of the bundled examples, in
/// every output format, byte for byte (JUnit's measured times aside), with the same exit code and stderr.
/// </summary>
public sealed class NativeBuildTests
{
    [SkippableTheory]
    [InlineData("json")]
    [InlineData("sarif")]
    [InlineData("table")]
    [InlineData("junit")]
    public async Task The_native_scan_of_the_examples_is_the_JIT_scan_byte_for_byte(string format)
    {
        var native = await ScanAsync(NativeBinary.Native, "scan", "-f", "deploy/examples", "--output", format);
        var jit = await ScanAsync(NativeBinary.Jit, "scan", "-f", "deploy/examples", "--output", format);

        Assert.Equal(1, jit.ExitCode);   // the examples hold violations
        Assert.Equal(jit.ExitCode, native.ExitCode);
        Assert.Equal(jit.Stderr, native.Stderr);
        Assert.True(jit.Stdout.Length > 1000, $"the JIT scan printed {jit.Stdout.Length} bytes");
        Assert.Equal(WithoutTimes(jit.Stdout), WithoutTimes(native.Stdout));
    }

    [SkippableFact]
    public async Task The_native_binary_validates_a_bad_policy_as_the_JIT_build_does()
    {
        var folder = Directory.CreateTempSubdirectory("native-bad-policy-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "policy.yaml"), """
                apiVersion: eks-hardening.io/v1alpha1
                kind: ResponsibilityPolicy
                metadata: {name: broken}
                spec:
                  mode: Sometimes
                  podSecurity: {level: restricted, version: v2}
                """);
            var native = await ScanAsync(NativeBinary.Native, "scan", "-f", folder.FullName);
            var jit = await ScanAsync(NativeBinary.Jit, "scan", "-f", folder.FullName);
            Assert.Equal(2, jit.ExitCode);
            Assert.Equal((jit.ExitCode, jit.Stdout, jit.Stderr), (native.ExitCode, native.Stdout, native.Stderr));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>JUnit reports carry the run's timestamp and durations.</summary>
    private static string WithoutTimes(string report) => Regex.Replace(report, @" (time|timestamp)=""[^""]*""", "");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> ScanAsync(string build, params string[] args)
    {
        var start = NativeBinary.Start(build, args);
        start.WorkingDirectory = RepositoryPaths.Root;
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout, await stderr);
    }
}
