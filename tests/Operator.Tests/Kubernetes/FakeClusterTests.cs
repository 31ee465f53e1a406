namespace EksHardening.Operator.Tests.Kubernetes;

public sealed class FakeClusterTests
{
    [Fact]
    public async Task Objects_given_before_the_start_are_listed_and_later_changes_are_handled_before_the_call_returns()
    {
        await using var cluster = new FakeCluster();
        await cluster.ApplyAsync(new V1Namespace { Metadata = new() { Name = "shop" } });
        var seen = new List<string>();
        cluster.Informers.Namespaces.AddHandler(change => seen.Add($"{change.Type} {change.Object.Metadata.Name}"));
        await cluster.StartAsync();

        var team = new V1Namespace { Metadata = new() { Name = "team", Labels = new Dictionary<string, string> { ["a"] = "1" } } };
        await cluster.ApplyAsync(team);
        team.Metadata.Labels["a"] = "2";
        await cluster.ApplyAsync(team);
        await cluster.DeleteAsync(new V1Namespace { Metadata = new() { Name = "shop" } });

        Assert.Equal(["Added shop", "Added team", "Updated team", "Deleted shop"], seen);
        var cached = cluster.Informers.Namespaces.Get(null, "team")!;
        Assert.Equal(("2", 2L), (cached.Metadata.Labels["a"], cached.Metadata.Generation!.Value));
        Assert.NotSame(team, cached);
        Assert.Null(cluster.Informers.Namespaces.Get(null, "shop"));
        Assert.True(cluster.Informers.HasSynced);
    }

    [Fact]
    public async Task An_object_of_a_kind_the_informers_do_not_watch_is_refused()
    {
        await using var cluster = new FakeCluster();
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.ApplyAsync(new V1Secret { Metadata = new() { Name = "s" } }));
    }
}
