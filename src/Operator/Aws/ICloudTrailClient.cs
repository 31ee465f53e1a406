using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Aws;

/// <summary>The CloudTrail calls the audit-trail rule needs (JSON 1.1, target <c>CloudTrail_20131101</c>).</summary>
public interface ICloudTrailClient
{
    /// <summary><c>DescribeTrails</c> with <c>includeShadowTrails</c>: the region's own trails and the multi-region trails that cover it.</summary>
    Task<IReadOnlyList<CloudTrailTrail>> DescribeTrailsAsync(string region, CancellationToken cancellationToken = default);

    /// <summary><c>GetTrailStatus</c> by ARN, asked in <paramref name="region"/> (the trail's home region): whether it is logging.</summary>
    Task<bool> GetTrailIsLoggingAsync(string region, string trailArn, CancellationToken cancellationToken = default);

    /// <summary><c>GetEventSelectors</c> by ARN, asked in <paramref name="region"/> (the trail's home region).</summary>
    Task<CloudTrailEventSelectors> GetEventSelectorsAsync(string region, string trailArn, CancellationToken cancellationToken = default);
}
