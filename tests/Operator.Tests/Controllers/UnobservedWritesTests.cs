namespace EksHardening.Operator.Tests.Controllers;

public sealed class UnobservedWritesTests
{
    [Theory]
    [InlineData("10", "9", true)]     // an older version: the informer has not caught up
    [InlineData("10", "10", false)]   // the written version itself
    [InlineData("10", "11", false)]   // a later change includes the write
    [InlineData("10", "100", false)]  // compared as numbers, not as text
    [InlineData("a1", "a2", true)]    // not integers: only the same version counts
    [InlineData("a1", "a1", false)]
    [InlineData(null, "1", false)]    // no version in the answer: the first event counts
    public void A_write_is_pending_until_the_informer_delivers_its_resourceVersion_or_a_later_one(string? written, string delivered, bool stillPending)
    {
        var writes = new UnobservedWrites(new FakeTimeProvider());
        writes.Wrote("shop/rpol-prod", written, "uid-1", "hash");

        writes.Observed("shop/rpol-prod", delivered);

        Assert.Equal(stillPending, writes.Pending("shop/rpol-prod") is not null);
    }

    [Fact]
    public void A_delete_is_pending_until_the_object_leaves_the_cache_and_an_update_does_not_clear_it()
    {
        var writes = new UnobservedWrites(new FakeTimeProvider());
        writes.Deleted("shop/rpol-prod");

        writes.Observed("shop/rpol-prod", "50");
        Assert.True(writes.Pending("shop/rpol-prod")!.IsDelete);
        writes.ObservedDeletion("shop/rpol-prod", "49");
        Assert.Null(writes.Pending("shop/rpol-prod"));
    }

    [Fact]
    public void A_write_never_delivered_counts_as_observed_after_the_timeout()
    {
        var clock = new FakeTimeProvider();
        var writes = new UnobservedWrites(clock);
        writes.Wrote("rpol-prod", "7", "uid-1", "hash");

        clock.Advance(UnobservedWrites.Timeout - TimeSpan.FromSeconds(1));
        Assert.NotNull(writes.Pending("rpol-prod"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(writes.Pending("rpol-prod"));
        Assert.Equal(0, writes.Count);
    }
}
