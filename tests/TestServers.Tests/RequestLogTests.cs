namespace EksHardening.TestServers.Tests;

public sealed class RequestLogTests
{
    [Fact]
    public void Keeps_requests_in_the_order_they_were_answered()
    {
        var log = new RequestLog<string>(capacity: 10);
        log.Add("GET /a");
        log.Add("PUT /b");
        log.Add("GET /a");
        Assert.Equal(["GET /a", "PUT /b", "GET /a"], log.Snapshot());
    }

    [Fact]
    public void Drops_the_oldest_entries_beyond_its_capacity()
    {
        var log = new RequestLog<int>(capacity: 3);
        for (var i = 1; i <= 5; i++) log.Add(i);
        Assert.Equal([3, 4, 5], log.Snapshot());
    }

    [Fact]
    public void A_snapshot_does_not_change_with_later_requests()
    {
        var log = new RequestLog<int>(capacity: 3);
        log.Add(1);
        var snapshot = log.Snapshot();
        log.Add(2);
        log.Clear();
        Assert.Equal([1], snapshot);
        Assert.Empty(log.Snapshot());
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_entry()
    {
        const int Writers = 8;
        const int PerWriter = 2_000;
        var log = new RequestLog<(int Writer, int Index)>(capacity: Writers * PerWriter);
        using var start = new Barrier(Writers);
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerWriter; i++) log.Add((writer, i));
        })));

        var entries = log.Snapshot();
        Assert.Equal(Writers * PerWriter, entries.Count);
        Assert.Equal(Writers * PerWriter, entries.Distinct().Count());
        // Each writer's own entries stay in the order it wrote them.
        Assert.All(entries.GroupBy(e => e.Writer), g => Assert.Equal(Enumerable.Range(0, PerWriter), g.Select(e => e.Index)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_capacity_below_one_is_refused(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestLog<int>(capacity));
}
