namespace EksHardening.Operator.Tests.Support;

/// <summary>Blocks of README.md that are generated from code, between two marker comments; UPDATE_README=1 rewrites them.</summary>
internal static class ReadmeBlocks
{
    /// <param name="testName">The test's name, for the command in the failure message.</param>
    public static void AssertGenerated(string begin, string end, string content, string testName)
    {
        var path = RepositoryPaths.Of("README.md");
        var readme = File.ReadAllText(path);
        var start = readme.IndexOf(begin, StringComparison.Ordinal);
        var stop = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, $"README.md lacks the {begin} / {end} markers");
        var expected = readme[..(start + begin.Length)] + "\n" + content + readme[stop..];
        if (Environment.GetEnvironmentVariable("UPDATE_README") == "1") File.WriteAllText(path, expected);
        Assert.True(expected == readme, $"README.md is stale between {begin} and {end}: run `UPDATE_README=1 dotnet test EksHardening.sln --filter {testName}` and commit it");
    }
}
