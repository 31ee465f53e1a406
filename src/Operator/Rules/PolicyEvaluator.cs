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

        // Templates and pods without an owner in scope are resources; a pod with one is reported on its top owner.
        // A pooled array: as long as the cluster's workload list, it would otherwise be a large-object allocation per evaluation.
        var reported = ArrayPool<WorkloadView>.Shared.Rent(snapshot.Workloads.Count);
        var reportedCount = 0;
        Func<string, bool> kindInScopeOf = scope.IncludesKind;
        var podsByOwner = PodsByOwner.Rent();
        foreach (var workload in snapshot.Workloads)
        {
            var isPod = workload.Object is V1Pod;
            var kindInScope = scope.IncludesKind(workload.Kind);
            if ((!kindInScope && !isPod) || !scope.IncludesNamespace(workload.Namespace, snapshot)) continue;
            if (kindInScope) namespacesInScope.Add(workload.Namespace);
            if (plan.WorkloadRules.Count == 0) continue;
            if (snapshot.TopOwnerInScope(workload, kindInScopeOf) is { } owner)
            {
                // A pod is judged on its own spec as well as through its owner's template (kubectl debug, mutating webhooks).
                if (isPod) podsByOwner.Add(owner, workload);
                continue;
            }

            if (kindInScope) reported[reportedCount++] = workload;
        }

        // One growth to its size rather than a dozen: a resource per reported workload.
        resources.EnsureCapacity(reportedCount);
        List<(WorkloadView, List<Finding>)>? podFindings = null;
        var workloadCollector = new FindingCollector();
        WorkloadContext? workloadContext = null;
        foreach (var workload in reported.AsSpan(0, reportedCount))
        {
            var raw = cache?.TryGet(workload, snapshot);
            if (raw is null)
            {
                raw = Evaluate(ContextFor(workload), plan, workloadCollector);
                cache?.Put(workload, snapshot, raw);
            }

            if (!podsByOwner.IsEmpty && podsByOwner.First(workload) is var podIndex and >= 0)
            {
                // One list for every owner: merging reads it and keeps nothing of it.
                (podFindings ??= []).Clear();
                for (; podIndex >= 0; podIndex = podsByOwner.Next(podIndex))
                {
                    var pod = podsByOwner.Pod(podIndex);
                    var podRaw = cache?.TryGetPod(pod, workload, snapshot);
                    if (podRaw is null)
                    {
                        podRaw = Evaluate(ContextFor(WorkloadView.PodOf(pod, workload)), plan, workloadCollector);
                        // A pod that passes what its template passes has the very same (shared) pass findings: keep one list.
                        if (FindingsCache.SameItems(podRaw, raw)) podRaw = raw;
                        cache?.PutPod(pod, workload, snapshot, podRaw);
                    }

                    podFindings.Add((pod, podRaw));
                }

                raw = cache is null ? OwnerFindings.Merge(workload, raw, podFindings, plan.WorkloadRules) : cache.Merge(workload, raw, podFindings, plan.WorkloadRules);
            }

            // Exemptions depend on the clock: they rewrite a copy, never the cached list itself (which stays when none applies).
            var findings = exemptions.ApplyToShared(raw, workload.Namespace, workload.Metadata.Labels, workload.PodLabels, isWorkload: true);
            resources.Add(cache?.SettledWorkload(workload, findings) ?? Settle(new ResourceEvaluation(
                new ResourceRef(workload.ApiVersion, workload.Kind, workload.Namespace, workload.Name) { Uid = workload.Metadata.Uid },
                workload.Source, findings)
            {
                Notes = RemovedWorkloadApis.Note(workload.ApiVersion, workload.Kind) is { } note ? [note] : [],
            }, workload));
        }

        ArrayPool<WorkloadView>.Shared.Return(reported, clearArray: true);
        PodsByOwner.Return(podsByOwner);
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
                resources.Add(Settle(new ResourceEvaluation(
                    new ResourceRef("v1", "Namespace", null, name), snapshot.SourceOfNamespace(name), findings)));
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

        if (plan.ObjectRules.Count > 0)
        {
            var objectFindings = new ObjectFindings(plan.ObjectRules);
            var context = new ObjectContext(spec, snapshot, now, ns => scope.IncludesNamespace(ns, snapshot));
            foreach (var family in plan.ObjectFamilies) family.EvaluateObjects(context, objectFindings);
            foreach (var (obj, source, raw, notes) in objectFindings.Complete())
            {
                var (apiVersion, kind) = ObjectFindings.TypeOf(obj);
                var ns = obj.Metadata?.NamespaceProperty is { Length: > 0 } objectNamespace ? objectNamespace : null;
                // Namespaced objects are exempted by namespace; label selectors of exemptions select workloads only.
                var findings = exemptions.Apply(raw, ns ?? "", obj.Metadata?.Labels, null, isWorkload: false);
                resources.Add(Settle(new ResourceEvaluation(new ResourceRef(apiVersion, kind, ns, obj.Metadata?.Name ?? "") { Uid = obj.Metadata?.Uid }, source, findings)
                {
                    Notes = notes,
                }));
            }
        }

        cache?.Retain();
        var usesAws = plan.WorkloadRules.Concat(plan.NamespaceRules).Concat(plan.ClusterRules).Concat(plan.ObjectRules).Any(r => r.RequiresAws);
        return new PolicyEvaluation(policy.Metadata?.Name ?? "", spec.Mode, resources, clusterFindings, exemptions.Expired)
        {
            EnabledRules = [.. plan.WorkloadRules.Concat(plan.NamespaceRules).Concat(plan.ClusterRules).Concat(plan.ObjectRules).Distinct()],
            AwsErrors = usesAws ? snapshot.Aws!.Errors.Distinct().ToList() : null,
            UndecidedNamespaces = [.. scope.UndecidedNamespaces],
        };

        // One context for every workload: only the workload differs.
        WorkloadContext ContextFor(WorkloadView workload)
        {
            if (workloadContext is null) return workloadContext = new WorkloadContext(spec, snapshot, workload, now);
            workloadContext.Workload = workload;
            return workloadContext;
        }

        // Unchanged resources are handed on as the last evaluation's instances (see FindingsCache.Settle).
        ResourceEvaluation Settle(ResourceEvaluation fresh, WorkloadView? workload = null) => cache?.Settle(fresh, workload) ?? fresh;
    }

    /// <summary>Runs every enabled workload family on one template or pod; findings before exemptions, in rule order.</summary>
    /// <remarks>
    /// The list may be another workload's (<see cref="SharedFindings"/>): this path only reads it, merges into new
    /// lists and exempts copies.
    /// </remarks>
    /// <param name="collector">The evaluation's one collector for workloads, cleared here.</param>
    private static List<Finding> Evaluate(WorkloadContext context, EnabledRules plan, FindingCollector collector)
    {
        collector.Clear();
        // Indexed: a foreach over the interface may allocate an enumerator per workload.
        var families = plan.WorkloadFamilies;
        for (var i = 0; i < families.Count; i++) families[i].EvaluateWorkload(context, collector);
        return collector.CompleteShared(plan.WorkloadRules, plan.WorkloadPasses);
    }

    /// <summary>The rules and families one policy turns on, split by where their findings sit.</summary>
    private sealed record EnabledRules(
        IReadOnlyList<RuleDefinition> WorkloadRules,
        IReadOnlyList<IRuleFamily> WorkloadFamilies,
        IReadOnlyList<RuleDefinition> NamespaceRules,
        IReadOnlyList<IRuleFamily> NamespaceFamilies,
        IReadOnlyList<RuleDefinition> ClusterRules,
        IReadOnlyList<IRuleFamily> ClusterFamilies,
        IReadOnlyList<RuleDefinition> ObjectRules,
        IReadOnlyList<IRuleFamily> ObjectFamilies)
    {
        /// <summary>The pass of each workload rule, in order.</summary>
        public Finding[] WorkloadPasses { get; } = FindingCollector.PassesOf(WorkloadRules);

        /// <param name="awsFacts">Whether AWS was consulted; rules that need it are off otherwise.</param>
        public static EnabledRules For(ResponsibilityPolicySpec spec, bool awsFacts)
        {
            List<RuleDefinition> workloadRules = [], namespaceRules = [], clusterRules = [], objectRules = [];
            List<IRuleFamily> workloadFamilies = [], namespaceFamilies = [], clusterFamilies = [], objectFamilies = [];
            foreach (var family in RuleCatalog.Families)
            {
                var enabled = family.EnabledRules(spec).Where(r => awsFacts || !r.RequiresAws).ToList();
                Add(enabled, RuleScope.Workload, workloadRules, workloadFamilies, family);
                Add(enabled, RuleScope.Namespace, namespaceRules, namespaceFamilies, family);
                Add(enabled, RuleScope.Cluster, clusterRules, clusterFamilies, family);
                Add(enabled, RuleScope.Object, objectRules, objectFamilies, family);
            }

            return new EnabledRules(workloadRules, workloadFamilies, namespaceRules, namespaceFamilies, clusterRules, clusterFamilies, objectRules, objectFamilies);
        }

        private static void Add(List<RuleDefinition> enabled, RuleScope scope, List<RuleDefinition> rules, List<IRuleFamily> families, IRuleFamily family)
        {
            // A rule that also judges workloads (encryption.volumes) is in both its own scope's plan and the workloads'.
            var inScope = enabled.Where(r => r.Scope == scope || (scope == RuleScope.Workload && r.AlsoOnWorkloads)).ToList();
            if (inScope.Count == 0) return;
            rules.AddRange(inScope);
            families.Add(family);
        }
    }
}
