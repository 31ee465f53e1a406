namespace EksHardening.AwsStub.Kms;

/// <summary>A KMS key to seed, with its rotation setting and aliases. Id, ARN and owner are filled in.</summary>
public sealed record KmsKey
{
    /// <summary>Filled in when null: a random UUID.</summary>
    public string? KeyId { get; init; }

    /// <summary>The owning account; null: the stub's account.</summary>
    public string? AccountId { get; init; }

    /// <summary>The key's region; null: the stub's region.</summary>
    public string? Region { get; init; }

    public bool RotationEnabled { get; init; }

    public int RotationPeriodInDays { get; init; } = 365;

    /// <summary>Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, Creating, Updating.</summary>
    public string KeyState { get; init; } = "Enabled";

    /// <summary>CUSTOMER or AWS.</summary>
    public string KeyManager { get; init; } = "CUSTOMER";

    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    /// <summary>AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE.</summary>
    public string Origin { get; init; } = "AWS_KMS";

    public string Description { get; init; } = "";

    /// <summary>Alias names, each starting with <c>alias/</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Filled in: <c>arn:aws:kms:REGION:ACCOUNT:key/ID</c>.</summary>
    public string? Arn { get; init; }

    /// <summary>Whether KMS can rotate this key automatically (symmetric, KMS-generated key material).</summary>
    public bool SupportsRotation => KeySpec == "SYMMETRIC_DEFAULT" && Origin == "AWS_KMS";
}
