namespace EksHardening.AwsStub.Kms;

/// <summary>The KMS keys the stub serves, found by id, key ARN, alias name or alias ARN.</summary>
public sealed class KmsStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, KmsKey> _keys = new(StringComparer.Ordinal);

    internal KmsStub(StubContext context) => _context = context;

    internal StubContext Context => _context;

    public IReadOnlyList<KmsKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys.Values];
            }
        }
    }

    /// <summary>Creates or replaces a key; returns it with id, ARN, account, region and creation date filled in.</summary>
    public KmsKey AddKey(KmsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Aliases.Any(a => !a.StartsWith("alias/", StringComparison.Ordinal)))
        {
            throw new ArgumentException("Alias names start with alias/.", nameof(key));
        }

        var id = key.KeyId ?? _context.NewGuid().ToString();
        var account = key.AccountId ?? _context.AccountId;
        var region = key.Region ?? _context.Region;
        var stored = key with
        {
            KeyId = id,
            AccountId = account,
            Region = region,
            Arn = $"arn:aws:kms:{region}:{account}:key/{id}",
            CreatedAt = key.CreatedAt ?? _context.Now,
        };
        lock (_gate)
        {
            _keys[stored.Arn] = stored;
        }

        return stored;
    }

    /// <summary>Turns automatic rotation on or off for a key, by id or ARN.</summary>
    public KmsKey SetRotation(string keyIdOrArn, bool enabled)
    {
        var key = Resolve(keyIdOrArn, _context.AccountId, _context.Region, aliases: false)
            ?? throw new ArgumentException($"No key {keyIdOrArn}.", nameof(keyIdOrArn));
        return AddKey(key with { RotationEnabled = enabled });
    }

    public bool RemoveKey(string arn)
    {
        lock (_gate)
        {
            return _keys.Remove(arn);
        }
    }

    /// <summary>Finds a key as KMS does: a key ARN or alias ARN anywhere, a bare id or alias name in the caller's account and region.</summary>
    internal KmsKey? Resolve(string keyId, string callerAccount, string callerRegion, bool aliases)
    {
        lock (_gate)
        {
            if (keyId.StartsWith("arn:", StringComparison.Ordinal))
            {
                if (_keys.TryGetValue(keyId, out var byArn))
                {
                    return byArn;
                }

                var parts = keyId.Split(':', 6);
                return aliases && parts.Length == 6 && parts[5].StartsWith("alias/", StringComparison.Ordinal)
                    ? _keys.Values.FirstOrDefault(k => k.Region == parts[3] && k.AccountId == parts[4] && k.Aliases.Contains(parts[5]))
                    : null;
            }

            if (keyId.StartsWith("alias/", StringComparison.Ordinal))
            {
                return aliases ? _keys.Values.FirstOrDefault(k => k.Region == callerRegion && k.AccountId == callerAccount && k.Aliases.Contains(keyId)) : null;
            }

            return _keys.Values.FirstOrDefault(k => k.KeyId == keyId && k.AccountId == callerAccount && k.Region == callerRegion);
        }
    }
}
