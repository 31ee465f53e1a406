using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Evaluates one policy against one snapshot: scope, ownership, every enabled rule family, and
/// exemptions. Pure: the clock is injected and nothing here touches the network.
/// </summary>
public sealed class PolicyEvaluator(TimeProvider clock)
{
    /// <param name="cache">Findings of earlier evaluations of this policy (the operator passes one per policy; the scan none).</param>
    public PolicyEvaluation Evaluate(ResponsibilityPolicy policy, ClusterSnapshot snapshot, FindingsCache? cache = null)
    {
        var spec = policy.Spec;
        var now = clock.GetUtcNow();
        var scope = new PolicyScope(spec.Match);
        var exemptions = new Exemptions(spec.Exemptions, now);
        var plan = EnabledRules.For(spec, awsFacts: snapshot.Aws is not null);
        var resources = new List<ResourceEvaluation>();
        var namespacesInScope = new HashSet<string>(StringComparer.Ordinal);
        cache?.BeginEvaluation(policy);
        var liveKeys = cache is null ? null : new HashSet<string>(StringComparer.Ordinal);

        foreach (var workload in snapshot.Workloads)
        {
            if (!scope.IncludesKind(workload.Kind) || !scope.IncludesNamespace(workload.Namespace, snapshot)) continue;
            namespacesInScope.Add(workload.Namespace);
            if (plan.WorkloadRules.Count == 0 || snapshot.HasOwnerInScope(workload, scope.IncludesKind)) continue;

            var raw = cache?.TryGet(workload, snapshot);
            if (raw is null)
            {
                var collector = new FindingCollector();
                var context = new WorkloadContext(spec, snapshot, workload, now);
                foreach (var family in plan.WorkloadFamilies) family.EvaluateWorkload(context, collector);
                raw = collector.Complete(plan.WorkloadRules);
                cache?.Put(workload, snapshot, raw);
            }

            liveKeys?.Add(FindingsCache.KeyOf(workload));
            // Exemptions rewrite findings in place and depend on the clock: never on the cached list itself.
            var findings = exemptions.IsEmpty ? raw
                : exemptions.Apply([.. raw], workload.Namespace, workload.Metadata.Labels, workload.PodLabels, isWorkload: true);
            resources.Add(new ResourceEvaluation(
                new ResourceRef(workload.ApiVersion, workload.Kind, workload.Namespace, workload.Name) { Uid = workload.Metadata.Uid },
                workload.Source, findings));
        }

        if (plan.NamespaceRules.Count > 0)
        {
            foreach (var ns in snapshot.Namespaces)
            {
                var name = ns.Metadata?.Name;
                if (name is not null && scope.IncludesNamespace(name, snapshot)) namespacesInScope.Add(name);
            }

            foreach (var name in namespacesInScope.Order(StringComparer.Ordinal))
            {
                var collector = new FindingCollector();
                var context = new NamespaceContext(spec, snapshot, name, now);
                foreach (var family in plan.NamespaceFamilies) family.EvaluateNamespace(context, collector);
                var findings = exemptions.Apply(collector.Complete(plan.NamespaceRules), name, null, null, isWorkload: false);
                resources.Add(new ResourceEvaluation(
                    new ResourceRef("v1", "Namespace", null, name), snapshot.SourceOfNamespace(name), findings));
            }
        }

        List<Finding> clusterFindings = [];
        if (plan.ClusterRules.Count > 0)
        {
            var collector = new FindingCollector();
            var context = new ClusterContext(spec, snapshot, now);
            foreach (var family in plan.ClusterFamilies) family.EvaluateCluster(context, collector);
            clusterFindings = exemptions.Apply(collector.Complete(plan.ClusterRules), "", null, null, isWorkload: false);
        }

        if (liveKeys is not null) cache!.Retain(liveKeys);
        var usesAws = plan.WorkloadRules.Concat(plan.NamespaceRules).Concat(plan.ClusterRules).Any(r => r.RequiresAws);
        return new PolicyEvaluation(policy.Metadata?.Name ?? "", spec.Mode, resources, clusterFindings, exemptions.Expired)
        {
            EnabledRules = [.. plan.WorkloadRules, .. plan.NamespaceRules, .. plan.ClusterRules],
            AwsErrors = usesAws ? snapshot.Aws!.Errors.Distinct().ToList() : null,
            UndecidedNamespaces = [.. scope.UndecidedNamespaces],
        };
    }

    /// <summary>The rules and families one policy turns on, split by where their findings sit.</summary>
    private sealed record EnabledRules(
        IReadOnlyList<RuleDefinition> WorkloadRules,
        IReadOnlyList<IRuleFamily> WorkloadFamilies,
        IReadOnlyList<RuleDefinition> NamespaceRules,
        IReadOnlyList<IRuleFamily> NamespaceFamilies,
        IReadOnlyList<RuleDefinition> ClusterRules,
        IReadOnlyList<IRuleFamily> ClusterFamilies)
    {
        /// <param name="awsFacts">Whether AWS was consulted; rules that need it are off otherwise.</param>
        public static EnabledRules For(ResponsibilityPolicySpec spec, bool awsFacts)
        {
            List<RuleDefinition> workloadRules = [], namespaceRules = [], clusterRules = [];
            List<IRuleFamily> workloadFamilies = [], namespaceFamilies = [], clusterFamilies = [];
            foreach (var family in RuleCatalog.Families)
            {
                var enabled = family.EnabledRules(spec).Where(r => awsFacts || !r.RequiresAws).ToList();
                Add(enabled, RuleScope.Workload, workloadRules, workloadFamilies, family);
                Add(enabled, RuleScope.Namespace, namespaceRules, namespaceFamilies, family);
                Add(enabled, RuleScope.Cluster, clusterRules, clusterFamilies, family);
            }

            return new EnabledRules(workloadRules, workloadFamilies, namespaceRules, namespaceFamilies, clusterRules, clusterFamilies);
        }

        private static void Add(List<RuleDefinition> enabled, RuleScope scope, List<RuleDefinition> rules, List<IRuleFamily> families, IRuleFamily family)
        {
            var inScope = enabled.Where(r => r.Scope == scope).ToList();
            if (inScope.Count == 0) return;
            rules.AddRange(inScope);
            families.Add(family);
        }
    }
}
