using EksHardening.Entities;

namespace EksHardening.Operator.Rules;

/// <summary>
/// Evaluates one policy against one snapshot: scope, ownership, every enabled rule family, and
/// exemptions. Pure: the clock is injected and nothing here touches the network.
/// </summary>
public sealed class PolicyEvaluator(TimeProvider clock)
{
    public PolicyEvaluation Evaluate(ResponsibilityPolicy policy, ClusterSnapshot snapshot)
    {
        var spec = policy.Spec;
        var now = clock.GetUtcNow();
        var scope = new PolicyScope(spec.Match);
        var exemptions = new Exemptions(spec.Exemptions, now);
        var plan = EnabledRules.For(spec);
        var resources = new List<ResourceEvaluation>();
        var namespacesInScope = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var workload in snapshot.Workloads)
        {
            if (!scope.IncludesKind(workload.Kind) || !scope.IncludesNamespace(workload.Namespace, snapshot)) continue;
            namespacesInScope.Add(workload.Namespace);
            if (plan.WorkloadRules.Count == 0 || snapshot.HasOwnerInScope(workload, scope.IncludesKind)) continue;

            var collector = new FindingCollector();
            var context = new WorkloadContext(spec, snapshot, workload, now);
            foreach (var family in plan.WorkloadFamilies) family.EvaluateWorkload(context, collector);
            var findings = exemptions.Apply(collector.Complete(plan.WorkloadRules), workload.Namespace, workload.Metadata.Labels, workload.PodLabels, isWorkload: true);
            resources.Add(new ResourceEvaluation(
                new ResourceRef(workload.ApiVersion, workload.Kind, workload.Namespace, workload.Name), workload.Source, findings));
        }

        if (plan.NamespaceRules.Count > 0)
        {
            foreach (var ns in snapshot.Namespaces)
            {
                var name = ns.Metadata?.Name;
                if (name is not null && scope.IncludesNamespace(name, snapshot)) namespacesInScope.Add(name);
            }

            foreach (var name in namespacesInScope)
            {
                var collector = new FindingCollector();
                var context = new NamespaceContext(spec, snapshot, name, now);
                foreach (var family in plan.NamespaceFamilies) family.EvaluateNamespace(context, collector);
                var findings = exemptions.Apply(collector.Complete(plan.NamespaceRules), name, null, null, isWorkload: false);
                resources.Add(new ResourceEvaluation(
                    new ResourceRef("v1", "Namespace", null, name), snapshot.SourceOfNamespace(name), findings));
            }
        }

        return new PolicyEvaluation(policy.Metadata?.Name ?? "", spec.Mode, resources, [], exemptions.Expired);
    }

    /// <summary>The rules and families one policy turns on, split by where their findings sit.</summary>
    private sealed record EnabledRules(
        IReadOnlyList<RuleDefinition> WorkloadRules,
        IReadOnlyList<IRuleFamily> WorkloadFamilies,
        IReadOnlyList<RuleDefinition> NamespaceRules,
        IReadOnlyList<IRuleFamily> NamespaceFamilies)
    {
        public static EnabledRules For(ResponsibilityPolicySpec spec)
        {
            List<RuleDefinition> workloadRules = [], namespaceRules = [];
            List<IRuleFamily> workloadFamilies = [], namespaceFamilies = [];
            foreach (var family in RuleCatalog.Families)
            {
                var enabled = family.EnabledRules(spec);
                var workload = enabled.Where(r => r.Scope == RuleScope.Workload).ToList();
                var ns = enabled.Where(r => r.Scope == RuleScope.Namespace).ToList();
                if (workload.Count > 0) { workloadRules.AddRange(workload); workloadFamilies.Add(family); }
                if (ns.Count > 0) { namespaceRules.AddRange(ns); namespaceFamilies.Add(family); }
            }

            return new EnabledRules(workloadRules, workloadFamilies, namespaceRules, namespaceFamilies);
        }
    }
}
