using EksHardening.Operator.Reporting;
using EksHardening.Operator.Tests.Support;

namespace EksHardening.Operator.Tests.Reporting;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Label_values_escape_backslash_quote_and_line_feed_and_read_back_unchanged()
    {
        var family = new CounterFamily("test_requests_total", "Requests.", "path", "note");
        const string awkward = "C:\\temp\\\"quoted\"\nsecond line";
        family.WithLabels(awkward, "plain").Inc();

        var text = PrometheusTextWriter.Render([family]);

        Assert.Contains("test_requests_total{path=\"C:\\\\temp\\\\\\\"quoted\\\"\\nsecond line\",note=\"plain\"} 1\n", text);
        var sample = Assert.Single(PrometheusExposition.Parse(text).Samples("test_requests_total"));
        Assert.Equal(awkward, sample.Label("path"));
    }

    [Fact]
    public void Help_escapes_backslash_and_line_feed_but_not_quotes()
    {
        var family = new ObservedFamily("test_gauge", "A \"gauge\" with a \\ and\ntwo lines.", MetricType.Gauge, () => 2);

        var text = PrometheusTextWriter.Render([family]);

        Assert.StartsWith("# HELP test_gauge A \"gauge\" with a \\\\ and\\ntwo lines.\n# TYPE test_gauge gauge\ntest_gauge 2\n", text);
        Assert.Equal("A \"gauge\" with a \\ and\ntwo lines.", PrometheusExposition.Parse(text).Family("test_gauge").Help);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_end_with_inf_equal_to_the_count()
    {
        var family = new HistogramFamily("test_duration_seconds", "Durations.", [0.1, 0.5, 1], "policy");
        var histogram = family.WithLabels("production");
        foreach (var seconds in new[] { 0.05, 0.1, 0.3, 0.7, 2.0, 5.0 }) histogram.Observe(seconds);
        family.WithLabels("staging").Observe(TimeSpan.FromMilliseconds(250));

        var text = PrometheusTextWriter.Render([family]);
        var parsed = PrometheusExposition.Parse(text);

        Assert.Equal("histogram", parsed.Family("test_duration_seconds").Type);
        double Bucket(string le) => parsed.Value("test_duration_seconds_bucket", ("policy", "production"), ("le", le))!.Value;
        // An observation equal to a bound falls in that bound's bucket (le means "less than or equal").
        Assert.Equal([2, 3, 4, 6], new[] { Bucket("0.1"), Bucket("0.5"), Bucket("1"), Bucket("+Inf") });
        Assert.Equal(6, parsed.Value("test_duration_seconds_count", ("policy", "production")));
        Assert.Equal(8.15, parsed.Value("test_duration_seconds_sum", ("policy", "production"))!.Value, 9);
        Assert.Equal(1, parsed.Value("test_duration_seconds_bucket", ("policy", "staging"), ("le", "0.5")));
        Assert.Equal(0, parsed.Value("test_duration_seconds_bucket", ("policy", "staging"), ("le", "0.1")));
        Assert.Equal(6, histogram.Count);
    }

    [Fact]
    public void Values_are_written_as_the_format_spells_them()
    {
        Assert.Equal("3", PrometheusTextWriter.FormatValue(3));
        Assert.Equal("-2", PrometheusTextWriter.FormatValue(-2));
        Assert.Equal("0.25", PrometheusTextWriter.FormatValue(0.25));
        Assert.Equal("1234567890123", PrometheusTextWriter.FormatValue(1234567890123));
        Assert.Equal("+Inf", PrometheusTextWriter.FormatValue(double.PositiveInfinity));
        Assert.Equal("-Inf", PrometheusTextWriter.FormatValue(double.NegativeInfinity));
        Assert.Equal("NaN", PrometheusTextWriter.FormatValue(double.NaN));
        Assert.Equal(1e20, PrometheusExposition.ParseValue(PrometheusTextWriter.FormatValue(1e20)));
        Assert.Equal(1.0 / 3, PrometheusExposition.ParseValue(PrometheusTextWriter.FormatValue(1.0 / 3)));
    }

    [Fact]
    public void Families_are_sorted_by_name_with_one_help_and_type_each_and_samples_sorted_by_labels()
    {
        var requests = new CounterFamily("b_requests_total", "Requests.", "verb", "code");
        requests.WithLabels("watch", "200").Inc();
        requests.WithLabels("list", "500").Inc();
        requests.WithLabels("list", "200").Add(3);
        var observed = new ObservedFamily("a_objects", "Objects.", MetricType.Gauge, ["resource"], emit =>
        {
            emit(5, ["pods"]);
            emit(2, ["namespaces"]);
        });
        var empty = new CounterFamily("c_unused_total", "Never incremented.", "reason");

        var text = PrometheusTextWriter.Render([requests, empty, observed]);
        var parsed = PrometheusExposition.Parse(text);

        Assert.Equal(["a_objects", "b_requests_total", "c_unused_total"], parsed.Order);
        Assert.Equal(["namespaces", "pods"], parsed.Family("a_objects").Samples.Select(s => s.Label("resource")));
        Assert.Equal(["list/200", "list/500", "watch/200"], parsed.Family("b_requests_total").Samples.Select(s => s.Label("verb") + "/" + s.Label("code")));
        Assert.Equal(3, parsed.Value("b_requests_total", ("verb", "list"), ("code", "200")));
        Assert.Empty(parsed.Family("c_unused_total").Samples);
        Assert.Equal(1, text.Split('\n').Count(l => l.StartsWith("# TYPE b_requests_total ", StringComparison.Ordinal)));
        Assert.Equal(PrometheusTextWriter.Render([observed, requests, empty]), text);
    }

    [Fact]
    public void Two_families_of_one_name_are_refused()
    {
        var a = new CounterFamily("dup_total", "One.");
        var b = new ObservedFamily("dup_total", "Two.", MetricType.Counter, () => 1);
        Assert.Throws<InvalidOperationException>(() => PrometheusTextWriter.Render([a, b]));
    }

    [Theory]
    [InlineData("bad-name")]
    [InlineData("1starts_with_digit")]
    [InlineData("")]
    public void Invalid_metric_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new CounterFamily(name, "help"));

    [Theory]
    [InlineData("le")]
    [InlineData("__reserved")]
    [InlineData("has:colon")]
    [InlineData("bad-label")]
    public void Invalid_or_reserved_label_names_are_refused(string label) =>
        Assert.Throws<ArgumentException>(() => new HistogramFamily("test_seconds", "help", [1], label));

    [Fact]
    public void Histogram_bounds_must_increase()
    {
        Assert.Throws<ArgumentException>(() => new HistogramFamily("test_seconds", "help", [1, 1]));
        Assert.Throws<ArgumentException>(() => new HistogramFamily("test_seconds", "help", [2, 1]));
        Assert.Throws<ArgumentException>(() => new HistogramFamily("test_seconds", "help", []));
    }

    [Fact]
    public void The_wrong_number_of_label_values_is_refused()
    {
        var family = new CounterFamily("test_total", "help", "a", "b");
        Assert.Throws<ArgumentException>(() => family.WithLabels("only-one"));
        var observed = new ObservedFamily("test_gauge", "help", MetricType.Gauge, ["a"], emit => emit(1, ["x", "y"]));
        Assert.Throws<InvalidOperationException>(() => PrometheusTextWriter.Render([observed]));
    }

    [Fact]
    public void Removed_children_leave_the_output()
    {
        var family = new CounterFamily("test_total", "help", "policy", "rule");
        family.WithLabels("a", "x").Inc();
        family.WithLabels("a", "y").Inc();
        family.WithLabels("b", "x").Inc();

        Assert.True(family.Remove("a", "x"));
        family.RemoveWhere(labels => labels[0] == "b");

        var sample = Assert.Single(PrometheusExposition.Parse(PrometheusTextWriter.Render([family])).Samples("test_total"));
        Assert.Equal(("a", "y"), (sample.Label("policy"), sample.Label("rule")));
    }

    [Fact]
    public async Task Concurrent_increments_and_observations_are_all_counted()
    {
        var counters = new CounterFamily("test_total", "help", "worker");
        var histograms = new HistogramFamily("test_seconds", "help", [1, 10]);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counters.WithLabels((i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
                histograms.WithLabels().Observe(i % 20);
            }
        })));

        var parsed = PrometheusExposition.Parse(PrometheusTextWriter.Render([counters, histograms]));
        Assert.Equal(80_000, parsed.Sum("test_total"));
        Assert.All(parsed.Samples("test_total"), s => Assert.Equal(20_000, s.Value));
        Assert.Equal(80_000, parsed.Value("test_seconds_count"));
        Assert.Equal(8 * 500 * 190, parsed.Value("test_seconds_sum"));   // each worker: 500 rounds of 0..19
        Assert.Equal(8 * 1000, parsed.Value("test_seconds_bucket", ("le", "1")));
    }

    [Fact]
    public void Counting_into_an_existing_series_allocates_nothing()
    {
        var counters = new CounterFamily("test_total", "help", "verb", "resource", "code");
        var histograms = new HistogramFamily("test_seconds", "help", [0.1, 1], "policy");
        string verb = "list", resource = "pods", code = "200", policy = "production";
        counters.WithLabels(verb, resource, code).Inc();
        histograms.WithLabels(policy).Observe(0.5);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counters.WithLabels(verb, resource, code).Inc();
            histograms.WithLabels(policy).Observe(0.5);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, counters.WithLabels(verb, resource, code).Value);
    }
}
