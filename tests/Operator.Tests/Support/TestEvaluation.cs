namespace EksHardening.Operator.Tests.Support;

/// <summary>Builds policies and objects from YAML and evaluates them at a fixed instant.</summary>
internal static class TestEvaluation
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A policy named "test" whose spec is the given YAML (indentation-free block, e.g. "podSecurity: {level: restricted}").</summary>
    public static ResponsibilityPolicy Policy(string specYaml)
    {
        var policy = new ResponsibilityPolicy
        {
            Metadata = new() { Name = "test", Generation = 1 },
            Spec = KubernetesYaml.Deserialize<ResponsibilityPolicySpec>(specYaml),
        };
        return policy;
    }

    /// <summary>Parses every YAML document into its typed Kubernetes model (by apiVersion/kind), as the scan does.</summary>
    public static List<object> Objects(string yaml)
    {
        var set = new ManifestSet();
        ManifestReader.ReadText(yaml, "test.yaml", set);
        return set.Objects.Select(o => o.Object).ToList();
    }

    /// <remarks>
    /// Every evaluation is also run on the objects as the operator's informers cache them (<see cref="CacheTrimming"/>),
    /// and must find the same: so every rule test also checks that trimming keeps what its rule reads.
    /// </remarks>
    /// <param name="aws">The AWS facts, as the collector would have gathered them; null: AWS not consulted (its rules are off).</param>
    public static PolicyEvaluation Evaluate(ResponsibilityPolicy policy, IEnumerable<object> objects, AwsFacts? aws = null)
    {
        var list = objects.ToList();
        var snapshot = ClusterSnapshot.FromObjects(list);
        snapshot.Aws = aws;
        var evaluation = new PolicyEvaluator(new FixedClock(Now)).Evaluate(policy, snapshot);
        var trimming = new CacheTrimming();
        var trimmed = ClusterSnapshot.FromObjects(list.Select(o => TrimmedCopy(o, trimming)));
        trimmed.Aws = aws;
        var cached = new PolicyEvaluator(new FixedClock(Now)).Evaluate(policy, trimmed);
        Assert.Equal(Describe(evaluation), Describe(cached));
        return evaluation;
    }

    private static List<string> Describe(PolicyEvaluation evaluation) =>
        [.. evaluation.Resources.SelectMany(r => r.Findings.Select(f => $"{r.Resource}: {f.Rule.Id} {f.Result} {f.Message} at {f.Path}")),
         .. evaluation.ClusterFindings.Select(f => $"cluster: {f.Rule.Id} {f.Result} {f.Message}")];

    private static object TrimmedCopy(object obj, CacheTrimming trimming) => obj switch
    {
        V1Pod pod => trimming.Trim(Copy(pod)),
        V1Deployment deployment => trimming.Trim(Copy(deployment)),
        V1StatefulSet statefulSet => trimming.Trim(Copy(statefulSet)),
        V1DaemonSet daemonSet => trimming.Trim(Copy(daemonSet)),
        V1ReplicaSet replicaSet => trimming.Trim(Copy(replicaSet)),
        V1Job job => trimming.Trim(Copy(job)),
        V1CronJob cronJob => trimming.Trim(Copy(cronJob)),
        V1ReplicationController controller => trimming.Trim(Copy(controller)),
        V1PodTemplate template => trimming.Trim(Copy(template)),
        V1Namespace ns => trimming.Trim(Copy(ns)),
        V1NetworkPolicy networkPolicy => trimming.Trim(Copy(networkPolicy)),
        V1ServiceAccount account => trimming.Trim(Copy(account)),
        _ => obj,
    };

    private static T Copy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    public static PolicyEvaluation Evaluate(string policySpecYaml, string objectsYaml, AwsFacts? aws = null) =>
        Evaluate(Policy(policySpecYaml), Objects(objectsYaml), aws);

    /// <summary>The findings of one resource (by kind and name), failing the test when it is absent.</summary>
    public static IReadOnlyList<Finding> FindingsOf(this PolicyEvaluation evaluation, string kind, string name)
    {
        var resource = evaluation.Resources.SingleOrDefault(r => r.Resource.Kind == kind && r.Resource.Name == name);
        Assert.True(resource is not null, $"{kind} {name} is not among the evaluated resources: {string.Join(", ", evaluation.Resources.Select(r => r.Resource))}");
        return resource.Findings;
    }

    /// <summary>Findings of one rule on one resource.</summary>
    public static IReadOnlyList<Finding> Of(this IReadOnlyList<Finding> findings, string ruleId) =>
        findings.Where(f => f.Rule.Id == ruleId).ToList();

    public static FindingResult ResultOf(this PolicyEvaluation evaluation, string kind, string name, string ruleId)
    {
        var findings = evaluation.FindingsOf(kind, name).Of(ruleId);
        Assert.True(findings.Count > 0, $"rule {ruleId} produced no finding on {kind} {name}");
        return findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail
            : findings.Any(f => f.Result == FindingResult.Error) ? FindingResult.Error
            : findings.Any(f => f.Result == FindingResult.Exempt) ? FindingResult.Exempt
            : FindingResult.Pass;
    }

    /// <summary>The acceptance bar of a family's case table: every rule has a passing and at least two failing cases.</summary>
    public static void AssertEveryRuleHasAPassAndTwoFailures(IRuleFamily family, IEnumerable<(string Rule, FindingResult Expected)> cases)
    {
        var table = cases.ToList();
        foreach (var rule in family.Rules)
        {
            Assert.True(table.Contains((rule.Id, FindingResult.Pass)), $"{rule.Id} has no passing case");
            Assert.True(table.Count(c => c == (rule.Id, FindingResult.Fail)) >= 2, $"{rule.Id} has fewer than two failing cases");
        }
    }

    /// <summary>
    /// The bar of a family that reads AWS facts: a pass and two fails per rule, and an error for each, since a fact that
    /// could not be learned is an error, never a pass.
    /// </summary>
    public static void AssertEveryRuleHasAPassTwoFailuresAndAnError(IRuleFamily family, IEnumerable<(string Rule, FindingResult Expected)> cases)
    {
        var table = cases.ToList();
        AssertEveryRuleHasAPassAndTwoFailures(family, table);
        foreach (var rule in family.Rules)
        {
            Assert.True(table.Contains((rule.Id, FindingResult.Error)), $"{rule.Id} has no case of an unlearned fact (error)");
        }
    }
}

/// <summary>A clock stuck at one instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
