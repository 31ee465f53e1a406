using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>
/// The EC2 calls the node and network rules need (EC2 Query protocol). Lookups by id take any number of ids, ask in
/// batches, and return what exists: an id EC2 does not know (a terminated instance gone from the API, a deregistered
/// image, a deleted group) is simply absent from the answer, never an error for the whole batch.
/// </summary>
public interface IEc2Client
{
    /// <summary><c>DescribeInstances</c> for these instance ids.</summary>
    Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(string region, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeImages</c> for these image ids.</summary>
    Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string region, IReadOnlyList<string> imageIds, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeSecurityGroups</c> for these group ids.</summary>
    Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(string region, IReadOnlyList<string> groupIds, CancellationToken cancellationToken = default);

    /// <summary><c>GetEbsEncryptionByDefault</c>: whether new EBS volumes in the region are encrypted by default.</summary>
    Task<bool> GetEbsEncryptionByDefaultAsync(string region, CancellationToken cancellationToken = default);
}
