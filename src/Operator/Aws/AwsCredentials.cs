namespace EksHardening.Operator.Aws;

/// <summary>One immutable set of AWS credentials; <see cref="ToString"/> never shows the secrets.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null, DateTimeOffset? Expiration = null)
{
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SessionToken = {(SessionToken is null ? "none" : "set")}, Expiration = {Expiration?.ToString("O") ?? "never"} }}";
}

/// <summary>Hands out current credentials to the signer, refreshing them before they expire.</summary>
public interface IAwsCredentialsSource
{
    ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets the current credentials, so that the next call fetches new ones (after an ExpiredToken answer).</summary>
    void Invalidate();
}

/// <summary>Fixed credentials, for tests and for explicitly configured keys.</summary>
public sealed class StaticAwsCredentialsSource(AwsCredentials credentials) : IAwsCredentialsSource
{
    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);

    public void Invalidate()
    {
    }
}
