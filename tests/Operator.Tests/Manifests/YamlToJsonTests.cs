namespace EksHardening.Operator.Tests.Manifests;

public class YamlToJsonTests
{
    private static JsonNode? Single(string yaml) => Assert.Single(YamlToJson.Parse(yaml, "t.yaml")).Root;

    [Fact]
    public void Scalars_resolve_as_Kubernetes_YAML_does()
    {
        var node = Single("""
            int: 8080
            hex: 0x1F
            octal: 0755
            float: 1.5
            yes: yes
            off: off
            truth: true
            nothing: ~
            empty:
            quoted: "8080"
            single: 'true'
            tagged: !!str 42
            version: 1.0.0
            port: "http"
            block: |
              line
            after: 1
            """)!.AsObject();
        Assert.Equal(8080, node["int"]!.GetValue<long>());
        Assert.Equal(31, node["hex"]!.GetValue<long>());
        Assert.Equal(493, node["octal"]!.GetValue<long>());
        Assert.Equal(1.5, node["float"]!.GetValue<double>());
        Assert.True(node["yes"]!.GetValue<bool>());
        Assert.False(node["off"]!.GetValue<bool>());
        Assert.True(node["truth"]!.GetValue<bool>());
        Assert.Null(node["nothing"]);
        Assert.True(node.ContainsKey("empty"));
        Assert.Null(node["empty"]);
        Assert.Equal("8080", node["quoted"]!.GetValue<string>());
        Assert.Equal("true", node["single"]!.GetValue<string>());
        Assert.Equal("42", node["tagged"]!.GetValue<string>());
        Assert.Equal("1.0.0", node["version"]!.GetValue<string>());
        Assert.Equal("line\n", node["block"]!.GetValue<string>());
    }

    [Fact]
    public void Documents_keep_their_start_lines_and_node_lines()
    {
        var docs = YamlToJson.Parse("a: 1\n---\n# comment\nb:\n  c: [1, 2]\n---\n", "t.yaml");
        Assert.Equal(3, docs.Count);
        Assert.Equal(1, docs[0].Line);
        Assert.Equal(4, docs[1].Line);
        Assert.Null(docs[2].Root);
        Assert.Equal(5, docs[1].LineOfPath("b.c[1]"));
        Assert.Equal(5, docs[1].LineOfPath("b.c.missing"));
    }

    [Fact]
    public void Anchors_aliases_and_merge_keys_expand()
    {
        var node = Single("""
            base: &base {cpu: 1, memory: 2}
            copy: *base
            merged:
              <<: *base
              cpu: 4
            """)!.AsObject();
        Assert.Equal(1, node["copy"]!["cpu"]!.GetValue<long>());
        Assert.Equal(4, node["merged"]!["cpu"]!.GetValue<long>());
        Assert.Equal(2, node["merged"]!["memory"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", 2, "duplicate key 'a'")]
    [InlineData("a: [1, 2\n", 2, "invalid YAML")]
    [InlineData("a: *nope\n", 1, "unknown alias *nope")]
    [InlineData("? [complex]\n: 1\n", 1, "mapping keys must be plain strings")]
    public void Bad_yaml_names_the_line(string yaml, int line, string reason)
    {
        var e = Assert.Throws<ManifestException>(() => YamlToJson.Parse(yaml, "t.yaml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message);
        Assert.StartsWith("t.yaml:", e.Message);
    }

    [Fact]
    public void An_alias_bomb_is_refused_not_expanded()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 0; i < 9; i++)
        {
            var prev = (char)('a' + i);
            var next = (char)('b' + i);
            yaml += $"{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n";
        }

        var e = Assert.Throws<ManifestException>(() => YamlToJson.Parse(yaml, "bomb.yaml"));
        Assert.Contains("nodes", e.Message);
    }

    [Fact]
    public void Json_parses_through_the_same_reader()
    {
        var node = Single("{\"a\": {\"b\": [1, \"2\", true, null]}}")!;
        Assert.Equal("2", node["a"]!["b"]![1]!.GetValue<string>());
        Assert.True(node["a"]!["b"]![2]!.GetValue<bool>());
    }
}
