namespace EksHardening.Operator.IntegrationTests;

/// <summary>
/// The two builds of <c>eks-hardening</c> as processes: the JIT build next to the tests, and the native binary that
/// scripts/publish-native makes (from <c>EKS_HARDENING_NATIVE</c>, else <c>artifacts/publish-native</c>). A test of the
/// native build skips when it has not been published, and fails then under <c>REQUIRE_NATIVE=1</c> (.ci/run publishes it).
/// </summary>
internal static class NativeBinary
{
    public const string Jit = "jit";
    public const string Native = "native";

    public static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("EKS_HARDENING_NATIVE");
        var published = RepositoryPaths.Of("artifacts", "publish-native", "eks-hardening");
        var found = !string.IsNullOrEmpty(configured) && File.Exists(configured) ? configured : File.Exists(published) ? published : null;
        if (found is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_NATIVE") == "1", "REQUIRE_NATIVE=1 but the native eks-hardening is not published (.ci/run publishes it)");
            Skip.If(true, "the native eks-hardening is not published: run scripts/publish-native -o artifacts/publish-native (.ci/run does)");
        }

        return found!;
    }

    /// <summary>The process start of <paramref name="build"/> with <paramref name="args"/>, output redirected, KUBECONFIG unset.</summary>
    public static ProcessStartInfo Start(string build, params string[] args)
    {
        var start = build == Native
            ? new ProcessStartInfo(Find())
            : new ProcessStartInfo("dotnet") { ArgumentList = { "exec", Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll") } };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment.Remove("KUBECONFIG");
        return start;
    }
}
