namespace EksHardening.ApiEmulator.Http;

/// <summary>
/// The subset of kubectl's JSONPath that CRD printer columns use: <c>.a.b</c>, <c>.a[0]</c> and
/// <c>.a[?(@.type=="X")].b</c>. Returns the value as kubectl prints it, or null when absent.
/// </summary>
public static class SimpleJsonPath
{
    public static string? Evaluate(JsonNode root, string path)
    {
        JsonNode? node = root;
        var rest = path.TrimStart('.');
        while (rest.Length > 0 && node is not null)
        {
            if (rest.StartsWith("[?(@.", StringComparison.Ordinal))
            {
                var end = rest.IndexOf(")]", StringComparison.Ordinal);
                var filter = rest[5..end];
                var eq = filter.IndexOf("==", StringComparison.Ordinal);
                var field = filter[..eq];
                var expected = filter[(eq + 2)..].Trim('"', '\'');
                node = (node as JsonArray)?.FirstOrDefault(item => item?[field]?.ToString() == expected);
                rest = rest[(end + 2)..].TrimStart('.');
                continue;
            }

            if (rest.StartsWith('['))
            {
                var end = rest.IndexOf(']', StringComparison.Ordinal);
                node = (node as JsonArray)?.ElementAtOrDefault(int.Parse(rest[1..end], System.Globalization.CultureInfo.InvariantCulture));
                rest = rest[(end + 1)..].TrimStart('.');
                continue;
            }

            var stop = rest.IndexOfAny(['.', '[']);
            var name = stop < 0 ? rest : rest[..stop];
            node = (node as JsonObject)?[name];
            rest = stop < 0 ? "" : rest[stop..].TrimStart('.');
        }

        return node?.ToString();
    }
}
