namespace EksHardening.ApiEmulator.Selectors;

/// <summary>
/// A parsed field selector (<c>field=value</c>, <c>field==value</c>, <c>field!=value</c>, comma-joined) checked
/// against the field labels a resource supports; anything else is a 400, as on the server.
/// </summary>
internal sealed class FieldSelector
{
    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>Whether matching needs more than name and namespace (and so the parsed object).</summary>
    public bool NeedsObject => _terms.Any(t => t.Field is not ("metadata.name" or "metadata.namespace"));

    /// <summary>The single name an equality term pins, which lets a list skip the scan.</summary>
    public string? ExactName => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    /// <summary>The single namespace an equality term pins.</summary>
    public string? ExactNamespace => _terms.FirstOrDefault(t => t.Field == "metadata.namespace" && t.Equal).Value;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var part in SplitUnescaped(text, ','))
        {
            if (part.Trim().Length == 0)
            {
                continue;
            }

            string field, value;
            bool equal;
            var notEq = IndexOfUnescaped(part, "!=");
            var eqEq = IndexOfUnescaped(part, "==");
            var eq = IndexOfUnescaped(part, "=");
            if (notEq >= 0)
            {
                (field, value, equal) = (part[..notEq], part[(notEq + 2)..], false);
            }
            else if (eqEq >= 0)
            {
                (field, value, equal) = (part[..eqEq], part[(eqEq + 2)..], true);
            }
            else if (eq >= 0)
            {
                (field, value, equal) = (part[..eq], part[(eq + 1)..], true);
            }
            else
            {
                throw ApiStatusException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }

            field = field.Trim();
            if (!type.SupportsFieldLabel(field))
            {
                throw ApiStatusException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, Unescape(value.Trim())));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(StoredObject obj, Func<JsonObject>? node = null)
    {
        JsonObject? parsed = null;
        foreach (var (field, equal, value) in _terms)
        {
            var actual = field switch
            {
                "metadata.name" => obj.Name,
                "metadata.namespace" => obj.Namespace,
                _ => Lookup(parsed ??= node?.Invoke() ?? obj.ToNode(), field),
            };
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Lookup(JsonObject obj, string field)
    {
        JsonNode? current = obj;
        foreach (var segment in (field == "source" ? "source.component" : field).Split('.'))
        {
            current = (current as JsonObject)?[segment];
        }

        return current switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => current.ToJsonString(),
        };
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                current.Append(text, i, 2);
                i++;
            }
            else if (text[i] == separator)
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }

        yield return current.ToString();
    }

    private static int IndexOfUnescaped(string text, string op)
    {
        for (var i = 0; i <= text.Length - op.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string value)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            result.Append(value[i]);
        }

        return result.ToString();
    }
}
