using System.Collections.Concurrent;

namespace EksHardening.Operator.Reporting;

/// <summary>A metric family: a name, help text, type and the samples it writes.</summary>
public interface IMetricFamily
{
    string Name { get; }

    /// <summary>Writes the HELP and TYPE lines and every sample, in a stable order.</summary>
    void WriteTo(PrometheusTextWriter writer);
}

/// <summary>What every family declares: a valid name, help, type and label names (checked here, once).</summary>
public abstract class MetricFamily : IMetricFamily
{
    private readonly string[] _labelNames;

    protected MetricFamily(string name, string help, MetricType type, string[] labelNames)
    {
        MetricNames.CheckMetric(name);
        MetricNames.CheckLabels(labelNames);
        Name = name;
        Help = help;
        Type = type;
        _labelNames = labelNames;
    }

    public string Name { get; }
    public string Help { get; }
    public MetricType Type { get; }
    public IReadOnlyList<string> LabelNames => _labelNames;

    public abstract void WriteTo(PrometheusTextWriter writer);

    protected ReadOnlySpan<string> Labels => _labelNames;
}

/// <summary>A monotonic count, safe to add to from any thread.</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Inc() => Interlocked.Increment(ref _value);

    public void Add(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        Interlocked.Add(ref _value, amount);
    }
}

/// <summary>
/// Observations counted into fixed buckets, with their sum. Each observation lands in one bucket; the cumulative
/// counts of the format are added up when written, so <c>_count</c> always equals the <c>+Inf</c> bucket.
/// </summary>
public sealed class Histogram
{
    private readonly double[] _upperBounds;
    // One more than the bounds: the last counts observations above every bound.
    private readonly long[] _counts;
    private long _sumBits;

    internal Histogram(double[] upperBounds)
    {
        _upperBounds = upperBounds;
        _counts = new long[upperBounds.Length + 1];
    }

    public void Observe(double value)
    {
        if (double.IsNaN(value)) return;
        var bucket = 0;
        while (bucket < _upperBounds.Length && value > _upperBounds[bucket]) bucket++;
        Interlocked.Increment(ref _counts[bucket]);
        long seen, updated;
        do
        {
            seen = Interlocked.Read(ref _sumBits);
            updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
        }
        while (Interlocked.CompareExchange(ref _sumBits, updated, seen) != seen);
    }

    public void Observe(TimeSpan duration) => Observe(duration.TotalSeconds);

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Interlocked.Read(ref _counts[i]);
            return total;
        }
    }

    public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

    internal void WriteTo(PrometheusTextWriter writer, string name, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues)
    {
        long cumulative = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            var le = i < _upperBounds.Length ? PrometheusTextWriter.FormatValue(_upperBounds[i]) : "+Inf";
            writer.Sample(name + "_bucket", labelNames, labelValues, cumulative, "le", le);
        }

        writer.Sample(name + "_sum", labelNames, labelValues, Sum);
        writer.Sample(name + "_count", labelNames, labelValues, cumulative);
    }
}

/// <summary>
/// A family of children (counters, histograms) keyed by label values. Looking up an existing child by a span of
/// values allocates nothing, so hot paths can label each observation.
/// </summary>
public abstract class LabelledFamily<TChild> : MetricFamily where TChild : class
{
    private readonly ConcurrentDictionary<string[], TChild> _children = new(LabelValuesComparer.Instance);
    private readonly ConcurrentDictionary<string[], TChild>.AlternateLookup<ReadOnlySpan<string>> _lookup;

    protected LabelledFamily(string name, string help, MetricType type, string[] labelNames)
        : base(name, help, type, labelNames) =>
        _lookup = _children.GetAlternateLookup<ReadOnlySpan<string>>();

    /// <summary>The child for these label values (in the order of the label names), created on first use.</summary>
    public TChild WithLabels(params ReadOnlySpan<string> labelValues)
    {
        if (labelValues.Length != Labels.Length)
        {
            throw new ArgumentException($"{Name} takes {Labels.Length} label values, not {labelValues.Length}", nameof(labelValues));
        }

        if (_lookup.TryGetValue(labelValues, out var child)) return child;
        return _children.GetOrAdd(labelValues.ToArray(), static (_, family) => family.Create(), this);
    }

    /// <summary>Drops one child; its series disappears from the next scrape.</summary>
    public bool Remove(params ReadOnlySpan<string> labelValues) => _lookup.TryRemove(labelValues, out _);

    /// <summary>Drops every child whose label values match.</summary>
    public void RemoveWhere(Func<IReadOnlyList<string>, bool> match)
    {
        foreach (var key in _children.Keys)
        {
            if (match(key)) _children.TryRemove(key, out _);
        }
    }

    public override void WriteTo(PrometheusTextWriter writer)
    {
        writer.Family(Name, Help, Type);
        var children = _children.ToArray();
        Array.Sort(children, (a, b) => LabelValuesComparer.Compare(a.Key, b.Key));
        foreach (var (labels, child) in children) WriteChild(writer, labels, child);
    }

    protected abstract TChild Create();

    protected abstract void WriteChild(PrometheusTextWriter writer, ReadOnlySpan<string> labelValues, TChild child);
}

/// <summary>Counters by label values: <c>eks_hardening_..._total</c>.</summary>
public sealed class CounterFamily(string name, string help, params string[] labelNames)
    : LabelledFamily<Counter>(name, help, MetricType.Counter, labelNames)
{
    protected override Counter Create() => new();

    protected override void WriteChild(PrometheusTextWriter writer, ReadOnlySpan<string> labelValues, Counter child) =>
        writer.Sample(Name, Labels, labelValues, child.Value);
}

/// <summary>Histograms by label values, all with the same buckets.</summary>
public sealed class HistogramFamily : LabelledFamily<Histogram>
{
    private readonly double[] _upperBounds;

    /// <param name="upperBounds">Bucket upper bounds, increasing; <c>+Inf</c> is added by the format.</param>
    public HistogramFamily(string name, string help, double[] upperBounds, params string[] labelNames)
        : base(name, help, MetricType.Histogram, labelNames)
    {
        if (upperBounds.Length == 0 || upperBounds.Zip(upperBounds.Skip(1)).Any(p => p.First >= p.Second) || upperBounds.Any(b => !double.IsFinite(b)))
        {
            throw new ArgumentException("bucket bounds must be finite and increasing", nameof(upperBounds));
        }

        _upperBounds = upperBounds;
    }

    protected override Histogram Create() => new(_upperBounds);

    protected override void WriteChild(PrometheusTextWriter writer, ReadOnlySpan<string> labelValues, Histogram child) =>
        child.WriteTo(writer, Name, Labels, labelValues);
}

/// <summary>A family whose samples are read when scraped (gauges over live state, counts kept elsewhere).</summary>
public sealed class ObservedFamily : MetricFamily
{
    private readonly Action<Action<double, string[]>> _observe;

    /// <param name="observe">Called at each scrape with a callback that takes a value and its label values.</param>
    public ObservedFamily(string name, string help, MetricType type, string[] labelNames, Action<Action<double, string[]>> observe)
        : base(name, help, type, labelNames)
    {
        if (type == MetricType.Histogram) throw new ArgumentException("observed histograms are not supported", nameof(type));
        _observe = observe;
    }

    /// <summary>A family of one unlabelled sample.</summary>
    public ObservedFamily(string name, string help, MetricType type, Func<double> value)
        : this(name, help, type, [], emit => emit(value(), []))
    {
    }

    public override void WriteTo(PrometheusTextWriter writer)
    {
        var samples = new List<(string[] Labels, double Value)>();
        var expected = LabelNames.Count;
        _observe((value, labels) =>
        {
            if (labels.Length != expected) throw new InvalidOperationException($"{Name} takes {expected} label values, not {labels.Length}");
            samples.Add((labels, value));
        });
        samples.Sort((a, b) => LabelValuesComparer.Compare(a.Labels, b.Labels));
        writer.Family(Name, Help, Type);
        foreach (var (labels, value) in samples) writer.Sample(Name, Labels, labels, value);
    }
}

/// <summary>Compares label value tuples element by element (ordinal), also against a span of values.</summary>
internal sealed class LabelValuesComparer : IEqualityComparer<string[]>, IAlternateEqualityComparer<ReadOnlySpan<string>, string[]>
{
    public static readonly LabelValuesComparer Instance = new();

    public static int Compare(string[] a, string[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var order = string.CompareOrdinal(a[i], b[i]);
            if (order != 0) return order;
        }

        return a.Length.CompareTo(b.Length);
    }

    public bool Equals(string[]? x, string[]? y) => x is null || y is null ? ReferenceEquals(x, y) : Equals(y.AsSpan(), x);

    public int GetHashCode(string[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<string> alternate, string[] other)
    {
        if (alternate.Length != other.Length) return false;
        for (var i = 0; i < alternate.Length; i++)
        {
            if (!string.Equals(alternate[i], other[i], StringComparison.Ordinal)) return false;
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<string> alternate)
    {
        var hash = new HashCode();
        foreach (var value in alternate) hash.Add(value, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    public string[] Create(ReadOnlySpan<string> alternate) => alternate.ToArray();
}
