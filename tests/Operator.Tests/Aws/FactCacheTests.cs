namespace EksHardening.Operator.Tests.Aws;

public class FactCacheTests
{
    [Fact]
    public async Task Concurrent_lookups_of_one_key_share_one_call()
    {
        var clock = new FakeTimeProvider();
        var cache = new FactCache<string, string>(clock, TimeSpan.FromSeconds(30));
        var calls = 0;
        var release = new TaskCompletionSource();
        async Task<string> Fetch(string key)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return key + "!";
        }

        var lookups = Enumerable.Range(0, 50).Select(_ => Task.Run(() => cache.GetAsync("k", TimeSpan.FromMinutes(10), Fetch))).ToList();
        await Task.Delay(50);
        release.SetResult();
        var results = await Task.WhenAll(lookups);
        Assert.Equal(1, calls);
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(1, cache.Misses);
        Assert.Equal(49, cache.Hits);
    }

    [Fact]
    public async Task Values_live_for_the_ttl_and_failures_for_the_error_ttl()
    {
        var clock = new FakeTimeProvider();
        var cache = new FactCache<string, string>(clock, TimeSpan.FromSeconds(30));
        var calls = 0;
        Task<string> Fetch(string key) => Task.FromResult($"{key}-{++calls}");

        Assert.Equal("k-1", await cache.GetAsync("k", TimeSpan.FromMinutes(10), Fetch));
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("k-1", await cache.GetAsync("k", TimeSpan.FromMinutes(10), Fetch));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("k-2", await cache.GetAsync("k", TimeSpan.FromMinutes(10), Fetch));

        var failures = 0;
        Task<string> Failing(string key) => Task.FromException<string>(new InvalidOperationException($"down {++failures}"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("bad", TimeSpan.FromMinutes(10), Failing));
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("bad", TimeSpan.FromMinutes(10), Failing));
        Assert.Equal(1, failures);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("bad-3", await cache.GetAsync("bad", TimeSpan.FromMinutes(10), Fetch));
    }

    [Fact]
    public async Task Expired_entries_are_swept_so_keys_never_asked_again_do_not_pile_up()
    {
        var clock = new FakeTimeProvider();
        var cache = new FactCache<int, int>(clock, TimeSpan.FromSeconds(30));
        for (var i = 0; i < 1000; i++) await cache.GetAsync(i, TimeSpan.FromMinutes(10), k => Task.FromResult(k));
        Assert.Equal(1000, cache.Count);
        clock.Advance(TimeSpan.FromMinutes(11));
        await cache.GetAsync(5000, TimeSpan.FromMinutes(10), k => Task.FromResult(k));
        cache.Sweep();
        Assert.Equal(1, cache.Count);

        // Lookups sweep by themselves now and then.
        for (var i = 0; i < 1000; i++) await cache.GetAsync(10_000 + i, TimeSpan.FromMinutes(10), k => Task.FromResult(k));
        clock.Advance(TimeSpan.FromMinutes(11));
        for (var i = 0; i < 1100; i++) await cache.GetAsync(20_000, TimeSpan.FromMinutes(10), k => Task.FromResult(k));
        Assert.True(cache.Count < 100, $"{cache.Count} entries left");
    }
}
