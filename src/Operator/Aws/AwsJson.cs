namespace EksHardening.Operator.Aws;

/// <summary>Reading and writing the JSON of the JSON 1.1 and REST-JSON protocols.</summary>
internal static class AwsJson
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static JsonDocument Parse(byte[] body, string service, string operation)
    {
        try
        {
            return JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(AwsErrorKind.Unknown, service, operation, $"The response is not JSON: {e.Message}", errorCode: "MalformedResponse", innerException: e);
        }
    }

    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool? Bool(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;

    public static double? Number(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    public static JsonElement Object(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;

    public static IEnumerable<JsonElement> Array(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    public static IReadOnlyList<string> Strings(this JsonElement element, string name) =>
        element.Array(name).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();

    /// <summary>A timestamp: epoch seconds (the protocols' default, possibly fractional), or an ISO 8601 string.</summary>
    public static DateTimeOffset? Timestamp(this JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetDouble() * 1000)),
            JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>A map of string to integer, e.g. ECR's <c>findingSeverityCounts</c>.</summary>
    public static IReadOnlyDictionary<string, int> Counts(this JsonElement element, string name)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var map = element.Object(name);
        if (map.ValueKind != JsonValueKind.Object) return counts;
        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var count)) counts[property.Name] = count;
        }

        return counts;
    }
}
