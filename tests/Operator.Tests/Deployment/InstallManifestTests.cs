namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// deploy/install.yaml, the kubectl path: the chart rendered with default values into namespace eks-hardening,
/// after a Namespace that enforces Pod Security restricted, without Helm's hooks (kubectl applies the CRD in the
/// file itself, so the chart's CRD upgrade Job has nothing to do there). It is committed; this test fails when it drifts.
/// </summary>
public sealed class InstallManifestTests
{
    private const string RegenerateCommand = "UPDATE_INSTALL_YAML=1 dotnet test tests/Operator.Tests --filter Install_yaml";

    private static readonly string Header = $"""
        # The EKS Hardening Operator for `kubectl apply --server-side -f deploy/install.yaml`.
        # Generated from the Helm chart deploy/helm/eks-hardening with default values (release eks-hardening in
        # namespace eks-hardening, CRD included, Helm hooks left out); do not edit. Regenerate after changing the chart:
        #   {RegenerateCommand}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {Helm.ReleaseNamespace}
          labels:
            app.kubernetes.io/part-of: eks-hardening
            pod-security.kubernetes.io/enforce: restricted
            pod-security.kubernetes.io/audit: restricted
            pod-security.kubernetes.io/warn: restricted

        """;

    private static string ManifestPath => RepositoryPaths.Of("deploy", "install.yaml");

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void Install_yaml_is_the_chart_rendered_with_default_values()
    {
        var expected = Header + Helm.Render(hooks: false);
        if (Environment.GetEnvironmentVariable("UPDATE_INSTALL_YAML") == "1") File.WriteAllText(ManifestPath, expected);
        Assert.True(File.Exists(ManifestPath), $"deploy/install.yaml is missing: run `{RegenerateCommand}` and commit it");

        // Compared object by object, so that another helm version's comments or key order do not count as drift.
        var want = RenderedChart.Parse(expected).Documents.Select(d => d.ToJsonString()).ToList();
        var have = RenderedChart.Parse(File.ReadAllText(ManifestPath), "deploy/install.yaml").Documents.Select(d => d.ToJsonString()).ToList();
        Assert.True(want.SequenceEqual(have), $"deploy/install.yaml has drifted from the chart: run `{RegenerateCommand}` and commit it");
    }

    [Fact]
    public void Install_yaml_creates_its_namespace_first_and_everything_in_it()
    {
        var manifest = RenderedChart.Parse(File.ReadAllText(ManifestPath), "deploy/install.yaml");
        var ns = RenderedChart.Typed<V1Namespace>(manifest.Documents[0]);
        Assert.Equal("Namespace", ns.Kind);
        Assert.Equal(Helm.ReleaseNamespace, ns.Metadata.Name);
        Assert.Equal("restricted", ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("CustomResourceDefinition", manifest.Documents[1]["kind"]!.GetValue<string>());
        var namespaced = manifest.Documents.Where(d => d["metadata"]!["namespace"] is not null).ToList();
        Assert.NotEmpty(namespaced);
        Assert.All(namespaced, d => Assert.Equal(
            RenderedChart.ExpectedNamespace(d["kind"]!.GetValue<string>(), RenderedChart.NameOf(d)), d["metadata"]!["namespace"]!.GetValue<string>()));
        Assert.Single(manifest.OfKind("Deployment"));
        Assert.Empty(manifest.Hooks);
    }
}
