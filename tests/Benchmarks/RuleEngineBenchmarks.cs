using BenchmarkDotNet.Attributes;

namespace EksHardening.Benchmarks;

/// <summary>
/// Evaluation throughput of the full rule set (every duty of the example policy switched on, PSS at
/// restricted) over pod templates. Each operation is one pod template: the reported mean is the
/// time per template, so templates per second = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
public class RuleEngineBenchmarks
{
    private const int Templates = 10_000;

    /// <summary>Share of workloads that break most rules: 0 (a compliant cluster), 0.1, 0.5 (every failure path).</summary>
    [Params(0.0, 0.1, 0.5)]
    public double ViolatingShare { get; set; }

    private ResponsibilityPolicy _policy = null!;
    private ClusterSnapshot _snapshot = null!;
    private PolicyEvaluator _evaluator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = new ResponsibilityPolicy
        {
            Metadata = new() { Name = "bench" },
            Spec = KubernetesYaml.Deserialize<ResponsibilityPolicySpec>("""
                match: {namespaceSelector: {matchLabels: {env: prod}}, excludeNamespaces: [kube-system]}
                imageScanning: {allowedRegistries: ["*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/eks-distro/**"], disallowLatestTag: true, requireDigest: true}
                networkPolicies: {requireDefaultDeny: [Ingress, Egress], requirePodCoverage: true, blockInstanceMetadata: true}
                irsa: {disallowDefaultServiceAccount: true, requireAutomountDisabledWithoutRole: true, disallowSharedRoles: true}
                podSecurity: {level: restricted, requireResourceLimits: true, requireReadOnlyRootFilesystem: true, requireNamespaceLabel: true}
                exemptions:
                - {name: legacy, namespaces: [team-3], images: ["docker.io/library/nginx:*"], rules: ["image.*"], reason: bench, expires: "2030-01-01T00:00:00Z"}
                """),
        };
        _snapshot = SyntheticCluster.Build(Templates, namespaceCount: 200, ViolatingShare);
        _evaluator = new PolicyEvaluator(TimeProvider.System);
    }

    [Benchmark(OperationsPerInvoke = Templates, Description = "full rule set, per pod template")]
    public int EvaluateFullRuleSet() => _evaluator.Evaluate(_policy, _snapshot).Resources.Count;
}
