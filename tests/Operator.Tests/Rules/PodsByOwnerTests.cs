namespace EksHardening.Operator.Tests.Rules;

public class PodsByOwnerTests
{
    private static WorkloadView Pod(string name) =>
        WorkloadView.TryCreate(new V1Pod { Metadata = new() { Name = name, NamespaceProperty = "shop" }, Spec = new() { Containers = [new() { Name = "c", Image = "app:1" }] } })!;

    private static List<string> PodsOf(PodsByOwner grouping, WorkloadView owner)
    {
        var names = new List<string>();
        for (var i = grouping.First(owner); i >= 0; i = grouping.Next(i)) names.Add(grouping.Pod(i).Name);
        return names;
    }

    [Fact]
    public void Each_owner_gets_its_own_pods_in_the_order_they_were_added_past_every_growth()
    {
        var owners = Enumerable.Range(0, 20).Select(i => Pod($"owner-{i}")).ToList();
        var grouping = new PodsByOwner();
        for (var round = 0; round < 3; round++)
        {
            // Interleaved: owner 0's pods are not adjacent, and the arrays grow while chains are open.
            foreach (var (owner, i) in owners.Select((o, i) => (o, i))) grouping.Add(owner, Pod($"pod-{i}-{round}"));
        }

        foreach (var (owner, i) in owners.Select((o, i) => (o, i)))
        {
            Assert.Equal([$"pod-{i}-0", $"pod-{i}-1", $"pod-{i}-2"], PodsOf(grouping, owner));
        }

        Assert.Equal(-1, grouping.First(Pod("owner-0")));  // another view with the same name is another owner
    }

    [Fact]
    public void A_grouping_handed_back_is_empty_for_the_next_evaluation()
    {
        var owner = Pod("web");
        var grouping = PodsByOwner.Rent();
        grouping.Add(owner, Pod("web-1"));
        Assert.False(grouping.IsEmpty);
        PodsByOwner.Return(grouping);

        var next = PodsByOwner.Rent();
        Assert.True(next.IsEmpty);
        Assert.Equal(-1, next.First(owner));
        next.Add(Pod("api"), Pod("api-1"));
        Assert.Equal(-1, next.First(owner));
        PodsByOwner.Return(next);
    }
}
