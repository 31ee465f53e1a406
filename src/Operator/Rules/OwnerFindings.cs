namespace EksHardening.Operator.Rules;

/// <summary>
/// Merges the findings of a workload's running pods into the findings of its template, so that each top owner is
/// reported once. Pods are defaulted and mutated at admission (webhook-injected sidecars and init containers,
/// <c>kubectl debug</c>'s ephemeral containers), so findings are compared rather than specs: by rule and by the field
/// they concern, with containers and volumes named rather than indexed. A pod's fail or error that the template does
/// not already have at least as badly is added, naming the pod ("pod web-7d9f-abc: ephemeral container debugger:
/// securityContext.privileged is true"); the worst result wins. A template finding that rests on a label whose value is
/// only known at run time gives way to the pods, whose labels are known.
/// </summary>
public static class OwnerFindings
{
    /// <param name="template">The template's findings (before exemptions), in rule order.</param>
    /// <param name="pods">Each pod reported on the owner, with its findings; replicas with the same findings may share one list.</param>
    /// <param name="rules">The enabled workload rules, in the order findings are listed.</param>
    public static List<Finding> Merge(
        WorkloadView owner,
        List<Finding> template,
        IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods,
        IReadOnlyList<RuleDefinition> rules) =>
        pods.Count == 0 || AddsNothing(template, pods) ? template : MergeFindings(owner, template, pods, rules);

    /// <summary>As <see cref="Merge"/>, for a caller that has found already that the pods may add something.</summary>
    internal static List<Finding> MergeFindings(
        WorkloadView owner,
        List<Finding> template,
        IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods,
        IReadOnlyList<RuleDefinition> rules)
    {
        var merged = new List<Finding>(template.Count + 4);
        var covered = new Dictionary<(RuleDefinition Rule, string Field), int>();
        var droppedRules = new HashSet<RuleDefinition>();
        foreach (var finding in template)
        {
            if (finding.RestsOnRunTimeLabels)
            {
                droppedRules.Add(finding.Rule);
                continue;
            }

            merged.Add(finding);
            Cover(covered, (finding.Rule, FieldOf(owner, finding.Path)), finding.Result);
        }

        var passes = new Dictionary<RuleDefinition, Finding>();
        var seen = new HashSet<List<Finding>>(ReferenceEqualityComparer.Instance);
        foreach (var (pod, findings) in pods.OrderBy(p => p.Pod.Metadata.Name, StringComparer.Ordinal))
        {
            // Identical replicas share their findings (the findings cache): the first of them, by name, stands for all.
            if (!seen.Add(findings)) continue;
            foreach (var finding in findings)
            {
                if (finding.Result == FindingResult.Pass)
                {
                    passes.TryAdd(finding.Rule, finding);
                    continue;
                }

                var key = (finding.Rule, FieldOf(pod, finding.Path));
                if (covered.TryGetValue(key, out var rank) && rank >= Rank(finding.Result)) continue;
                Cover(covered, key, finding.Result);
                var name = pod.Metadata.Name;
                merged.Add(finding with
                {
                    Message = $"pod {name}: {finding.Message}",
                    Path = finding.Path is null ? $"Pod {name}" : $"Pod {name} {finding.Path}",
                });
            }
        }

        // Pods that only repeat the template's failures (a failing template's replicas): the template's list stands.
        if (droppedRules.Count == 0 && merged.Count == template.Count) return template;

        // A rule whose template verdict gave way to the pods, and that no pod fails, passes on the pods' word.
        foreach (var rule in droppedRules)
        {
            if (!merged.Any(f => ReferenceEquals(f.Rule, rule)) && passes.TryGetValue(rule, out var pass)) merged.Add(pass);
        }

        // A rule that fails through a pod no longer passes; findings stay in rule order (template first within a rule).
        var failing = merged.Where(f => f.Result != FindingResult.Pass).Select(f => f.Rule).ToHashSet();
        var order = new Dictionary<RuleDefinition, int>(rules.Count);
        for (var i = 0; i < rules.Count; i++) order[rules[i]] = i;
        return merged.Where(f => f.Result != FindingResult.Pass || !failing.Contains(f.Rule))
            .Select((f, i) => (Finding: f, Index: i))
            .OrderBy(x => order.GetValueOrDefault(x.Finding.Rule, int.MaxValue)).ThenBy(x => x.Index)
            .Select(x => x.Finding)
            .ToList();
    }

    /// <summary>
    /// The common case, decided without allocating: no pod fails or errs anywhere and no template verdict waits for the
    /// pods, so the template's findings stand as they are (replicas share their findings list, so it is read once).
    /// </summary>
    internal static bool AddsNothing(List<Finding> template, IReadOnlyList<(WorkloadView Pod, List<Finding> Findings)> pods)
    {
        foreach (var finding in template)
        {
            if (finding.RestsOnRunTimeLabels) return false;
        }

        // By index: the list comes as an interface, whose enumerator would be boxed for every owner at every evaluation.
        List<Finding>? checkedList = null;
        for (var i = 0; i < pods.Count; i++)
        {
            var findings = pods[i].Findings;
            if (ReferenceEquals(findings, checkedList) || ReferenceEquals(findings, template)) continue;
            foreach (var finding in findings)
            {
                if (finding.Result != FindingResult.Pass) return false;
            }

            checkedList = findings;
        }

        return true;
    }

    /// <summary>Fail beats error beats everything else, when comparing one field's findings.</summary>
    private static int Rank(FindingResult result) => result switch
    {
        FindingResult.Fail => 2,
        FindingResult.Error => 1,
        _ => 0,
    };

    private static void Cover(Dictionary<(RuleDefinition, string), int> covered, (RuleDefinition, string) key, FindingResult result)
    {
        var rank = Rank(result);
        if (rank > 0 && (!covered.TryGetValue(key, out var existing) || existing < rank)) covered[key] = rank;
    }

    /// <summary>
    /// The field a finding concerns, the same for a template and its pods: relative to the pod spec or pod metadata,
    /// with containers and volumes named, e.g. <c>spec.initContainers{istio-init}.securityContext.capabilities.add</c>.
    /// Paths outside the workload (a NetworkPolicy's rule) are kept as they are.
    /// </summary>
    public static string FieldOf(WorkloadView view, string? path)
    {
        if (path is null) return "";
        var specPrefix = view.PodSpecPath + ".";
        if (path.StartsWith(specPrefix, StringComparison.Ordinal)) return "spec." + NameListEntries(view, path[specPrefix.Length..]);
        var metadataPrefix = view.PodSpecPath[..^"spec".Length] + "metadata";
        if (path.StartsWith(metadataPrefix, StringComparison.Ordinal)) return "metadata" + path[metadataPrefix.Length..];
        return path;
    }

    private static string NameListEntries(WorkloadView view, string rest)
    {
        var spec = view.PodSpec;
        return Named(rest, "initContainers[", i => spec.InitContainers?.ElementAtOrDefault(i)?.Name)
            ?? Named(rest, "containers[", i => spec.Containers?.ElementAtOrDefault(i)?.Name)
            ?? Named(rest, "ephemeralContainers[", i => spec.EphemeralContainers?.ElementAtOrDefault(i)?.Name)
            ?? Named(rest, "volumes[", i => spec.Volumes?.ElementAtOrDefault(i)?.Name)
            ?? rest;
    }

    /// <summary><c>containers[1].x</c> → <c>containers{name}.x</c> when <paramref name="rest"/> starts with the list; else null.</summary>
    private static string? Named(string rest, string list, Func<int, string?> nameAt)
    {
        if (!rest.StartsWith(list, StringComparison.Ordinal)) return null;
        var close = rest.IndexOf(']', list.Length);
        if (close < 0 || !int.TryParse(rest.AsSpan(list.Length, close - list.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)) return null;
        var name = nameAt(index);
        return name is null ? null : $"{list[..^1]}{{{name}}}{rest[(close + 1)..]}";
    }
}
