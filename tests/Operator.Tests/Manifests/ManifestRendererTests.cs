namespace EksHardening.Operator.Tests.Manifests;

/// <summary>Which directories are rendered and how, with stand-in tools (scripts run directly) so that every case runs.</summary>
public sealed class ManifestRendererTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("eks-hardening-render-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData(new string[0], DirectoryKind.Plain)]
    [InlineData(new[] { "deploy.yaml" }, DirectoryKind.Plain)]
    [InlineData(new[] { "Chart.yaml", "values.yaml" }, DirectoryKind.HelmChart)]
    [InlineData(new[] { "kustomization.yaml" }, DirectoryKind.Kustomization)]
    [InlineData(new[] { "kustomization.yml" }, DirectoryKind.Kustomization)]
    [InlineData(new[] { "Kustomization" }, DirectoryKind.Kustomization)]
    [InlineData(new[] { "Chart.yaml", "kustomization.yaml" }, DirectoryKind.HelmChart)]
    [InlineData(new[] { "templates/Chart.yaml" }, DirectoryKind.Plain)]
    public void A_directory_is_a_chart_by_its_chart_yaml_and_a_kustomization_by_its_kustomization_file(string[] files, DirectoryKind expected)
    {
        foreach (var file in files) WriteFile(file, "x: 1\n");
        Assert.Equal(expected, ManifestRenderer.KindOf(_temp));
    }

    [Fact]
    public void Objects_of_a_chart_are_placed_in_the_template_helms_source_comments_name()
    {
        WriteFile("Chart.yaml", "name: shop\n");
        var helm = Tool("helm", """
            cat <<'EOF'
            ---
            # Source: shop/templates/a.yaml
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: a}
            ---
            # Source: shop/charts/db/templates/b.yaml
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: b}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: c}
            EOF
            """);
        var set = ManifestReader.Read([_temp], renderer: new ManifestRenderer(new RenderSettings { Environment = Variables(ManifestRenderer.HelmVariable, helm) }));

        Assert.Equal(
            [("a", Path.Join(_temp, "templates/a.yaml")), ("b", Path.Join(_temp, "charts/db/templates/b.yaml")), ("c", Path.Join(_temp, "charts/db/templates/b.yaml"))],
            set.Objects.Select(o => (((V1ServiceAccount)o.Object).Metadata.Name, o.Source.ToString())));
        Assert.All(set.Objects, o => Assert.Equal(0, o.Source.Line));
    }

    [Fact]
    public void A_malformed_render_is_reported_under_the_directory_and_the_line_of_the_output()
    {
        WriteFile("kustomization.yaml", "resources: []\n");
        var kubectl = Tool("kubectl", "printf 'apiVersion: v1\\nkind: Pod\\nmetadata: {name: x\\n'\n");
        var error = Assert.Throws<ManifestException>(() => ManifestReader.Read([_temp],
            renderer: new ManifestRenderer(new RenderSettings { Environment = Variables(ManifestRenderer.KubectlVariable, kubectl) })));
        Assert.StartsWith($"{_temp} (kubectl kustomize):", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", error.Message);
    }

    [Fact]
    public void A_tool_that_does_not_finish_is_stopped_and_named()
    {
        WriteFile("Chart.yaml", "name: shop\n");
        var helm = Tool("helm", "sleep 30\n");
        var renderer = new ManifestRenderer(new RenderSettings { Environment = Variables(ManifestRenderer.HelmVariable, helm), Timeout = TimeSpan.FromMilliseconds(300) });
        var error = Assert.Throws<ManifestException>(() => renderer.Render(_temp));
        Assert.Equal($"{_temp}: helm template {_temp} did not finish within 0.3 s and was stopped", error.Message);
    }

    private static Func<string, string?> Variables(string name, string value) => n => n == name ? value : null;

    private void WriteFile(string relative, string content)
    {
        var path = Path.Combine(_temp, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private string Tool(string name, string body)
    {
        var path = Path.Combine(_temp, "bin", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
