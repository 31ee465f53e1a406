namespace EksHardening.Operator.Aws;

/// <summary>What DescribeKey tells the encryption rules about a key.</summary>
public sealed record KmsKey(string KeyId, string Arn, string KeyState, string KeyManager, string KeySpec, string KeyUsage, string Origin, bool Enabled);
