using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EksHardening.Operator.Manifests;

/// <summary>
/// A bad manifest, shown to the user as one line: <c>path:line: message</c> for a problem in a document, <c>path: message</c>
/// for one about a whole file or directory (no line to name, so none is printed).
/// </summary>
public sealed class ManifestException(string file, int line, string message) : Exception(line >= 1 ? $"{file}:{line}: {message}" : $"{file}: {message}")
{
    /// <summary>A problem with a whole file or directory (it is missing, unreadable, too large, empty or cannot be rendered).</summary>
    public ManifestException(string file, string message)
        : this(file, 0, message)
    {
    }

    public string File { get; } = file;

    /// <summary>The 1-based line of the document; 0 when the problem concerns the whole file.</summary>
    public int Line { get; } = line;

    public string Reason { get; } = message;
}

/// <summary>One YAML or JSON document as a JSON tree, with the source line of every node.</summary>
public sealed class ParsedDocument(string file, int line, JsonNode? root, IReadOnlyDictionary<JsonNode, int> lines)
{
    public string File { get; } = file;
    /// <summary>1-based line where the document's content starts.</summary>
    public int Line { get; } = line;
    public JsonNode? Root { get; } = root;

    /// <summary>The 1-based line a node came from, or the document's line when unknown.</summary>
    public int LineOf(JsonNode? node) => node is not null && lines.TryGetValue(node, out var line) ? line : Line;

    /// <summary>The line of the node at a dotted path such as <c>spec.exemptions[0].expires</c>, or the nearest parent's.</summary>
    public int LineOfPath(string path)
    {
        var node = Root;
        var best = LineOf(node);
        foreach (var segment in PathSegments(path))
        {
            node = segment switch
            {
                int index when node is JsonArray array && index < array.Count => array[index],
                string key when node is JsonObject obj && obj.TryGetPropertyValue(key, out var child) => child,
                _ => null,
            };
            if (node is null) break;
            best = LineOf(node);
        }

        return best;
    }

    private static IEnumerable<object> PathSegments(string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            yield return bracket < 0 ? part : part[..bracket];
            while (bracket >= 0)
            {
                var close = part.IndexOf(']', bracket);
                if (close < 0) yield break;
                if (int.TryParse(part.AsSpan(bracket + 1, close - bracket - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)) yield return index;
                bracket = part.IndexOf('[', close);
            }
        }
    }
}

/// <summary>
/// Converts YAML streams (JSON included) into JSON trees the way Kubernetes tooling reads them
/// (YAML 1.1 scalars as in sigs.k8s.io/yaml: yes/no/on/off are booleans), keeping line numbers,
/// resolving anchors, aliases and merge keys, and rejecting duplicate keys.
/// </summary>
public static class YamlToJson
{
    /// <summary>Limits that keep hostile input (alias bombs, deep nesting) from exhausting memory.</summary>
    private const int MaxDepth = 200;
    private const int MaxNodes = 5_000_000;

    private static readonly HashSet<string> TrueWords = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
    private static readonly HashSet<string> FalseWords = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
    private static readonly HashSet<string> NullWords = ["", "~", "null", "Null", "NULL"];

    public static List<ParsedDocument> Parse(string text, string file)
    {
        var documents = new List<ParsedDocument>();
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out var start))
            {
                var state = new State(parser, file);
                var firstLine = parser.Current is { } current ? (int)current.Start.Line : (int)start.Start.Line;
                var root = state.ReadNode(0);
                parser.Consume<DocumentEnd>();
                documents.Add(new ParsedDocument(file, firstLine, root, state.Lines));
            }

            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            throw new ManifestException(file, (int)e.Start.Line, "invalid YAML: " + FirstLine(e.Message));
        }

        return documents;
    }

    private static string FirstLine(string message)
    {
        var text = message;
        var paren = text.IndexOf("): ", StringComparison.Ordinal);
        if (text.StartsWith('(') && paren > 0) text = text[(paren + 3)..];
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }

    private sealed class State(IParser parser, string file)
    {
        private readonly Dictionary<string, JsonNode?> _anchors = new(StringComparer.Ordinal);
        private int _nodes;

        public Dictionary<JsonNode, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

        public JsonNode? ReadNode(int depth)
        {
            if (depth > MaxDepth) throw Error(parser.Current, $"nesting deeper than {MaxDepth} levels");
            if (++_nodes > MaxNodes) throw Error(parser.Current, $"more than {MaxNodes} nodes");

            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target)) throw Error(alias, $"unknown alias *{alias.Value.Value}");
                var copy = target?.DeepClone();
                _nodes += CountNodes(copy);
                if (_nodes > MaxNodes) throw Error(alias, $"more than {MaxNodes} nodes after expanding aliases");
                if (copy is not null) Lines[copy] = (int)alias.Start.Line;
                return copy;
            }

            JsonNode? node;
            ParsingEvent start;
            string? anchor;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                start = scalar;
                anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                node = ConvertScalar(scalar);
            }
            else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
            {
                start = sequenceStart;
                anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
                var array = new JsonArray();
                while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(ReadNode(depth + 1));
                node = array;
            }
            else if (parser.TryConsume<MappingStart>(out var mappingStart))
            {
                start = mappingStart;
                anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
                node = ReadMapping(depth);
            }
            else
            {
                throw Error(parser.Current, "unexpected YAML event " + parser.Current?.GetType().Name);
            }

            if (node is not null) Lines[node] = (int)start.Start.Line;
            if (anchor is not null) _anchors[anchor] = node;
            return node;
        }

        private JsonObject ReadMapping(int depth)
        {
            var obj = new JsonObject();
            var merged = new List<JsonObject>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current;
                if (!parser.TryConsume<Scalar>(out var keyScalar)) throw Error(keyEvent, "mapping keys must be plain strings");
                var key = keyScalar.Value;
                var value = ReadNode(depth + 1);
                if (key == "<<" && keyScalar.Style == ScalarStyle.Plain)
                {
                    // Merge key: explicit keys win over merged ones, earlier merges over later ones.
                    if (value is JsonObject single) merged.Add(single);
                    else if (value is JsonArray many) merged.AddRange(many.OfType<JsonObject>());
                    else throw Error(keyScalar, "merge key '<<' needs a mapping or a list of mappings");
                    continue;
                }

                if (obj.ContainsKey(key)) throw Error(keyScalar, $"duplicate key '{key}'");
                obj[key] = value;
            }

            foreach (var source in merged)
            {
                foreach (var (key, value) in source)
                {
                    if (!obj.ContainsKey(key)) obj[key] = value?.DeepClone();
                }
            }

            return obj;
        }

        private static JsonValue? ConvertScalar(Scalar scalar)
        {
            var value = scalar.Value;
            var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
            if (tag is "tag:yaml.org,2002:str" || scalar.Style is not ScalarStyle.Plain && tag is null) return JsonValue.Create(value);
            if (tag is "tag:yaml.org,2002:null") return null;
            if (tag is "tag:yaml.org,2002:bool") return JsonValue.Create(TrueWords.Contains(value));
            if (NullWords.Contains(value)) return null;
            if (TrueWords.Contains(value)) return JsonValue.Create(true);
            if (FalseWords.Contains(value)) return JsonValue.Create(false);
            if (TryInteger(value, out var integer)) return JsonValue.Create(integer);
            if (TryFloat(value, out var number)) return JsonValue.Create(number);
            return JsonValue.Create(value);
        }

        private static bool TryInteger(string text, out long value)
        {
            var s = text.Replace("_", "", StringComparison.Ordinal);
            var negative = s.StartsWith('-');
            var digits = s.TrimStart('+', '-');
            value = 0;
            if (digits.Length == 0 || !char.IsAsciiDigit(digits[0])) return false;
            bool ok;
            if (digits.StartsWith("0x", StringComparison.Ordinal))
            {
                ok = long.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
            }
            else if (digits.StartsWith("0o", StringComparison.Ordinal) || (digits.Length > 1 && digits[0] == '0' && digits.All(c => c is >= '0' and <= '7')))
            {
                try
                {
                    value = Convert.ToInt64(digits.StartsWith("0o", StringComparison.Ordinal) ? digits[2..] : digits, 8);
                    ok = true;
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
                {
                    ok = false;
                }
            }
            else
            {
                ok = digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            }

            if (ok && negative) value = -value;
            return ok;
        }

        private static bool TryFloat(string text, out double value)
        {
            value = 0;
            switch (text)
            {
                case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                case "-.inf" or "-.Inf" or "-.INF":
                case ".nan" or ".NaN" or ".NAN":
                    // JSON cannot carry these; Kubernetes fields never take them. Keep them as strings.
                    return false;
            }

            var first = text.Length > 0 ? text[0] : ' ';
            if (!(char.IsAsciiDigit(first) || first is '-' or '+' or '.')) return false;
            return double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                   && double.IsFinite(value);
        }

        private static int CountNodes(JsonNode? node) => node switch
        {
            JsonObject obj => 1 + obj.Sum(p => CountNodes(p.Value)),
            JsonArray array => 1 + array.Sum(CountNodes),
            _ => 1,
        };

        private ManifestException Error(ParsingEvent? at, string message) =>
            new(file, at is null ? 0 : (int)at.Start.Line, message);
    }
}
