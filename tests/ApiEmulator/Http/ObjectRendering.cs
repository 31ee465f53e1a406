namespace EksHardening.ApiEmulator.Http;

/// <summary>Writes stored objects as the server serves them through one resource version.</summary>
internal static class ObjectRendering
{
    /// <summary>The whole object; a custom resource read through another served version gets that apiVersion (no conversion).</summary>
    public static void Write(IBufferWriter<byte> output, StoredObject obj, ResourceType type)
    {
        if (obj.ApiVersion == type.ApiVersion)
        {
            output.Write(obj.Json);
            return;
        }

        var node = obj.ToNode();
        node["apiVersion"] = type.ApiVersion;
        output.Write(StoredObject.From(node).Json);
    }

    /// <summary>A list item: built-in lists omit each item's kind and apiVersion, custom resource lists keep them.</summary>
    public static void WriteListItem(IBufferWriter<byte> output, StoredObject obj, ResourceType type)
    {
        if (type.IsCustom)
        {
            Write(output, obj, type);
        }
        else
        {
            obj.WriteWithoutTypeMeta(output);
        }
    }
}
