namespace EksHardening.Operator.Testing.Testbed;

/// <summary>What the rule engine says a policy's status should be for a set of objects (emulator or real cluster).</summary>
public static class ExpectedStatus
{
    /// <param name="aws">The AWS facts the operator should have learned; null: the AWS-backed rules are off.</param>
    /// <param name="apiServerVersion">The API server's /version gitVersion; null: unknown (node.kubelet-skew not evaluated).</param>
    public static ResponsibilityPolicyStatus Of(ResponsibilityPolicy policy, IEnumerable<object> objects, AwsFacts? aws = null, string? apiServerVersion = null) =>
        ComplianceStatus.FromEvaluation(policy, Evaluate(policy, objects, aws, apiServerVersion), policy.Status, DateTimeOffset.UtcNow, 50);

    public static PolicyEvaluation Evaluate(ResponsibilityPolicy policy, IEnumerable<object> objects, AwsFacts? aws = null, string? apiServerVersion = null)
    {
        var snapshot = ClusterSnapshot.FromObjects(objects);
        snapshot.Aws = aws;
        snapshot.ApiServerVersion = apiServerVersion;
        return new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot);
    }

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
