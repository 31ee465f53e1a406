namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The chart's README.md carries parameter tables generated from values.yaml's <c>## @param</c> comments by
/// @bitnami/readme-generator-for-helm: the generator is run on a copy and the copy must equal the committed file,
/// so that a value added, removed or re-described without regenerating fails here. `.ci/run` installs the generator
/// into .tools/readme-generator and sets REQUIRE_README_GENERATOR=1; elsewhere the test skips and says how.
/// </summary>
public sealed class ChartReadmeTests
{
    private const string RegenerateCommand =
        ".tools/readme-generator/node_modules/.bin/readme-generator -v deploy/helm/eks-hardening/values.yaml -r deploy/helm/eks-hardening/README.md";

    [SkippableFact]
    public void The_chart_README_parameters_are_generated_from_values_yaml()
    {
        var generator = RequireGenerator();
        var committed = File.ReadAllText(Path.Combine(Helm.ChartPath, "README.md"));
        var dir = Directory.CreateTempSubdirectory("eks-hardening-chart-readme-");
        try
        {
            var copy = Path.Combine(dir.FullName, "README.md");
            File.WriteAllText(copy, committed);
            var result = ExternalTool.Run(generator, ["--values", Path.Combine(Helm.ChartPath, "values.yaml"), "--readme", copy]);
            // The generator also fails on a value without @param metadata, or metadata for a value that is gone.
            Assert.True(result.ExitCode == 0, $"readme-generator failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
            Assert.True(File.ReadAllText(copy) == committed,
                $"deploy/helm/eks-hardening/README.md is not what values.yaml generates: run `{RegenerateCommand}` and commit it");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_top_level_value_is_in_the_README()
    {
        var readme = File.ReadAllText(Path.Combine(Helm.ChartPath, "README.md"));
        var values = RenderedChart.Parse(File.ReadAllText(Path.Combine(Helm.ChartPath, "values.yaml")), "values.yaml").Documents.Single();
        Assert.NotEmpty(values);
        foreach (var (key, _) in values) Assert.Contains($"| `{key}", readme, StringComparison.Ordinal);
    }

    private static string RequireGenerator() => ExternalTool.Require(
        ExternalTool.Find("EKS_HARDENING_README_GENERATOR", RepositoryPaths.Of(".tools", "readme-generator", "node_modules", ".bin", "readme-generator"), null),
        "REQUIRE_README_GENERATOR", "readme-generator",
        "run .ci/run, or `npm install --prefix .tools/readme-generator @bitnami/readme-generator-for-helm@2.7.2`");
}
