using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>The GuardDuty calls the threat-detection rule needs (REST-JSON); list calls follow <c>nextToken</c> to the end.</summary>
public interface IGuardDutyClient
{
    /// <summary><c>GET /detector</c>: the detector ids of the region (at most one per account and region).</summary>
    Task<IReadOnlyList<string>> ListDetectorsAsync(string region, CancellationToken cancellationToken = default);

    /// <summary><c>GET /detector/{detectorId}</c>.</summary>
    Task<GuardDutyDetector> GetDetectorAsync(string region, string detectorId, CancellationToken cancellationToken = default);
}
