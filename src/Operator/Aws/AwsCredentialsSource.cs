using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace EksHardening.Operator.Aws;

/// <summary>
/// Credentials from AWSSDK.Core's default chain: environment variables, the shared profile, IRSA web identity
/// (<c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>, through AWSSDK.SecurityToken), EKS Pod Identity and
/// other container credentials, then instance metadata. The chain is resolved on first use; its credentials are
/// copied into immutable <see cref="AwsCredentials"/> and fetched again a few minutes before they expire.
/// </summary>
public sealed class AwsCredentialsSource : IAwsCredentialsSource, IDisposable
{
    /// <summary>How long before expiry credentials are replaced.</summary>
    public static readonly TimeSpan DefaultRefreshBefore = TimeSpan.FromMinutes(5);

    private readonly Func<CancellationToken, Task<AWSCredentials>> _resolve;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshBefore;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AWSCredentials? _provider;
    private Cached? _current;

    /// <param name="resolve">Finds the credential provider; default: the SDK's default chain.</param>
    public AwsCredentialsSource(TimeProvider? time = null, Func<CancellationToken, Task<AWSCredentials>>? resolve = null, TimeSpan? refreshBefore = null)
    {
        _time = time ?? TimeProvider.System;
        _resolve = resolve ?? ResolveDefaultChainAsync;
        _refreshBefore = refreshBefore ?? DefaultRefreshBefore;
    }

    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _time.GetUtcNow() < current.RefreshAt) return current.Credentials;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is not null && _time.GetUtcNow() < current.RefreshAt) return current.Credentials;
            var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, fresh);
            return fresh.Credentials;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate()
    {
        Volatile.Write(ref _current, null);
        if (_provider is RefreshingAWSCredentials refreshing) refreshing.ClearCredentials();
    }

    public void Dispose()
    {
        _gate.Dispose();
        (_provider as IDisposable)?.Dispose();
    }

    private async Task<Cached> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            _provider ??= await _resolve(cancellationToken).ConfigureAwait(false);
            var fresh = await ReadAsync(_provider).ConfigureAwait(false);
            if (fresh.Expiration is { } expiration && expiration - _refreshBefore <= _time.GetUtcNow()
                && _provider is RefreshingAWSCredentials refreshing)
            {
                // The SDK's own refresh window is shorter than ours: make it fetch now.
                refreshing.ClearCredentials();
                fresh = await ReadAsync(_provider).ConfigureAwait(false);
            }

            return new Cached(fresh, RefreshAt(fresh));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A chain that found nothing may find something later (a token file mounted late): resolve again next time.
            _provider = null;
            throw new AwsServiceException(AwsErrorKind.AccessDenied, "sts", "ResolveCredentials",
                $"No AWS credentials could be loaded from the default chain: {e.Message}", errorCode: "CredentialsUnavailable", innerException: e);
        }
    }

    private DateTimeOffset RefreshAt(AwsCredentials credentials)
    {
        if (credentials.Expiration is not { } expiration) return DateTimeOffset.MaxValue;
        var now = _time.GetUtcNow();
        var at = expiration - _refreshBefore;
        // Credentials that live shorter than the refresh window are used for half their remaining life.
        return at > now ? at : now + ((expiration - now) / 2);
    }

    private static async Task<AwsCredentials> ReadAsync(AWSCredentials provider)
    {
        var immutable = await provider.GetCredentialsAsync().ConfigureAwait(false);
        return new AwsCredentials(immutable.AccessKey, immutable.SecretKey, immutable.UseToken ? immutable.Token : null, ExpirationOf(provider));
    }

    private static DateTimeOffset? ExpirationOf(AWSCredentials provider)
    {
        DateTimeOffset? expiration = provider.Expiration switch
        {
            null => null,
            { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero),
            { } other => new DateTimeOffset(DateTime.SpecifyKind(other, DateTimeKind.Utc), TimeSpan.Zero),
        };

        // The SDK reports expiry less its own safety buffer (a minute); report the expiry the issuer gave.
        return provider is RefreshingAWSCredentials refreshing ? expiration + refreshing.ExpirationBuffer : expiration;
    }

    private static async Task<AWSCredentials> ResolveDefaultChainAsync(CancellationToken cancellationToken)
    {
        StsClientRegistration.EnsureRegistered();
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        return await resolver.ResolveIdentityAsync(null!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The web identity (IRSA) and assume-role providers create their STS client from AWSSDK.SecurityToken, found by
    /// reflection unless one is registered; the native build has no such reflection (the assembly would be trimmed
    /// away), so the client is registered, in every build, as the SDK itself would build it: anonymous, in the region
    /// the provider asks for, through its proxy.
    /// </summary>
    private static class StsClientRegistration
    {
        static StsClientRegistration() =>
            Amazon.RuntimeDependencies.GlobalRuntimeDependencyRegistry.Instance.RegisterSecurityTokenServiceClient(context =>
            {
                var data = context.SecurityTokenServiceClientContextData;
                var config = new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig { RegionEndpoint = data.Region };
                if (data.ProxySettings is { } proxy) config.SetWebProxy(proxy);
                return new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
            });

        public static void EnsureRegistered() { }
    }

    private sealed record Cached(AwsCredentials Credentials, DateTimeOffset RefreshAt);
}
