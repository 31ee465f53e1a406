using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>The KMS calls the encryption rules need.</summary>
public interface IKmsClient
{
    Task<KmsKey> DescribeKeyAsync(string region, string keyId, CancellationToken cancellationToken = default);

    /// <summary>Rotation status; AWS answers UnsupportedOperationException (<see cref="AwsErrorKind.Invalid"/>) for asymmetric, HMAC and imported keys.</summary>
    Task<KmsKeyRotation> GetKeyRotationStatusAsync(string region, string keyId, CancellationToken cancellationToken = default);
}
