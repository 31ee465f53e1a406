namespace EksHardening.Operator.Tests.Cli;

/// <summary>
/// The kubectl binary, for rendering Kustomize directories as a user would. `.ci/run` installs it and sets
/// EKS_HARDENING_KUBECTL and REQUIRE_KUBECTL=1; elsewhere it is looked up on PATH, and the tests that need it skip at
/// run time and say why.
/// </summary>
internal static class Kubectl
{
    private static readonly string? Executable = Find();

    /// <summary>The kubectl executable; skips the test when there is none (fails it under REQUIRE_KUBECTL=1).</summary>
    public static string Require()
    {
        if (Executable is not null) return Executable;
        Assert.False(Environment.GetEnvironmentVariable("REQUIRE_KUBECTL") == "1",
            "REQUIRE_KUBECTL=1 but kubectl was not found (EKS_HARDENING_KUBECTL, .tools/helm, PATH); .ci/run installs it");
        Skip.If(true, "kubectl not found: set EKS_HARDENING_KUBECTL, put kubectl on PATH, or run .ci/run (installs it into .tools/helm)");
        throw new InvalidOperationException("unreachable");
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(ManifestRenderer.KubectlVariable) is { Length: > 0 } configured && File.Exists(configured)) return configured;
        var installed = RepositoryPaths.Of(".tools", "helm", "layer", "kubectl", "kubectl");
        if (File.Exists(installed)) return installed;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);
    }
}
