namespace EksHardening.Operator.Tests.Support;

/// <summary>A meter factory of its own per test, as a host has: a <c>MetricCollector</c> on it sees this test's measurements only.</summary>
internal static class TestMeters
{
    public static IMeterFactory Create() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    /// <summary>A tag to match a measurement with (<c>MatchesTags(Tag("policy", "p"))</c>).</summary>
    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    /// <summary>The bucket bounds a histogram advises its exporter to use.</summary>
    public static IReadOnlyList<double>? Buckets(Instrument? histogram) => (histogram as Instrument<double>)?.Advice?.HistogramBucketBoundaries;
}
