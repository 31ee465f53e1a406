namespace EksHardening.Operator.Testing.Metrics;

/// <summary>One sample line: its metric name, labels and value.</summary>
public sealed record ExpositionSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>One family: its HELP and TYPE and the samples that belong to it.</summary>
public sealed record ExpositionFamily(string Name, string Help, string Type, List<ExpositionSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's rules so that tests
/// check the operator's output against them rather than against the operator's own writer: every line ends in a
/// line feed; at most one HELP and one TYPE per family, TYPE before the family's first sample; a family's lines form
/// one group; valid metric and label names, no label twice in a sample, no series twice; label values escape only
/// backslash, double quote and line feed; counters are not negative; a histogram's buckets have increasing
/// <c>le</c> bounds ending at <c>+Inf</c> with cumulative counts, and the <c>+Inf</c> bucket equals <c>_count</c>.
/// </summary>
public sealed class PrometheusExposition
{
    private readonly Dictionary<string, ExpositionFamily> _families = new(StringComparer.Ordinal);

    private PrometheusExposition()
    {
    }

    public IReadOnlyDictionary<string, ExpositionFamily> Families => _families;

    /// <summary>Family names in the order they appeared.</summary>
    public List<string> Order { get; } = [];

    public ExpositionFamily Family(string name) =>
        _families.TryGetValue(name, out var family) ? family : throw new KeyNotFoundException($"no metric family {name}");

    /// <summary>The samples named <paramref name="name"/> (for a histogram: <c>name_bucket</c>, <c>name_sum</c>, <c>name_count</c>).</summary>
    public IEnumerable<ExpositionSample> Samples(string name) =>
        _families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name);

    /// <summary>The value of the one sample with this name and exactly these labels, or null when there is none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels) =>
        Samples(name).SingleOrDefault(s => s.Labels.Count == labels.Length && labels.All(l => s.Label(l.Name) == l.Value && s.Labels.ContainsKey(l.Name)))?.Value;

    /// <summary>Sum of the values of every sample named <paramref name="name"/> whose labels include these.</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Samples(name).Where(s => labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    public static PrometheusExposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("the last line does not end with a line feed");
        var exposition = new PrometheusExposition();
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            try
            {
                if (line.Length == 0) continue;
                if (line.StartsWith('#'))
                {
                    var parts = line.Split(' ', 4);
                    if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE")) continue;   // a comment
                    var name = parts[2];
                    CheckMetricName(name);
                    exposition.Enter(name, ref current, closed);
                    var family = exposition._families[name];
                    var rest = parts.Length > 3 ? parts[3] : "";
                    if (parts[1] == "HELP")
                    {
                        if (family.Help.Length > 0) throw new FormatException($"second HELP for {name}");
                        exposition._families[name] = family with { Help = UnescapeHelp(rest) };
                    }
                    else
                    {
                        if (family.Type.Length > 0) throw new FormatException($"second TYPE for {name}");
                        if (family.Samples.Count > 0) throw new FormatException($"TYPE of {name} after its samples");
                        if (rest is not ("counter" or "gauge" or "histogram" or "summary" or "untyped")) throw new FormatException($"unknown type '{rest}'");
                        exposition._families[name] = family with { Type = rest };
                    }

                    continue;
                }

                var sample = ParseSample(line);
                var owner = exposition.OwnerOf(sample.Name);
                exposition.Enter(owner, ref current, closed);
                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
                if (!series.Add(key)) throw new FormatException($"series {key} appears twice");
                exposition._families[owner].Samples.Add(sample);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {n + 1}: {e.Message}: {line}", e);
            }
        }

        foreach (var family in exposition._families.Values) Check(family);
        return exposition;
    }

    /// <summary>The family a sample belongs to: a histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> belong to the histogram.</summary>
    private string OwnerOf(string sampleName)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && _families.TryGetValue(sampleName[..^suffix.Length], out var family) && family.Type is "histogram" or "summary")
            {
                return family.Name;
            }
        }

        return sampleName;
    }

    /// <summary>Moves to <paramref name="name"/>'s group; a family whose group has ended may not come back.</summary>
    private void Enter(string name, ref string? current, HashSet<string> closed)
    {
        if (name == current) return;
        if (current is not null) closed.Add(current);
        if (closed.Contains(name)) throw new FormatException($"lines of {name} are not one group");
        current = name;
        if (!_families.ContainsKey(name))
        {
            _families[name] = new ExpositionFamily(name, "", "", []);
            Order.Add(name);
        }
    }

    private static ExpositionSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        CheckMetricName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) throw new FormatException("unterminated label set");
                if (line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var label = line[start..i];
                CheckLabelName(label);
                if (i + 1 >= line.Length || line[i + 1] != '"') throw new FormatException($"label {label} has no quoted value");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"unterminated value of label {label}");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException("dangling backslash");
                        value.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new FormatException($"invalid escape \\{other}"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"label {label} twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw new FormatException("labels not separated by a comma");
            }
        }

        if (i >= line.Length || line[i] != ' ') throw new FormatException("no space before the value");
        var fields = line[(i + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2) throw new FormatException("expected a value and an optional timestamp");
        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) throw new FormatException("bad timestamp");
        return new ExpositionSample(name, labels, ParseValue(fields[0]));
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"bad value '{text}'"),
    };

    private static void Check(ExpositionFamily family)
    {
        if (family.Type == "counter" && family.Samples.Any(s => s.Value < 0 || double.IsNaN(s.Value))) throw new FormatException($"counter {family.Name} is negative");
        if (family.Type != "histogram") return;
        foreach (var group in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value))))
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToList();
            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"histogram {family.Name}{{{group.Key}}} has no _count");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"histogram {family.Name}{{{group.Key}}} has no _sum");
            if (buckets.Count == 0 || buckets[^1].Label("le") != "+Inf") throw new FormatException($"histogram {family.Name}{{{group.Key}}} does not end with le=\"+Inf\"");
            for (var b = 0; b < buckets.Count; b++)
            {
                if (!buckets[b].Labels.ContainsKey("le")) throw new FormatException($"bucket of {family.Name} without le");
                if (b == 0) continue;
                if (ParseValue(buckets[b].Label("le")) <= ParseValue(buckets[b - 1].Label("le"))) throw new FormatException($"bucket bounds of {family.Name} do not increase");
                if (buckets[b].Value < buckets[b - 1].Value) throw new FormatException($"bucket counts of {family.Name} are not cumulative");
            }

            if (buckets[^1].Value != count.Value) throw new FormatException($"+Inf bucket of {family.Name} differs from _count");
        }
    }

    private static void CheckMetricName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':')) throw new FormatException($"bad metric name '{name}'");
    }

    private static void CheckLabelName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) throw new FormatException($"bad label name '{name}'");
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    private static string UnescapeHelp(string text)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            if (++i >= text.Length) throw new FormatException("dangling backslash");
            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                var other => throw new FormatException($"invalid escape \\{other}"),
            });
        }

        return result.ToString();
    }
}
