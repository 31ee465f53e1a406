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
    public static string Require() => ExternalTool.Require(Executable, "REQUIRE_KUBECTL", "kubectl",
        "set EKS_HARDENING_KUBECTL, put kubectl on PATH, or run .ci/run (installs it into .tools/helm)");

    private static string? Find() =>
        ExternalTool.Find(ManifestRenderer.KubectlVariable, RepositoryPaths.Of(".tools", "helm", "layer", "kubectl", "kubectl"), "kubectl");
}
