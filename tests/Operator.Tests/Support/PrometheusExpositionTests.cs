namespace EksHardening.Operator.Tests.Support;

/// <summary>The test's reader must itself hold to the format's rules, or it would pass anything.</summary>
public sealed class PrometheusExpositionTests
{
    [Theory]
    [InlineData("m 1", "does not end with a line feed")]
    [InlineData("# TYPE m counter\n# TYPE m counter\nm 1\n", "second TYPE")]
    [InlineData("# HELP m a\n# HELP m b\nm 1\n", "second HELP")]
    [InlineData("m 1\n# TYPE m counter\n", "after its samples")]
    [InlineData("a 1\nb 1\na 2\n", "not one group")]
    [InlineData("m{a=\"1\"} 1\nm{a=\"1\"} 2\n", "appears twice")]
    [InlineData("m{a=\"x\\t\"} 1\n", "invalid escape")]
    [InlineData("m{a=\"unterminated} 1\n", "unterminated")]
    [InlineData("m{a=\"1\",a=\"2\"} 1\n", "twice")]
    [InlineData("m{a-b=\"1\"} 1\n", "bad label name")]
    [InlineData("bad-name 1\n", "bad metric name")]
    [InlineData("m one\n", "bad value")]
    [InlineData("# TYPE c counter\nc -1\n", "negative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "differs from _count")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "do not increase")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n", "no _count")]
    public void Output_that_breaks_a_rule_is_refused(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusExposition.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_exposition_reads_with_comments_timestamps_and_histograms()
    {
        var parsed = PrometheusExposition.Parse("""
            # a comment
            # HELP h Durations.
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 2
            h_sum 1.5
            h_count 2
            # TYPE g gauge
            g{x="a\\b\"c\nd"} -Inf 1700000000000

            """.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(["h", "g"], parsed.Order);
        Assert.Equal("Durations.", parsed.Family("h").Help);
        Assert.Equal(4, parsed.Family("h").Samples.Count);
        Assert.Equal("a\\b\"c\nd", parsed.Samples("g").Single().Label("x"));
        Assert.Equal(double.NegativeInfinity, parsed.Value("g", ("x", "a\\b\"c\nd")));
    }
}
