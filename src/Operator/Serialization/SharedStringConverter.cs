namespace EksHardening.Operator.Serialization;

/// <summary>
/// Reads short JSON strings through a small, fixed, lossy table, so that the values thousands of cached objects repeat
/// ("TCP", "app", "RuntimeDefault", an image's registry, an API group) are one string each instead of a copy per object,
/// and a repeated value costs no allocation at all. A slot holds the last string whose UTF-8 bytes hashed to it: a hit
/// returns that instance, a miss decodes as usual and takes the slot. Unique values (names, uids) only evict, so the
/// table needs no bound but its size; long or escaped strings are decoded as usual. Strings are immutable, so a racing
/// writer can only cost a hit, never return a wrong value.
/// </summary>
public sealed class SharedStringConverter : JsonConverter<string>
{
    /// <summary>Longer values (certificates, last-applied copies, messages) rarely repeat and are decoded as usual.</summary>
    public const int MaxUtf8Length = 64;

    private const int SlotCount = 8192;

    private readonly string?[] _slots = new string?[SlotCount];

    public static SharedStringConverter Instance { get; } = new();

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Share(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Share(ref reader)!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private string? Share(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)
            || reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > MaxUtf8Length)
        {
            // Other tokens fail in GetString exactly as they do in the serializer's own string converter.
            return reader.GetString();
        }

        var utf8 = reader.ValueSpan;
        if (utf8.IsEmpty) return string.Empty;
        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref _slots[hash.ToHashCode() & (SlotCount - 1)];
        var shared = Volatile.Read(ref slot);
        if (shared is not null && reader.ValueTextEquals(shared)) return shared;
        var value = reader.GetString()!;
        Volatile.Write(ref slot, value);
        return value;
    }
}
