using System.Net.Http.Headers;

namespace EksHardening.Operator.Tests.Admission;

/// <summary>
/// 10,000 malformed bodies against the running endpoint over loopback HTTPS: random bytes, truncated reviews,
/// wrong types in every envelope and object field, huge strings, deep nesting, duplicate keys, invalid UTF-8,
/// wrong content types and oversized bodies (announced and streamed). Each must get a 4xx; afterwards a valid
/// review must still be decided, and managed memory must not have grown with the request count.
/// </summary>
[Trait("Category", "Slow")]
[Collection(MemoryMeasurement.Name)]
public sealed class AdmissionEndpointFuzzTests(ITestOutputHelper output)
{
    private const int Requests = 10_000;
    private const int Seed = 20261128;

    /// <summary>
    /// Growth allowed across the 10,000 requests, measured after forced full collections. Anything kept per
    /// request would be at least a body buffer (16 KB rented), a parsed document or a connection's state (KBs),
    /// i.e. 16 MB or more over 10,000 requests; a 1.7 KB-per-request leak already exceeds the bound. What does grow
    /// after the warm-up is bounded cache state that does not scale with the request count: ArrayPool.Shared parks
    /// up to one array per size per thread (JsonDocument rents its metadata there, up to 1 MB for the huge bodies),
    /// Kestrel's and SslStream's buffers follow the connections in flight. Measured: 2.5 to 11.6 MB after 10,000
    /// requests, and the same 3 MB after 40,000, so the growth is a plateau, not a slope.
    /// </summary>
    private const long AllowedGrowthBytes = 16 * 1024 * 1024;

    private static readonly string Valid = AdmissionReviews.Review("Deployment", AdmissionReviews.PrivilegedLatestSpec);

    [Fact]
    public async Task Ten_thousand_malformed_bodies_get_4xx_and_leave_the_endpoint_working_and_memory_flat()
    {
        await using var server = await AdmissionServer.StartAsync(new WebhookOptions());
        using var client = server.Client();
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();

        // Warm-up with the same mix, so that pools (ArrayPool.Shared keeps big arrays per thread and per core, Kestrel
        // and SslStream keep buffers), caches and the JIT reach their steady state before measuring.
        await RunAsync(client, Seed + 1_000_000, 3_000, statuses, failures);
        statuses.Clear();
        var before = SettledMemory();

        await RunAsync(client, Seed, Requests / 2, statuses, failures);
        var halfway = SettledMemory();
        await RunAsync(client, Seed + Requests / 2, Requests / 2, statuses, failures, firstIndex: Requests / 2);
        var after = SettledMemory();

        output.WriteLine($"status codes: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"managed memory: before {before:N0} B, after 5,000 {halfway:N0} B, after 10,000 {after:N0} B, growth {after - before:N0} B");
        Assert.Empty(failures);
        Assert.Equal(Requests, statuses.Values.Sum());
        Assert.All(statuses.Keys, code => Assert.InRange(code, 400, 499));
        Assert.Contains(400, statuses.Keys);
        Assert.Contains(413, statuses.Keys);
        Assert.Contains(415, statuses.Keys);

        // Still up and still deciding.
        using var valid = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), Content(Encoding.UTF8.GetBytes(Valid)));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Contains("\"allowed\":false", await valid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, server.Endpoint.Failures);
        // The total includes warm-up effects that other tests in the process leave behind (caches, timers); the
        // second half, measured on a warmed-up endpoint, is the leak detector.
        Assert.InRange(after - before, long.MinValue, 3 * AllowedGrowthBytes);
        // A slope would show again in the second half; a plateau does not (same per-request sensitivity, half the requests).
        Assert.InRange(after - halfway, long.MinValue, AllowedGrowthBytes / 2);
    }

    private static async Task RunAsync(HttpClient client, int seed, int count, ConcurrentDictionary<int, int> statuses, ConcurrentQueue<string> failures, int firstIndex = 0)
    {
        // Each case comes from its own seeded Random (seed + index), so a failure names a reproducible case and
        // no body outlives its request (the measurement sees the server, not the test's inputs).
        var next = -1;
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var (name, body, contentType, streamed) = Generate(new Random(seed + index), firstIndex + index);
                try
                {
                    using var content = streamed ? (HttpContent)new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
                    if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    using var response = await client.PostAsync(new Uri(AdmissionEndpoint.Path, UriKind.Relative), content);
                    var code = (int)response.StatusCode;
                    statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
                    if (code is < 400 or > 499) failures.Enqueue($"case {index} ({name}): {code} {await response.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"case {index} ({name}): {e.Message}");
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
    }

    private static long SettledMemory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static (string Name, byte[] Body, string? ContentType, bool Streamed) Generate(Random random, int index)
    {
        const string json = "application/json";
        switch (index % 12)
        {
            case 0:
                return ("random bytes", RandomBytes(random, random.Next(0, 4096)), json, false);
            case 1:
                return ("truncated review", Encoding.UTF8.GetBytes(Valid[..random.Next(0, Valid.Length - 1)]), json, false);
            case 2:
                return ("wrong type", Encoding.UTF8.GetBytes(WrongType(random)), json, false);
            case 3:
                return ("huge string", Encoding.UTF8.GetBytes(HugeString(random)), json, false);
            case 4:
            {
                var depth = random.Next(65, 20_000);
                var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                if (random.Next(2) == 0)
                {
                    // Deep inside an otherwise valid review's object.
                    nested = Valid.Replace("\"replicas\":2", "\"replicas\":2,\"x\":" + nested, StringComparison.Ordinal);
                }

                return ("deep nesting", Encoding.UTF8.GetBytes(nested), json, false);
            }

            case 5:
            {
                string[] types = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json; charset=latin1",
                    "application/jsonx", "multipart/form-data; boundary=zz", "garbage;;;", "", "application/yaml", "text/json"];
                var type = types[random.Next(types.Length)];
                return ("content type " + type, Encoding.UTF8.GetBytes(Valid), type.Length == 0 ? null : type, false);
            }

            case 6:
                return ("duplicate keys", Encoding.UTF8.GetBytes(Valid.Replace("{\"apiVersion\":\"admission.k8s.io/v1\"", "{\"apiVersion\":\"x\",\"apiVersion\":\"admission.k8s.io/v1\"", StringComparison.Ordinal)), json, false);
            case 7:
            {
                var bytes = Encoding.UTF8.GetBytes(Valid);
                var at = Valid.IndexOf("\"shop\"", StringComparison.Ordinal) + 2;
                bytes[at] = (byte)(0x80 + random.Next(0x40));   // a lone continuation byte inside a string
                return ("invalid UTF-8", bytes, json, false);
            }

            case 8:
            {
                // Every 50th of these is oversized; half of them announce it, half stream it chunked.
                if (index % 600 == 8)
                {
                    var big = new byte[WebhookOptions.DefaultMaxBodyBytes + 1 + random.Next(1000)];
                    big.AsSpan().Fill((byte)' ');
                    return ("oversized", big, json, index % 1200 == 8);
                }

                return ("empty", [], json, false);
            }

            case 9:
                return ("not a review", Encoding.UTF8.GetBytes(RandomJson(random, 0)), json, false);
            case 10:
                return ("bad object", Encoding.UTF8.GetBytes(BadObject(random)), json, false);
            default:
                return ("random text", Encoding.UTF8.GetBytes(RandomText(random, random.Next(1, 2000))), json, random.Next(4) == 0);
        }
    }

    private static readonly string[] EnvelopeFields =
    [
        "apiVersion", "kind", "request", "request.uid", "request.kind", "request.kind.kind", "request.kind.version", "request.kind.group",
        "request.operation", "request.dryRun", "request.object", "request.oldObject", "request.userInfo", "request.resource",
        "request.name", "request.namespace", "request.subResource",
    ];

    private static string WrongType(Random random)
    {
        var review = JsonNode.Parse(Valid)!;
        var field = EnvelopeFields[random.Next(EnvelopeFields.Length)];
        var parts = field.Split('.');
        var parent = parts[..^1].Aggregate(review, (node, part) => node[part]!);
        var current = parent[parts[^1]];
        parent[parts[^1]] = WrongValueFor(random, current, field);
        return review.ToJsonString();
    }

    /// <summary>A value of a JSON type the field never has (or, for fixed strings, a wrong string).</summary>
    private static JsonNode? WrongValueFor(Random random, JsonNode? current, string field)
    {
        JsonNode?[] nonStrings = [JsonValue.Create(random.Next()), new JsonArray(1, 2), JsonValue.Create(true), new JsonObject { ["x"] = 1 }, JsonValue.Create(1.5)];
        if (current is null) return random.Next(3) switch { 0 => JsonValue.Create(3), 1 => new JsonArray(1, 2), _ => JsonValue.Create(true) };
        return current.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String when field is "apiVersion" or "kind" or "request.operation" or "request.uid" =>
                random.Next(2) == 0 ? nonStrings[random.Next(nonStrings.Length)] : JsonValue.Create(field == "request.uid" ? "" : "WRONG"),
            System.Text.Json.JsonValueKind.String => nonStrings[random.Next(nonStrings.Length)],
            System.Text.Json.JsonValueKind.Object => random.Next(3) switch { 0 => JsonValue.Create("x"), 1 => new JsonArray(), _ => JsonValue.Create(7) },
            _ => random.Next(2) == 0 ? JsonValue.Create("yes") : JsonValue.Create(3),   // dryRun and the rest
        };
    }

    /// <summary>A review with one field replaced by a string of 300 characters to 1 MB (by text, so the test itself pools nothing).</summary>
    private static string HugeString(Random random)
    {
        var huge = new string((char)('a' + random.Next(26)), random.Next(300, 1_000_000));
        var review = random.Next(4) switch
        {
            0 => Valid.Replace($"\"uid\":\"{AdmissionReviews.Uid}\"", $"\"uid\":\"{huge}\"", StringComparison.Ordinal),
            1 => Valid.Replace("\"name\":\"web\",\"namespace\"", $"\"name\":\"{huge}\",\"namespace\"", StringComparison.Ordinal),
            2 => Valid.Replace("\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"}", $"\"kind\":{{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"{huge}\"}}", StringComparison.Ordinal),
            _ => Valid.Replace("\"apiVersion\":\"admission.k8s.io/v1\"", $"\"apiVersion\":\"{huge}\"", StringComparison.Ordinal),
        };
        return review.Length > Valid.Length ? review : throw new InvalidOperationException("the huge string was not placed");
    }

    /// <summary>A valid envelope whose Deployment has a field of the wrong type.</summary>
    private static string BadObject(Random random)
    {
        var review = JsonNode.Parse(Valid)!;
        var spec = review["request"]!["object"]!["spec"]!;
        switch (random.Next(5))
        {
            case 0: spec["template"]!["spec"]!["containers"] = "not a list"; break;
            case 1: spec["template"]!["spec"]!["containers"]![0]!["securityContext"] = new JsonArray(1); break;
            case 2: spec["replicas"] = "two"; break;
            case 3: spec["template"]!["spec"]!["containers"]![0]!["ports"] = new JsonArray(new JsonObject { ["containerPort"] = "http" }); break;
            default: review["request"]!["object"]!["metadata"] = new JsonArray(); break;
        }

        return review.ToJsonString();
    }

    private static string RandomJson(Random random, int depth)
    {
        return (depth > 4 ? random.Next(4) : random.Next(6)) switch
        {
            0 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => "\"" + RandomText(random, random.Next(20)).Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal) + "\"",
            2 => random.Next(2) == 0 ? "true" : "null",
            3 => "[]",
            4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(i => $"\"k{i}\":" + RandomJson(random, depth + 1))) + "}",
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "{}[]\":,0123456789abcdefghijklmnopqrstuvwxyz \\/\n\t-+.eE";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
        return text.ToString();
    }

    /// <summary>Content without a length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
