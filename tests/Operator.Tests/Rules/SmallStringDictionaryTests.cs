namespace EksHardening.Operator.Tests.Rules;

public class SmallStringDictionaryTests
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal) { ["app"] = "web", ["tier"] = "front", ["team"] = "shop" };

    [Fact]
    public void Reads_like_the_dictionary_it_was_made_from_in_its_order()
    {
        var map = new SmallStringDictionary(Labels);

        Assert.Equal(3, map.Count);
        Assert.Equal(Labels.ToList(), map.ToList());
        Assert.Equal(["app", "tier", "team"], map.Keys);
        Assert.Equal(["web", "front", "shop"], map.Values);
        Assert.Equal("front", map["tier"]);
        Assert.True(map.TryGetValue("team", out var team) && team == "shop");
        Assert.False(map.TryGetValue("App", out _));
        Assert.True(map.ContainsKey("app"));
        var (has, hasOther) = (map.Contains(KeyValuePair.Create("app", "web")), map.Contains(KeyValuePair.Create("app", "api")));
        Assert.True(has);
        Assert.False(hasOther);
        Assert.Throws<KeyNotFoundException>(() => map["missing"]);
        var copy = new KeyValuePair<string, string>[4];
        map.CopyTo(copy, 1);
        Assert.Equal(KeyValuePair.Create("app", "web"), copy[1]);
    }

    [Fact]
    public void Cannot_be_changed()
    {
        var map = new SmallStringDictionary(Labels);

        Assert.True(map.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => map["app"] = "api");
        Assert.Throws<NotSupportedException>(() => map.Add("x", "y"));
        Assert.Throws<NotSupportedException>(() => map.Remove("app"));
        Assert.Throws<NotSupportedException>(map.Clear);
    }

    [Fact]
    public void Serializes_as_the_dictionary_does()
    {
        var shared = new V1ObjectMeta { Name = "web", Labels = new SmallStringDictionary(Labels) };
        var plain = new V1ObjectMeta { Name = "web", Labels = Labels };

        Assert.Equal(KubernetesJson.Serialize(plain), KubernetesJson.Serialize(shared));
    }

    [Fact]
    public void The_shared_pool_uses_it_for_small_maps_and_a_dictionary_for_large_ones()
    {
        var values = new SharedValues();
        var large = Enumerable.Range(0, SmallStringDictionary.MaxCount + 1).ToDictionary(i => $"k{i}", i => $"v{i}");

        Assert.IsType<SmallStringDictionary>(values.Share(new Dictionary<string, string>(Labels)));
        Assert.Same(values.Share(new Dictionary<string, string>(Labels)), values.Share(Labels.Reverse().ToDictionary()));
        var shared = values.Share(large);
        Assert.IsType<System.Collections.ObjectModel.ReadOnlyDictionary<string, string>>(shared);
        Assert.Equal(large.OrderBy(p => p.Key), shared.OrderBy(p => p.Key));
    }
}
