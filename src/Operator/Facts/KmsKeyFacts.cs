namespace EksHardening.Operator.Facts;

/// <summary>Whether automatic rotation is on, and its period.</summary>
public sealed record KmsKeyRotation(string KeyId, bool RotationEnabled, int? RotationPeriodInDays, DateTimeOffset? NextRotationDate);
