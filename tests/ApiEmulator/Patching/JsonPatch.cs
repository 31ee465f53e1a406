namespace EksHardening.ApiEmulator.Patching;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test, with JSON pointers (RFC 6901).</summary>
internal static class JsonPatch
{
    /// <summary>Applies <paramref name="operations"/> to <paramref name="document"/> in place; throws <see cref="PatchException"/>.</summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
            {
                throw new PatchException("each JSON patch operation must be an object");
            }

            var name = op["op"]?.GetValue<string>() ?? throw new PatchException("missing 'op' in JSON patch operation");
            var path = op["path"]?.GetValue<string>() ?? throw new PatchException($"missing 'path' in '{name}' operation");
            switch (name)
            {
                case "add":
                    Add(root, path, Value(op, name));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op, name));
                    break;
                case "move":
                {
                    var from = From(op, name);
                    var moved = Get(root, from);
                    Remove(root, from);
                    Add(root, path, moved);
                    break;
                }

                case "copy":
                    Add(root, path, Get(root, From(op, name))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new PatchException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new PatchException($"Unexpected kind: {name}");
            }
        }

        var result = root["doc"] ?? throw new PatchException("the patch removed the whole document");
        root.Remove("doc");
        return result;
    }

    private static JsonNode? Value(JsonObject op, string name) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new PatchException($"missing 'value' in '{name}' operation");

    private static string From(JsonObject op, string name) =>
        op["from"]?.GetValue<string>() ?? throw new PatchException($"missing 'from' in '{name}' operation");

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return ["doc"];
        }

        if (pointer[0] != '/')
        {
            throw new PatchException($"invalid JSON pointer '{pointer}'");
        }

        return ["doc", .. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static (JsonNode Parent, string Token) Parent(JsonObject root, string pointer)
    {
        var tokens = Tokens(pointer);
        JsonNode current = root;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = Child(current, token) ?? throw new PatchException($"doc is missing path: {pointer}");
        }

        return (current, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        var (parent, token) = Parent(root, pointer);
        return parent switch
        {
            JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
            JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
            _ => throw new PatchException($"doc is missing path: {pointer}"),
        };
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, token) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o.Remove(token);
                o[token] = value;
                break;
            case JsonArray a when token == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new PatchException($"unable to add at {pointer}");
        }
    }

    private static void Remove(JsonObject root, string pointer)
    {
        var (parent, token) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token):
                o.Remove(token);
                break;
            case JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new PatchException($"doc is missing path: {pointer}");
        }
    }
}

/// <summary>A patch that is well-formed JSON but cannot be applied to the object.</summary>
internal sealed class PatchException(string message) : Exception(message);
