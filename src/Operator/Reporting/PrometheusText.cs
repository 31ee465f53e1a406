using System.Globalization;
using System.Text;

namespace EksHardening.Operator.Reporting;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): one <c># HELP</c> and <c># TYPE</c> line per
/// family, then its samples, with label values and help text escaped as the format requires.
/// </summary>
public sealed class PrometheusTextWriter(StringBuilder text)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The families sorted by name (ordinal), each with its samples; two families of one name are an error.</summary>
    public static string Render(IEnumerable<IMetricFamily> families)
    {
        var text = new StringBuilder(16 * 1024);
        var writer = new PrometheusTextWriter(text);
        string? previous = null;
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (family.Name == previous) throw new InvalidOperationException($"metric family {family.Name} is declared twice");
            previous = family.Name;
            family.WriteTo(writer);
        }

        return text.ToString();
    }

    public void Family(string name, string help, MetricType type)
    {
        text.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(help, escapeQuotes: false);
        text.Append("\n# TYPE ").Append(name).Append(' ').Append(TypeName(type)).Append('\n');
    }

    /// <summary>One sample; <paramref name="extraLabel"/> (a histogram's <c>le</c>) comes after the family's labels.</summary>
    public void Sample(string name, ReadOnlySpan<string> labelNames, ReadOnlySpan<string> labelValues, double value,
        string? extraLabel = null, string? extraValue = null)
    {
        text.Append(name);
        if (labelNames.Length > 0 || extraLabel is not null)
        {
            text.Append('{');
            for (var i = 0; i < labelNames.Length; i++)
            {
                if (i > 0) text.Append(',');
                Label(labelNames[i], labelValues[i]);
            }

            if (extraLabel is not null)
            {
                if (labelNames.Length > 0) text.Append(',');
                Label(extraLabel, extraValue ?? "");
            }

            text.Append('}');
        }

        text.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    /// <summary>Integers without a fraction, <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> as the format spells them, else the shortest round-trip form.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void Label(string name, string value)
    {
        text.Append(name).Append("=\"");
        AppendEscaped(value, escapeQuotes: true);
        text.Append('"');
    }

    /// <summary>Backslash and line feed are escaped in help text and label values, the double quote in label values only.</summary>
    private void AppendEscaped(string value, bool escapeQuotes)
    {
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var escape = value[i] switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when escapeQuotes => "\\\"",
                _ => null,
            };
            if (escape is null) continue;
            text.Append(value, start, i - start).Append(escape);
            start = i + 1;
        }

        text.Append(value, start, value.Length - start);
    }

    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        _ => "untyped",
    };
}

/// <summary>The metric types the operator exposes.</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>The naming rules of the exposition format, checked where a family is declared.</summary>
internal static class MetricNames
{
    public static void CheckMetric(string name)
    {
        if (!IsValid(name, allowColon: true)) throw new ArgumentException($"'{name}' is not a valid metric name", nameof(name));
    }

    public static void CheckLabels(IReadOnlyList<string> labels)
    {
        foreach (var label in labels)
        {
            if (!IsValid(label, allowColon: false) || label.StartsWith("__", StringComparison.Ordinal) || label == "le")
            {
                throw new ArgumentException($"'{label}' is not a valid label name", nameof(labels));
            }
        }

        if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Count) throw new ArgumentException("label names repeat", nameof(labels));
    }

    private static bool IsValid(string name, bool allowColon)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0])) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':'))) return false;
        }

        return true;
    }
}
