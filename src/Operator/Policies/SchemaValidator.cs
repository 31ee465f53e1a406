using System.Text.Json.Serialization.Metadata;
using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Policies;

/// <summary>
/// Checks a JSON value against the OpenAPI v3 structural-schema subset that CRDs use, the way the API
/// server and kubectl's strict field validation do: types (integer, number, boolean, string, object, array,
/// x-kubernetes-int-or-string), enum, pattern, minimum/maximum, minLength/maxLength, minItems/maxItems,
/// min/maxProperties, required, format date-time/int32/int64, unknown fields (unless
/// x-kubernetes-preserve-unknown-fields or additionalProperties), and duplicates in set and map lists.
/// Each CEL rule found on the way (x-kubernetes-validations) is evaluated by its C# twin.
/// A JSON null counts as absent, as the API server prunes nulls of fields that are not nullable.
/// </summary>
internal sealed class SchemaValidator
{
    private readonly bool _checkStructure;
    private readonly List<SpecProblem> _problems = [];

    /// <param name="checkStructure">False: only evaluate the CEL twins (the value is known to fit the schema).</param>
    public SchemaValidator(bool checkStructure) => _checkStructure = checkStructure;

    public IReadOnlyList<SpecProblem> Problems => _problems;

    /// <summary>Validates <paramref name="value"/> at <paramref name="path"/>; top-level fields in <paramref name="ignoredFields"/> are skipped.</summary>
    public void Validate(JsonObject schema, JsonNode? value, string path, IReadOnlySet<string>? ignoredFields = null) =>
        Walk(schema, value, path, ignoredFields);

    private void Walk(JsonObject schema, JsonNode? value, string path, IReadOnlySet<string>? ignoredFields)
    {
        if (value is null) return;

        var kind = JsonKinds.KindOf(value);
        if (IsTrue(schema, "x-kubernetes-int-or-string"))
        {
            if (kind is not ("integer" or "string"))
            {
                Report(path, $"must be an integer or a string, got {JsonKinds.Describe(value)}");
                return;
            }
        }
        else if ((string?)schema["type"] is { } type && !(type == kind || (type == "number" && kind == "integer")))
        {
            Report(path, $"must be {JsonKinds.WithArticle(type)}, got {JsonKinds.Describe(value)}");
            return;
        }

        if (_checkStructure) CheckEnum(schema, value, path);

        switch (value)
        {
            case JsonObject obj:
                WalkObject(schema, obj, path, ignoredFields);
                break;
            case JsonArray array:
                WalkArray(schema, array, path);
                break;
            case JsonValue scalar when _checkStructure && kind == "string":
                CheckString(schema, scalar.GetValue<string>(), path);
                break;
            case JsonValue scalar when _checkStructure && kind is "integer" or "number":
                CheckNumber(schema, scalar, kind, path);
                break;
        }

        CheckCelRules(schema, value, path);
    }

    private void WalkObject(JsonObject schema, JsonObject obj, string path, IReadOnlySet<string>? ignoredFields)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var preserveUnknown = IsTrue(schema, "x-kubernetes-preserve-unknown-fields");

        if (_checkStructure)
        {
            foreach (var name in Strings(schema["required"]))
            {
                if (obj[name] is null && ignoredFields?.Contains(name) != true) Report(Join(path, name), "is required");
            }

            var count = obj.Count(p => p.Value is not null);
            if (Number(schema, "maxProperties") is { } maxProperties && count > maxProperties)
                Report(path, $"has {count} entries, more than the {maxProperties} allowed");
            if (Number(schema, "minProperties") is { } minProperties && count < minProperties)
                Report(path, $"has {count} entries, fewer than the {minProperties} required");
        }

        foreach (var (key, child) in obj)
        {
            if (ignoredFields?.Contains(key) == true) continue;
            if (properties?[key] is JsonObject propertySchema) Walk(propertySchema, child, Join(path, key), null);
            else if (additional is JsonObject valueSchema) Walk(valueSchema, child, $"{path}[{key}]", null);
            else if (preserveUnknown || (additional is JsonValue allowed && allowed.GetValueKind() == JsonValueKind.True)) continue;
            else if (_checkStructure) Report(Join(path, key), "unknown field");
        }
    }

    private void WalkArray(JsonObject schema, JsonArray array, string path)
    {
        if (_checkStructure)
        {
            if (Number(schema, "maxItems") is { } maxItems && array.Count > maxItems)
                Report(path, $"has {array.Count} items, more than the {maxItems} allowed");
            if (Number(schema, "minItems") is { } minItems && array.Count < minItems)
                Report(path, minItems == 1 ? "must not be empty" : $"has {array.Count} items, fewer than the {minItems} required");
            CheckListType(schema, array, path);
        }

        if (schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++) Walk(itemSchema, array[i], $"{path}[{i}]", null);
        }
    }

    /// <summary>x-kubernetes-list-type: set items are unique; map items are unique by their list-map-keys.</summary>
    private void CheckListType(JsonObject schema, JsonArray array, string path)
    {
        var listType = (string?)schema["x-kubernetes-list-type"];
        if (listType == "set") CheckSet(array, path);
        else if (listType == "map") CheckMapList(array, Strings(schema["x-kubernetes-list-map-keys"]).ToList(), path);
    }

    private void CheckSet(JsonArray array, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is { } item && !seen.Add(item.ToJsonString())) Report($"{path}[{i}]", $"duplicate value {JsonKinds.Show(item)}");
        }
    }

    private void CheckMapList(JsonArray array, List<string> keys, string path)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            // An item without its keys is reported as missing required fields.
            if (array[i] is not JsonObject item || keys.Any(k => item[k] is null)) continue;
            var identity = string.Join(", ", keys.Select(k => $"{k} {JsonKinds.Show(item[k]!)}"));
            if (seen.TryGetValue(identity, out var first)) Report($"{path}[{i}]", $"duplicate entry: {identity} is already used by {path}[{first}]");
            else seen[identity] = i;
        }
    }

    private void CheckEnum(JsonObject schema, JsonNode value, string path)
    {
        if (schema["enum"] is not JsonArray allowed) return;
        var text = value.ToJsonString();
        if (allowed.Any(a => a is not null && a.ToJsonString() == text)) return;
        Report(path, $"{JsonKinds.Show(value)} is not one of {string.Join(", ", allowed.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : a?.ToJsonString()))}");
    }

    private void CheckString(JsonObject schema, string text, string path)
    {
        var length = text.EnumerateRunes().Count();
        if (Number(schema, "maxLength") is { } maxLength && length > maxLength)
            Report(path, $"is {length} characters long, more than the {maxLength} allowed");
        if (Number(schema, "minLength") is { } minLength && length < minLength)
            Report(path, minLength == 1 ? "must not be empty" : $"is {length} characters long, fewer than the {minLength} required");
        if ((string?)schema["pattern"] is { } pattern && !SchemaPatterns.IsMatch(pattern, text))
            Report(path, $"{JsonKinds.Quote(text)} does not match {pattern}");
        if ((string?)schema["format"] == "date-time" && !Rfc3339.IsValid(text))
            Report(path, $"{JsonKinds.Quote(text)} is not an RFC 3339 date-time such as 2027-03-31T00:00:00Z");
    }

    private void CheckNumber(JsonObject schema, JsonValue value, string kind, string path)
    {
        var number = JsonKinds.ToDouble(value);
        var shown = value.ToJsonString();
        if (Number(schema, "minimum") is { } minimum && (number < minimum || (IsTrue(schema, "exclusiveMinimum") && number <= minimum)))
            Report(path, $"{shown} is less than the minimum {Format(minimum)}{(IsTrue(schema, "exclusiveMinimum") ? " (exclusive)" : "")}");
        if (Number(schema, "maximum") is { } maximum && (number > maximum || (IsTrue(schema, "exclusiveMaximum") && number >= maximum)))
            Report(path, $"{shown} is more than the maximum {Format(maximum)}{(IsTrue(schema, "exclusiveMaximum") ? " (exclusive)" : "")}");
        if (kind == "integer")
        {
            switch ((string?)schema["format"])
            {
                case "int32" when number is < int.MinValue or > int.MaxValue:
                    Report(path, $"{shown} does not fit in a 32-bit integer");
                    break;
                case "int64" when number is < long.MinValue or >= 9.2233720368547758e18:
                    Report(path, $"{shown} does not fit in a 64-bit integer");
                    break;
            }
        }
    }

    private void CheckCelRules(JsonObject schema, JsonNode value, string path)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules) return;
        foreach (var rule in rules.OfType<JsonObject>())
        {
            var text = (string?)rule["rule"] ?? "";
            var twin = CelRuleTwins.Find(text)
                       ?? throw new InvalidOperationException($"CEL rule at {path} has no C# twin in {nameof(CelRuleTwins)}: {text}");
            if (twin.Holds(value)) continue;
            var fieldPath = ((string?)rule["fieldPath"])?.TrimStart('.');
            var message = (string?)rule["message"] ?? $"failed rule: {text}";
            Report(string.IsNullOrEmpty(fieldPath) ? path : Join(path, fieldPath), twin.Hint?.Invoke(value) is { } hint ? $"{message}; {hint}" : message);
        }
    }

    private void Report(string path, string message) => _problems.Add(new SpecProblem(path, message));

    internal static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    private static bool IsTrue(JsonObject schema, string name) => schema[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static double? Number(JsonObject schema, string name) => schema[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? JsonKinds.ToDouble(v) : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonValue>().Select(v => v.ToString()) : [];
}

/// <summary>How JSON values are named and shown in problem messages.</summary>
internal static class JsonKinds
{
    private static readonly JsonTypeInfo<string> QuoteJson = (JsonTypeInfo<string>)new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = OperatorJson.Resolver,
    }.GetTypeInfo(typeof(string));
    private const int MaxShown = 80;

    /// <summary>object, array, string, integer (a number without fraction, as Kubernetes decodes it), number, boolean or null.</summary>
    public static string KindOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsIntegral(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    public static double ToDouble(JsonValue value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string WithArticle(string type) => type switch
    {
        "object" => "an object",
        "array" => "a list",
        "integer" => "an integer",
        _ => "a " + type,
    };

    /// <summary>"string \"x\"", "number 1.5", "boolean true", "an object", "a list".</summary>
    public static string Describe(JsonNode node) => KindOf(node) switch
    {
        "object" => "an object",
        "array" => "a list",
        var kind => $"{kind} {Show(node)}",
    };

    /// <summary>A scalar as it would be written: strings quoted, long values shortened.</summary>
    public static string Show(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Quote(v.GetValue<string>()) : Shorten(node.ToJsonString());

    public static string Quote(string text) => JsonSerializer.Serialize(Shorten(text), QuoteJson);

    private static string Shorten(string text) => text.Length <= MaxShown ? text : text[..MaxShown] + "…";

    private static bool IsIntegral(JsonValue value)
    {
        var text = value.ToJsonString();
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0) return true;
        var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(number) && Math.Floor(number) == number;
    }
}

/// <summary>Schema patterns are RE2 (Go); this runs them with .NET's engine where the two agree.</summary>
internal static class SchemaPatterns
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string text) => Cache.GetOrAdd(pattern, Compile).IsMatch(text);

    /// <summary>
    /// In RE2 an unescaped <c>$</c> outside a class matches only at the very end; in .NET it also matches before
    /// a final newline, so it becomes <c>\z</c>. The CRD's patterns use no other construct where the two differ.
    /// </summary>
    private static Regex Compile(string pattern)
    {
        var converted = new StringBuilder(pattern.Length + 4);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                converted.Append(c).Append(pattern[++i]);
                continue;
            }

            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            converted.Append(c == '$' && !inClass ? @"\z" : c.ToString());
        }

        return new Regex(converted.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>RFC 3339 date-times as Kubernetes writes them (<c>2027-03-31T00:00:00Z</c>, fractions and offsets allowed).</summary>
internal static partial class Rfc3339
{
    public static bool IsValid(string text) =>
        Shape().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
