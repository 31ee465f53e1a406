using EksHardening.Entities;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;
using k8s;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>What the rule engine says a policy's status should be for a set of objects (emulator or real cluster).</summary>
internal static class ExpectedStatus
{
    public static ResponsibilityPolicyStatus Of(ResponsibilityPolicy policy, IEnumerable<object> objects) =>
        ComplianceStatus.FromEvaluation(policy, Evaluate(policy, objects), policy.Status, DateTimeOffset.UtcNow, 50);

    public static PolicyEvaluation Evaluate(ResponsibilityPolicy policy, IEnumerable<object> objects) =>
        new PolicyEvaluator(TimeProvider.System).Evaluate(policy, ClusterSnapshot.FromObjects(objects));

    /// <summary>List responses omit kind and apiVersion on items; the snapshot sorts objects by them.</summary>
    public static IEnumerable<T> WithKind<T>(IEnumerable<T> items, string apiVersion, string kind) where T : IKubernetesObject
    {
        foreach (var item in items)
        {
            item.ApiVersion = apiVersion;
            item.Kind = kind;
            yield return item;
        }
    }
}
