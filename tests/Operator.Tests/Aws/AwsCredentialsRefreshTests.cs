using Amazon.Runtime;

namespace EksHardening.Operator.Tests.Aws;

/// <summary>Refreshing ahead of expiry, with a scripted provider and a fake clock (no environment involved).</summary>
public sealed class AwsCredentialsRefreshTests
{
    [Fact]
    public async Task Credentials_are_refreshed_five_minutes_before_they_expire()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var provider = new ScriptedCredentials(time);
        using var source = new AwsCredentialsSource(time, _ => Task.FromResult<AWSCredentials>(provider));

        var first = await source.GetAsync();
        Assert.Equal("key-1", first.AccessKeyId);
        Assert.Equal("token-1", first.SessionToken);
        Assert.Equal(time.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), first.Expiration!.Value.ToUnixTimeSeconds());

        time.Advance(TimeSpan.FromMinutes(54));
        Assert.Same(first, await source.GetAsync());
        Assert.Equal(1, provider.Generated);

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var second = await source.GetAsync();
        Assert.Equal("key-2", second.AccessKeyId);
        Assert.Equal(2, provider.Generated);
    }

    [Fact]
    public async Task Invalidate_fetches_new_credentials_on_the_next_call()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var provider = new ScriptedCredentials(time);
        using var source = new AwsCredentialsSource(time, _ => Task.FromResult<AWSCredentials>(provider));

        await source.GetAsync();
        source.Invalidate();

        Assert.Equal("key-2", (await source.GetAsync()).AccessKeyId);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_fetch()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var provider = new ScriptedCredentials(time);
        using var source = new AwsCredentialsSource(time, _ => Task.FromResult<AWSCredentials>(provider));

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.GetAsync().AsTask()));

        Assert.All(all, c => Assert.Equal("key-1", c.AccessKeyId));
        Assert.Equal(1, provider.Generated);
    }

    [Fact]
    public void Static_credentials_print_no_secret()
    {
        var text = new AwsCredentials("AKIA1", "very-secret", "very-secret-token").ToString();

        Assert.Contains("AKIA1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
    }

    /// <summary>A refreshing provider whose credentials live an hour on the fake clock.</summary>
    private sealed class ScriptedCredentials(TimeProvider time) : RefreshingAWSCredentials
    {
        private int _generated;

        public int Generated => _generated;

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            var n = Interlocked.Increment(ref _generated);
            return new CredentialsRefreshState(new ImmutableCredentials($"key-{n}", $"secret-{n}", $"token-{n}"), time.GetUtcNow().AddHours(1).UtcDateTime);
        }

        protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync() => Task.FromResult(GenerateNewCredentials());
    }
}
