using System.Reflection;

namespace EksHardening.Operator.Tests.Policies;

/// <summary>
/// Compares a C# entity type with an OpenAPI schema, both ways: every JSON property of the type must be in the
/// schema and every schema property in the type, with the same JSON name, type, format and enum values.
/// Mapping: string → string; bool → boolean; int → integer (int32); long → integer (int64);
/// DateTimeOffset → string with format date-time; enum → string with the JsonStringEnumMemberName (or member)
/// names as enum; List&lt;T&gt; → array of T; Dictionary&lt;string, T&gt; → object whose additionalProperties are T; V1ObjectMeta, V1LabelSelector, V1Condition → object (Kubernetes'
/// own shapes, not recursed into); any other class → object, recursively.
/// </summary>
internal static class EntitySchemaComparer
{
    private static readonly Type[] KubernetesShapes = [typeof(V1ObjectMeta), typeof(V1LabelSelector), typeof(V1Condition)];

    /// <param name="stringEnums">
    /// Schema paths (list items end in "[]") where a C# string may meet a schema enum: the schema is stricter
    /// than the type there, on purpose.
    /// </param>
    public static List<string> Compare(Type type, JsonObject schema, string path = "", IReadOnlySet<string>? stringEnums = null)
    {
        var differences = new List<string>();
        CompareObject(type, schema, path, stringEnums ?? new HashSet<string>(), differences);
        return differences;
    }

    private static void CompareObject(Type type, JsonObject schema, string path, IReadOnlySet<string> stringEnums, List<string> differences)
    {
        var properties = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue;
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (name is null) differences.Add($"{Join(path, property.Name)}: {type.Name}.{property.Name} has no [JsonPropertyName]");
            else properties[name] = property;
        }

        var schemaProperties = schema["properties"] as JsonObject ?? [];
        foreach (var (name, property) in properties)
        {
            if (!schemaProperties.ContainsKey(name)) differences.Add($"{Join(path, name)}: in C# ({type.Name}.{property.Name}) but not in the schema");
        }

        foreach (var (name, propertySchema) in schemaProperties)
        {
            if (!properties.TryGetValue(name, out var property)) differences.Add($"{Join(path, name)}: in the schema but not in C# ({type.Name})");
            else CompareValue(property.PropertyType, (JsonObject)propertySchema!, Join(path, name), stringEnums, differences);
        }
    }

    private static void CompareValue(Type type, JsonObject schema, string path, IReadOnlySet<string> stringEnums, List<string> differences)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var schemaType = (string?)schema["type"];
        var schemaFormat = (string?)schema["format"];
        var schemaEnum = schema["enum"] is JsonArray values ? values.Select(v => v!.ToString()).Order(StringComparer.Ordinal).ToList() : null;

        var (expectedType, allowedFormats, expectedEnum) = Expect(type);
        if (schemaType != expectedType)
        {
            differences.Add($"{path}: C# {Describe(type)} is {expectedType} but the schema says {schemaType ?? "no type"}");
            return;
        }

        if (schemaFormat is not null ? !allowedFormats.Contains(schemaFormat) : allowedFormats.Contains("date-time"))
            differences.Add($"{path}: C# {Describe(type)} needs format {string.Join(" or ", allowedFormats)} but the schema says {schemaFormat ?? "no format"}");

        if (expectedEnum is not null || schemaEnum is not null)
        {
            var csharp = expectedEnum is null ? "none" : string.Join(", ", expectedEnum);
            var crd = schemaEnum is null ? "none" : string.Join(", ", schemaEnum);
            var stricterSchemaAllowed = expectedEnum is null && type == typeof(string) && stringEnums.Contains(path);
            if (csharp != crd && !stricterSchemaAllowed) differences.Add($"{path}: C# enum values [{csharp}] differ from the schema's [{crd}]");
        }

        if (expectedType == "array")
        {
            if (schema["items"] is JsonObject items) CompareValue(ElementType(type), items, path + "[]", stringEnums, differences);
            else differences.Add($"{path}: the schema's array has no items");
        }
        else if (expectedType == "object" && DictionaryValueType(type) is { } valueType)
        {
            if (schema["additionalProperties"] is JsonObject valueSchema) CompareValue(valueType, valueSchema, path + "{}", stringEnums, differences);
            else differences.Add($"{path}: C# {Describe(type)} is a map but the schema has no additionalProperties");
        }
        else if (expectedType == "object" && !KubernetesShapes.Contains(type))
        {
            CompareObject(type, schema, path, stringEnums, differences);
        }
    }

    private static (string Type, string[] Formats, List<string>? Enum) Expect(Type type)
    {
        if (type == typeof(string)) return ("string", [], null);
        if (type == typeof(bool)) return ("boolean", [], null);
        if (type == typeof(int)) return ("integer", ["int32"], null);
        if (type == typeof(long)) return ("integer", ["int64"], null);
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return ("string", ["date-time"], null);
        if (type.IsEnum) return ("string", [], EnumNames(type));
        if (type != typeof(string) && type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)))
            return ("array", [], null);
        if (type.IsClass) return ("object", [], null);
        return ($"unmapped C# type {type.Name}", [], null);
    }

    private static List<string> EnumNames(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static Type ElementType(Type listType) => listType.GetGenericArguments()[0];

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
        : type.Name;

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
