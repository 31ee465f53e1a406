namespace EksHardening.Operator.Tests.Serialization;

public class SharedStringConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new SharedStringConverter() } };

    [Fact]
    public void A_value_repeated_across_documents_is_read_as_one_string()
    {
        var a = JsonSerializer.Deserialize<Dictionary<string, string>>("""{"protocol": "TCP", "name": "web-1"}""", Options)!;
        var b = JsonSerializer.Deserialize<Dictionary<string, string>>("""{"protocol": "TCP", "name": "web-2"}""", Options)!;

        Assert.Same(a["protocol"], b["protocol"]);
        Assert.Equal(("web-1", "web-2"), (a["name"], b["name"]));
    }

    [Fact]
    public void Dictionary_keys_are_shared_too()
    {
        var a = JsonSerializer.Deserialize<Dictionary<string, string>>("""{"app.kubernetes.io/name": "x"}""", Options)!;
        var b = JsonSerializer.Deserialize<Dictionary<string, string>>("""{"app.kubernetes.io/name": "y"}""", Options)!;

        Assert.Same(a.Keys.Single(), b.Keys.Single());
    }

    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("\"caf\\u00e9 \\\"quoted\\\"\"", "café \"quoted\"")]
    [InlineData("\"ünïcödé-label\"", "ünïcödé-label")]
    [InlineData("\"a-value-well-over-sixty-four-bytes-long-that-is-decoded-as-usual-every-time\"", "a-value-well-over-sixty-four-bytes-long-that-is-decoded-as-usual-every-time")]
    public void Escaped_non_ascii_empty_and_long_values_read_as_the_serializer_reads_them(string json, string expected)
    {
        Assert.Equal(expected, JsonSerializer.Deserialize<string>(json, Options));
        Assert.Equal(JsonSerializer.Deserialize<string>(json), JsonSerializer.Deserialize<string>(json, Options));
    }

    [Fact]
    public void Values_that_share_a_slot_never_come_back_as_each_other()
    {
        // Far more distinct values than slots: every read must still return its own text.
        var converter = new SharedStringConverter();
        var options = new JsonSerializerOptions { Converters = { converter } };
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 50_000; i++)
            {
                var value = "v" + i.ToString(CultureInfo.InvariantCulture);
                Assert.Equal(value, JsonSerializer.Deserialize<string>("\"" + value + "\"", options));
            }
        }
    }

    [Fact]
    public void Writing_and_null_are_unchanged()
    {
        var value = new Dictionary<string, string?> { ["k\"ey"] = "va\"lue", ["none"] = null };

        Assert.Equal(JsonSerializer.Serialize(value), JsonSerializer.Serialize(value, Options));
        Assert.Null(JsonSerializer.Deserialize<Dictionary<string, string?>>("""{"none": null}""", Options)!["none"]);
    }

    [Fact]
    public void A_number_where_a_string_belongs_fails_as_without_the_converter()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dictionary<string, string>>("""{"a": 1}""", Options));
    }

    [Fact]
    public void The_clients_options_share_what_two_pods_repeat()
    {
        const string Pod = """{"metadata": {"name": "NAME", "labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}""";
        var a = KubernetesJson.Deserialize<V1Pod>(Pod.Replace("NAME", "web-1", StringComparison.Ordinal));
        var b = KubernetesJson.Deserialize<V1Pod>(Pod.Replace("NAME", "web-2", StringComparison.Ordinal));

        Assert.Same(a.Spec.Containers[0].Ports[0].Protocol, b.Spec.Containers[0].Ports[0].Protocol);
        Assert.Same(a.Metadata.Labels.Keys.Single(), b.Metadata.Labels.Keys.Single());
        Assert.Equal(("web-1", "web-2"), (a.Metadata.Name, b.Metadata.Name));
    }
}
