using System.Text.Json.Serialization.Metadata;
using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Admission;

/// <summary>
/// Reads admitted objects into the KubernetesClient models: KubernetesJson's settings, except that resource
/// quantities are parsed once per distinct text. Parsing a quantity costs microseconds (exact fractions), and a
/// 10-container pod carries 20 to 40 of them, nearly always the same few strings ("500m", "256Mi"), so the cache
/// takes the bulk of a decision's time away without changing any value.
/// </summary>
public static class AdmissionObjectJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static T? Deserialize<T>(JsonElement element) => element.Deserialize((JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = 64,
            TypeInfoResolver = OperatorJson.Resolver,
        };
        options.Converters.Add(new KubernetesJson.Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        // Registered converters take precedence over ResourceQuantity's own [JsonConverter].
        options.Converters.Add(new CachedQuantityConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Quantities by their text; the instances are shared, so nothing on the admission path may change them.</summary>
    private sealed class CachedQuantityConverter : JsonConverter<ResourceQuantity>
    {
        private const int Limit = 4096;
        private static readonly ConcurrentDictionary<string, ResourceQuantity> Parsed = new(StringComparer.Ordinal);

        public override ResourceQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                _ => throw new JsonException("a quantity is a string or a number"),
            };
            if (Parsed.TryGetValue(text, out var known)) return known;
            var quantity = new ResourceQuantity(text);   // throws FormatException on a bad quantity: never cached
            if (Parsed.Count >= Limit) Parsed.Clear();
            Parsed[text] = quantity;
            return quantity;
        }

        public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
