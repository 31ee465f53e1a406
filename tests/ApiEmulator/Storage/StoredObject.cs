namespace EksHardening.ApiEmulator.Storage;

/// <summary>
/// An immutable stored object: its serialized JSON plus the metadata the server indexes and filters on.
/// The JSON always starts with <c>kind</c> and <c>apiVersion</c>, so that list items can drop them cheaply.
/// </summary>
internal sealed class StoredObject
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private StoredObject(byte[] json, int typeMetaEnd, JsonObject node)
    {
        Json = json;
        TypeMetaEnd = typeMetaEnd;
        Kind = node["kind"]?.GetValue<string>() ?? "";
        ApiVersion = node["apiVersion"]?.GetValue<string>() ?? "";
        var metadata = node["metadata"] as JsonObject;
        Name = Text(metadata?["name"]);
        Namespace = Text(metadata?["namespace"]);
        Uid = Text(metadata?["uid"]);
        ResourceVersion = long.TryParse(Text(metadata?["resourceVersion"]), out var rv) ? rv : 0;
        Labels = (metadata?["labels"] as JsonObject)?.ToDictionary(p => p.Key, p => Text(p.Value), StringComparer.Ordinal)
            ?? Empty;
        OwnerUids = (metadata?["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .Select(o => Text(o["uid"])).Where(u => u.Length > 0).ToArray() ?? [];
        HasFinalizers = metadata?["finalizers"] is JsonArray { Count: > 0 };
        IsDeleting = metadata?["deletionTimestamp"] is JsonValue;
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public byte[] Json { get; }

    /// <summary>Offset just after the <c>kind</c> and <c>apiVersion</c> properties.</summary>
    public int TypeMetaEnd { get; }

    public string Kind { get; }

    public string ApiVersion { get; }

    public string Name { get; }

    /// <summary>The namespace, or an empty string for cluster-scoped objects.</summary>
    public string Namespace { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public IReadOnlyList<string> OwnerUids { get; }

    public bool HasFinalizers { get; }

    public bool IsDeleting { get; }

    public string Key => ObjectKeys.Of(Namespace, Name);

    /// <summary>A fresh mutable copy of the object.</summary>
    public JsonObject ToNode() => JsonNode.Parse(Json)!.AsObject();

    /// <summary>Writes the object without <c>kind</c> and <c>apiVersion</c>, as built-in list items are served.</summary>
    public void WriteWithoutTypeMeta(IBufferWriter<byte> output)
    {
        output.Write("{"u8);
        var rest = Json.AsSpan(TypeMetaEnd);
        output.Write(rest.Length > 0 && rest[0] == (byte)',' ? rest[1..] : rest);
    }

    /// <summary>Serializes <paramref name="node"/> (which must carry kind and apiVersion) into a stored object.</summary>
    public static StoredObject From(JsonObject node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        int typeMetaEnd;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", node["kind"]?.GetValue<string>() ?? "");
            writer.WriteString("apiVersion", node["apiVersion"]?.GetValue<string>() ?? "");
            writer.Flush();
            typeMetaEnd = buffer.WrittenCount;
            foreach (var (key, value) in node)
            {
                if (key is "kind" or "apiVersion")
                {
                    continue;
                }

                writer.WritePropertyName(key);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return new StoredObject(buffer.WrittenSpan.ToArray(), typeMetaEnd, node);
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}

/// <summary>Storage keys: <c>namespace/name</c> for namespaced objects, <c>name</c> otherwise; ordinal order.</summary>
internal static class ObjectKeys
{
    public static string Of(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";
}
