namespace EksHardening.ApiEmulator.Semantics;

/// <summary>The opaque <c>continue</c> token of a chunked list: the list's revision and the last key served.</summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string lastKey)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["v"] = "meta.k8s.io/v1",
            ["rv"] = revision,
            ["start"] = lastKey + "\u0000",
        });
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static (long Revision, string LastKey) Decode(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
            var root = document.RootElement;
            var start = root.GetProperty("start").GetString() ?? throw new FormatException("no start key");
            return (root.GetProperty("rv").GetInt64(), start.TrimEnd('\u0000'));
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw ApiStatusException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
