using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Evaluation;

/// <summary>When a policy is evaluated again although nothing changed (pure).</summary>
public static class EvaluationSchedule
{
    /// <summary>
    /// The policy's interval (or <paramref name="defaultInterval"/>), or sooner: when an exemption expires before it, or
    /// when AWS facts could not be learned (they are tried again as soon as their error is forgotten, after
    /// <paramref name="awsErrorTtl"/>, so that status recovers soon after AWS does).
    /// </summary>
    public static TimeSpan Next(ResponsibilityPolicy policy, PolicyEvaluation? evaluation, DateTimeOffset now, TimeSpan defaultInterval, TimeSpan? awsErrorTtl)
    {
        var interval = DurationParser.TryParse(policy.Spec?.EvaluationInterval, out var parsed) && parsed > TimeSpan.Zero ? parsed : defaultInterval;
        if (evaluation is null) return interval;
        if (evaluation.AwsErrors is { Count: > 0 } && awsErrorTtl is { } errorTtl && errorTtl < interval) interval = errorTtl;
        foreach (var exemption in policy.Spec?.Exemptions ?? [])
        {
            if (exemption.Expires is { } expires && expires > now && expires - now < interval) interval = expires - now + TimeSpan.FromSeconds(1);
        }

        return interval;
    }
}
