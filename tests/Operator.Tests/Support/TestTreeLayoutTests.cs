namespace EksHardening.Operator.Tests.Support;

/// <summary>
/// The test tree keeps the shape issue 13 gave it: every file's namespace is its project's root namespace plus its
/// folders, a file holds at most one test class, and projects share helpers through tests/Operator.Testing rather
/// than by linking each other's source files.
/// </summary>
public sealed partial class TestTreeLayoutTests
{
    private static readonly string TestsRoot = RepositoryPaths.Of("tests");

    /// <summary>Every project under tests/, as a path relative to it.</summary>
    private static List<string> ProjectPaths() =>
        [.. Directory.EnumerateFiles(TestsRoot, "*.csproj", SearchOption.AllDirectories)
            .Select(project => Path.GetRelativePath(TestsRoot, project).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> Projects() => [.. ProjectPaths()];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Every_file_declares_the_namespace_of_its_folder_and_at_most_one_test_class(string project)
    {
        var (directory, rootNamespace) = Describe(project);
        var wrong = new List<string>();
        foreach (var file in SourceFiles(directory))
        {
            var name = Path.GetRelativePath(TestsRoot, file);
            var text = File.ReadAllText(file);
            var declared = NamespaceDeclaration().Matches(text).Select(m => m.Groups[1].Value).ToList();
            var folders = Path.GetDirectoryName(Path.GetRelativePath(directory, file))!.Replace('\\', '/');
            var expected = folders.Length == 0 ? rootNamespace : $"{rootNamespace}.{folders.Replace('/', '.')}";
            // An executable's Program.cs holds top-level statements and no namespace.
            if ((declared.Count != 1 || declared[0] != expected) && !(declared.Count == 0 && Path.GetFileName(file) == "Program.cs"))
            {
                wrong.Add($"{name}: declares [{string.Join(", ", declared)}], expected {expected}");
            }

            var classes = ClassDeclaration().Matches(text).Select(m => m.Groups[1].Value).ToList();
            if (TestAttribute().IsMatch(text) && classes.Count > 1) wrong.Add($"{name}: {classes.Count} classes ({string.Join(", ", classes)}), one test class per file");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void No_project_links_another_projects_source_files(string project)
    {
        var links = XDocument.Load(Path.Combine(TestsRoot, project)).Descendants("Compile")
            .Where(c => c.Attribute("Link") is not null || (c.Attribute("Include")?.Value.Contains("..", StringComparison.Ordinal) ?? false))
            .Select(c => c.ToString(SaveOptions.DisableFormatting))
            .ToList();
        Assert.True(links.Count == 0, "shared helpers belong in tests/Operator.Testing (or tests/TestServers), not linked: " + string.Join(" ", links));
    }

    [Fact]
    public void The_checks_see_every_test_project()
    {
        var projects = ProjectPaths();
        Assert.Contains("Operator.Tests/EksHardening.Operator.Tests.csproj", projects);
        Assert.Contains("Operator.Testing/EksHardening.Operator.Testing.csproj", projects);
        Assert.Contains("TestServers/EksHardening.TestServers.csproj", projects);
        Assert.Contains("ApiEmulator/EksHardening.ApiEmulator.csproj", projects);
        Assert.Contains("AwsStub/EksHardening.AwsStub.csproj", projects);
        Assert.All(projects, p => Assert.NotEmpty(SourceFiles(Path.GetDirectoryName(Path.Combine(TestsRoot, p))!)));
    }

    private static (string Directory, string RootNamespace) Describe(string project)
    {
        var path = Path.Combine(TestsRoot, project);
        var rootNamespace = XDocument.Load(path).Descendants("RootNamespace").Select(e => e.Value).SingleOrDefault()
            ?? Path.GetFileNameWithoutExtension(path);
        return (Path.GetDirectoryName(path)!, rootNamespace);
    }

    private static IEnumerable<string> SourceFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(directory, f).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*\[(?:Fact|Theory|SkippableFact|SkippableTheory)\b", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^(?:\[[^\n]*\]\s*)*(?:public|internal)\s+(?:(?:sealed|static|abstract|partial)\s+)*class\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex ClassDeclaration();
}
