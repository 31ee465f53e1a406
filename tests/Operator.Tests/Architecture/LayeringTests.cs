namespace EksHardening.Operator.Tests.Architecture;

/// <summary>
/// The folders of <c>src/Operator/</c> depend on each other in one direction only (src/Operator/README.md): checked on
/// the compiled assembly, so a fully qualified name or a <c>global using</c> counts as much as a <c>using</c>.
/// </summary>
public partial class LayeringTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<TypeEdge>> OperatorEdges =
        new(() => AssemblyDependencies.Read(typeof(Operator.Cli.VersionInfo).Assembly.Location));

    [Fact]
    public void No_folder_uses_a_folder_above_it_or_a_sibling()
    {
        var edges = OperatorEdges.Value;
        foreach (var folderEdge in edges.Where(e => e.FromFolder != e.ToFolder).Select(e => $"{e.FromFolder} → {e.ToFolder}").Distinct().Order(StringComparer.Ordinal))
        {
            output.WriteLine(folderEdge);
        }

        var violations = Layering.Violations(edges).ToList();
        Assert.True(violations.Count == 0, "dependencies against the layering of src/Operator/README.md:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_reader_sees_the_uses_the_layering_rests_on()
    {
        // If the IL reader missed a kind of reference, the check above would pass vacuously: these uses exist today,
        // by base class, constructor parameter, method body and generic argument.
        var edges = OperatorEdges.Value;
        Assert.Contains(edges, e => e is { FromFolder: "Controllers", FromType: "PolicyController", ToFolder: "Kubernetes" });
        Assert.Contains(edges, e => e is { FromFolder: "Aws", FromType: "EcrImageFacts", ToFolder: "Facts", ToType: "IImageFacts" });
        Assert.Contains(edges, e => e is { FromFolder: "Cli", FromType: "ScanCommand", ToFolder: "Policies", ToType: "PolicyValidator" });
        Assert.Contains(edges, e => e is { FromFolder: Layering.Root, FromType: "Program", ToFolder: "Cli" });
        Assert.Contains(edges, e => e is { FromFolder: "Rules", ToFolder: "Facts", ToType: "AwsFacts" });
        Assert.All(Layering.Levels.SelectMany(l => l).Where(f => f != Layering.Root),
            folder => Assert.Contains(edges, e => e.FromFolder == folder || e.ToFolder == folder));
    }

    public static TheoryData<string, string, string?> Edges => new()
    {
        { "Rules", "Facts", null },
        { "Controllers", "Kubernetes", null },
        { Layering.Root, "Cli", null },
        { "Policies", "Manifests", null },
        { "Rules", "Aws", "Rules/AwsFacts → Aws/EcrScanFindings (Rules may not use Aws)" },
        { "Manifests", "Policies", "Manifests/AwsFacts → Policies/EcrScanFindings (Manifests may not use Policies)" },
        { "Kubernetes", "Reporting", "Kubernetes/AwsFacts → Reporting/EcrScanFindings (Kubernetes may not use Reporting: they are siblings)" },
        { "Aws", "Admission", "Aws/AwsFacts → Admission/EcrScanFindings (Aws may not use Admission: they are siblings)" },
        { "Hosting", "Cli", "Hosting/AwsFacts → Cli/EcrScanFindings (Hosting may not use Cli)" },
        { "Facts", Layering.Root, "Facts/AwsFacts → (root)/EcrScanFindings (Facts may not use (root))" },
        { "Storage", "Facts", "Storage/AwsFacts → Facts/EcrScanFindings (Storage is not a folder of the layering: add it to Layering.Levels and src/Operator/README.md)" },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void The_checker_names_each_edge_against_the_order(string from, string to, string? expected)
    {
        var violations = Layering.Violations([new TypeEdge(from, "AwsFacts", to, "EcrScanFindings")]).ToList();
        if (expected is null) Assert.Empty(violations);
        else Assert.Equal(expected, Assert.Single(violations));
    }

    [Fact]
    public void The_checker_lets_a_folder_use_itself_and_reports_every_bad_edge_of_a_list()
    {
        TypeEdge[] edges =
        [
            new("Rules", "PolicyEvaluator", "Rules", "ClusterSnapshot"),
            new("Rules", "ImageRules", "Policies", "DurationParser"),
            new("Reporting", "OperatorMetrics", "Controllers", "PolicyReconciler"),
            new("Controllers", "PolicyReconciler", "Reporting", "ComplianceStatus"),
        ];
        Assert.Equal(
        [
            "Rules/ImageRules → Policies/DurationParser (Rules may not use Policies)",
            "Reporting/OperatorMetrics → Controllers/PolicyReconciler (Reporting may not use Controllers)",
        ], Layering.Violations(edges));
    }

    public static TheoryData<string> SourceFiles => new(
        Directory.EnumerateFiles(RepositoryPaths.Of("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void Each_file_declares_the_namespace_of_its_folder(string file)
    {
        // src/Operator/Rules/X.cs is EksHardening.Operator.Rules; src/Entities/X.cs is EksHardening.Entities.
        var parts = file.Split('/');
        var expected = string.Join('.', ["EksHardening", .. parts[1..^1]]);
        var declared = NamespaceDeclaration().Matches(File.ReadAllText(RepositoryPaths.Of(file))).Select(m => m.Groups["name"].Value).ToList();
        Assert.NotEmpty(declared);
        Assert.All(declared, ns => Assert.Equal(expected, ns));
    }

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
