namespace EksHardening.Operator.Aws;

/// <summary>
/// Settings of the SDKs' "standard" retry mode (<see cref="AwsStandardRetryMode"/>): at most 3 attempts, exponential
/// backoff with full jitter from a 100 ms base (1 s when throttled) capped at 20 s, and a retry quota that stops retry
/// storms when AWS keeps failing.
/// </summary>
public sealed class AwsRetryOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ThrottlingBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt may take before it counts as timed out.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tokens in the retry quota; a retry takes <see cref="RetryCost"/> (a timeout <see cref="TimeoutRetryCost"/>).</summary>
    public int RetryQuotaCapacity { get; init; } = 500;

    public int RetryCost { get; init; } = 5;
    public int TimeoutRetryCost { get; init; } = 10;

    /// <summary>The share of the nominal delay waited, a uniform random number in [0, 1) (full jitter); tests fix it.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
}
