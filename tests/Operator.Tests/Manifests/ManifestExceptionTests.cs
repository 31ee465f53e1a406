namespace EksHardening.Operator.Tests.Manifests;

/// <summary>Errors name the file and line consistently: <c>path:line: message</c> for a document, <c>path: message</c> for a whole file, never <c>:0:</c>.</summary>
public sealed partial class ManifestExceptionTests
{
    [Theory]
    [InlineData(7, "deploy/web.yaml:7: Pod 'x': invalid field")]
    [InlineData(1, "deploy/web.yaml:1: Pod 'x': invalid field")]
    [InlineData(0, "deploy/web.yaml: Pod 'x': invalid field")]
    [InlineData(-1, "deploy/web.yaml: Pod 'x': invalid field")]
    public void The_message_names_the_line_only_when_there_is_one(int line, string expected) =>
        Assert.Equal(expected, new ManifestException("deploy/web.yaml", line, "Pod 'x': invalid field").Message);

    [Fact]
    public void A_whole_file_problem_names_the_file_only()
    {
        var error = new ManifestException("deploy/web.yaml", "no such file or directory");
        Assert.Equal("deploy/web.yaml: no such file or directory", error.Message);
        Assert.Equal(0, error.Line);
    }

    [Theory]
    [InlineData(12, "deploy/web.yaml:12")]
    [InlineData(0, "deploy/web.yaml")]
    public void A_source_without_a_line_names_the_file_only(int line, string expected) =>
        Assert.Equal(expected, new SourceLocation("deploy/web.yaml", line).ToString());

    [Fact]
    public void No_manifest_error_in_the_source_is_raised_with_line_zero()
    {
        // Whole-file problems use the file-only constructor; a literal 0 would print nothing today but says the wrong thing.
        var sources = Directory.EnumerateFiles(RepositoryPaths.Of("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("new ManifestException(", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select((text, i) => (File: f, Line: i + 1, Text: text)))
            .Where(l => LineZero().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.Empty(sources);
    }

    [GeneratedRegex(@"new ManifestException\([^,]+,\s*0\s*,")]
    private static partial Regex LineZero();
}
