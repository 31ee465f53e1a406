namespace EksHardening.AwsStub.Kms;

/// <summary>The KMS operations (JSON 1.1) the hardening rules need: DescribeKey and GetKeyRotationStatus.</summary>
internal sealed class KmsOperations(KmsStub kms)
{
    public static IReadOnlySet<string> Operations { get; } = new HashSet<string>(StringComparer.Ordinal) { "DescribeKey", "GetKeyRotationStatus" };

    public AwsResponse Handle(AwsCall call, string signingRegion)
    {
        var input = new Inputs(call);
        var body = call.Operation switch
        {
            "DescribeKey" => DescribeKey(call, input, signingRegion),
            "GetKeyRotationStatus" => GetKeyRotationStatus(call, input, signingRegion),
            _ => throw ServiceErrors.UnknownOperation(call.Service, call.Operation),
        };
        return Wire.Json(call.Service, body);
    }

    private JsonObject DescribeKey(AwsCall call, Inputs input, string region)
    {
        var key = Find(call, input, region, aliases: true);
        return new JsonObject
        {
            ["KeyMetadata"] = Wire.Object(
                ("AWSAccountId", key.AccountId),
                ("KeyId", key.KeyId),
                ("Arn", key.Arn),
                ("CreationDate", Wire.Epoch(key.CreatedAt)),
                ("Enabled", key.KeyState == "Enabled"),
                ("Description", key.Description),
                ("KeyUsage", key.KeyUsage),
                ("KeyState", key.KeyState),
                ("Origin", key.Origin),
                ("KeyManager", key.KeyManager),
                ("CustomerMasterKeySpec", key.KeySpec),
                ("KeySpec", key.KeySpec),
                ("EncryptionAlgorithms", key.KeyUsage == "ENCRYPT_DECRYPT" && key.KeySpec == "SYMMETRIC_DEFAULT" ? Wire.Strings(["SYMMETRIC_DEFAULT"]) : null),
                ("MultiRegion", key.KeyId!.StartsWith("mrk-", StringComparison.Ordinal)),
                ("DeletionDate", key.KeyState == "PendingDeletion" ? Wire.Epoch(kms.Context.Now.AddDays(30)) : null)),
        };
    }

    private JsonObject GetKeyRotationStatus(AwsCall call, Inputs input, string region)
    {
        var key = Find(call, input, region, aliases: false);
        if (!key.SupportsRotation)
        {
            throw new AwsServiceException("UnsupportedOperationException", 400, $"{key.Arn} origin is {key.Origin} and key spec is {key.KeySpec}, which is not valid for this operation.");
        }

        var enabled = key.KeyManager == "AWS" || key.RotationEnabled;
        var created = key.CreatedAt!.Value;
        var period = key.KeyManager == "AWS" ? 365 : key.RotationPeriodInDays;
        var next = created;
        while (next <= kms.Context.Now)
        {
            next = next.AddDays(period);
        }

        return Wire.Object(
            ("KeyRotationEnabled", enabled),
            ("KeyId", key.Arn),
            ("RotationPeriodInDays", enabled ? period : null),
            ("NextRotationDate", enabled ? Wire.Epoch(next) : null));
    }

    private KmsKey Find(AwsCall call, Inputs input, string region, bool aliases)
    {
        var keyId = input.Required("KeyId", 1, 2048);
        var account = call.Caller?.Account ?? kms.Context.AccountId;
        if (!aliases && (keyId.StartsWith("alias/", StringComparison.Ordinal) || keyId.Contains(":alias/", StringComparison.Ordinal)))
        {
            throw new AwsServiceException("NotFoundException", 400, $"Invalid keyId '{keyId}'");
        }

        if (kms.Resolve(keyId, account, region, aliases) is { } key)
        {
            return key;
        }

        if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            throw new AwsServiceException("NotFoundException", 400, $"Alias arn:aws:kms:{region}:{account}:{keyId} is not found.");
        }

        if (keyId.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = keyId.Split(':', 6);
            var valid = parts.Length == 6 && parts[2] == "kms" && (parts[5].StartsWith("key/", StringComparison.Ordinal) || parts[5].StartsWith("alias/", StringComparison.Ordinal));
            throw valid
                ? new AwsServiceException("NotFoundException", 400, parts[5].StartsWith("alias/", StringComparison.Ordinal) ? $"Alias {keyId} is not found." : $"Key '{keyId}' does not exist")
                : new AwsServiceException("NotFoundException", 400, $"Invalid arn {keyId}");
        }

        throw Guid.TryParse(keyId, out _) || keyId.StartsWith("mrk-", StringComparison.Ordinal)
            ? new AwsServiceException("NotFoundException", 400, $"Key 'arn:aws:kms:{region}:{account}:key/{keyId}' does not exist")
            : new AwsServiceException("NotFoundException", 400, $"Invalid keyId '{keyId}'");
    }
}
