namespace EksHardening.AwsStub.Signing;

/// <summary>An access key the stub accepts, with the principal it stands for.</summary>
internal sealed record KnownCredential(StubCredentials Credentials, string Account, string Arn, string UserId)
{
    public string AccessKeyId => Credentials.AccessKeyId;
}

/// <summary>The access keys the stub accepts: the long-term test keys, keys tests add, and temporary keys STS issued.</summary>
internal sealed class CredentialStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KnownCredential> _keys = new(StringComparer.Ordinal);

    public void Add(KnownCredential credential)
    {
        lock (_gate)
        {
            _keys[credential.AccessKeyId] = credential;
        }
    }

    public KnownCredential? Find(string accessKeyId)
    {
        lock (_gate)
        {
            return _keys.GetValueOrDefault(accessKeyId);
        }
    }

    public bool Remove(string accessKeyId)
    {
        lock (_gate)
        {
            return _keys.Remove(accessKeyId);
        }
    }
}
