namespace EksHardening.ApiEmulator.Tests;

/// <summary>The patch engines on their own, for the cases the API tests do not reach.</summary>
public class PatchingTests
{
    [Fact]
    public void Json_patch_moves_values_and_unescapes_pointer_tokens()
    {
        var doc = JsonNode.Parse("""{"metadata":{"annotations":{"a/b":"1","c~d":"2"}},"x":{"y":1}}""")!;
        var ops = JsonNode.Parse("""
            [{"op":"move","from":"/x/y","path":"/z"},
             {"op":"replace","path":"/metadata/annotations/a~1b","value":"one"},
             {"op":"remove","path":"/metadata/annotations/c~0d"}]
            """)!.AsArray();
        var result = JsonPatch.Apply(doc, ops);
        Assert.Equal("""{"metadata":{"annotations":{"a/b":"one"}},"x":{},"z":1}""", result.ToJsonString());
    }

    [Theory]
    [InlineData("""[{"op":"remove","path":"/missing"}]""")]
    [InlineData("""[{"op":"replace","path":"/missing","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a/b/c","value":1}]""")]
    [InlineData("""[{"op":"explode","path":"/a"}]""")]
    public void Json_patch_rejects_operations_that_do_not_fit_the_document(string ops)
    {
        Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonNode.Parse("""{"a":{}}""")!, JsonNode.Parse(ops)!.AsArray()));
    }

    [Fact]
    public void Merge_patch_replaces_arrays_whole()
    {
        var result = MergePatch.Apply(JsonNode.Parse("""{"a":[1,2],"b":{"c":1}}"""), JsonNode.Parse("""{"a":[3],"b":{"d":2}}"""));
        Assert.Equal("""{"a":[3],"b":{"c":1,"d":2}}""", result!.ToJsonString());
    }

    [Fact]
    public void Strategic_merge_patch_deletes_list_items_by_key_and_drops_directives()
    {
        var target = JsonNode.Parse("""{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}}""");
        var patch = JsonNode.Parse("""{"$setElementOrder/containers":[{"name":"b"}],"spec":{"containers":[{"name":"a","$patch":"delete"},{"name":"c","image":"3"}]}}""");
        var result = StrategicMergePatch.Apply(target, patch);
        Assert.Equal("""{"spec":{"containers":[{"name":"b","image":"2"},{"name":"c","image":"3"}]}}""", result!.ToJsonString());
    }
}
