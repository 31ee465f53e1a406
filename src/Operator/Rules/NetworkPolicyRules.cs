namespace EksHardening.Operator.Rules;

/// <summary>Network isolation: default-deny per namespace, pod coverage and IMDS blocking (<c>network.*</c>).</summary>
public sealed class NetworkPolicyRules : IRuleFamily
{
    public static readonly RuleDefinition DefaultDenyIngress = new(
        "network.default-deny-ingress",
        "The namespace has a NetworkPolicy that denies all ingress by default",
        ResponsibilityRow.NetworkSecurity,
        Severity.Medium,
        RuleScope.Namespace,
        "networkPolicies.requireDefaultDeny",
        "Create the NetworkPolicy default-deny-ingress in the namespace (spec: {podSelector: {}, policyTypes: [Ingress]}, no ingress rules) "
        + "and admit the traffic pods need with narrower policies; with networkPolicies.remediate in Enforce mode the operator creates it.");

    public static readonly RuleDefinition DefaultDenyEgress = new(
        "network.default-deny-egress",
        "The namespace has a NetworkPolicy that denies all egress by default",
        ResponsibilityRow.NetworkSecurity,
        Severity.Medium,
        RuleScope.Namespace,
        "networkPolicies.requireDefaultDeny",
        "Create the NetworkPolicy default-deny-egress in the namespace (spec: {podSelector: {}, policyTypes: [Egress]}, no egress rules) "
        + "and admit the traffic pods need (DNS first) with narrower policies; with networkPolicies.remediate in Enforce mode the operator creates it.");

    public static readonly RuleDefinition PodIsolated = new(
        "network.pod-isolated",
        "The pods are selected by a NetworkPolicy of each required policy type",
        ResponsibilityRow.NetworkSecurity,
        Severity.Medium,
        RuleScope.Workload,
        "networkPolicies.requirePodCoverage",
        "Select the pods with a NetworkPolicy whose policyTypes include each required direction: a namespace default-deny policy "
        + "(podSelector: {}) covers every pod; host-network pods cannot be isolated by NetworkPolicy, so run them without hostNetwork.");

    public static readonly RuleDefinition InstanceMetadataBlocked = new(
        "network.imds-blocked",
        "Egress from the pods to the EC2 instance metadata service (169.254.169.254) is denied",
        ResponsibilityRow.NetworkSecurity,
        Severity.High,
        RuleScope.Workload,
        "networkPolicies.blockInstanceMetadata",
        "Isolate the pods' egress (a default-deny-egress NetworkPolicy) and keep every egress rule from admitting 169.254.169.254: "
        + "add `except: [169.254.169.254/32]` to broad ipBlocks such as 0.0.0.0/0, or use podSelector/namespaceSelector peers. "
        + "Host-network pods bypass NetworkPolicy: set the nodes' IMDS hop limit to 1 with IMDSv2 required.");

    private static readonly TrafficDirection[] Directions = [TrafficDirection.Ingress, TrafficDirection.Egress];
    private static readonly TrafficDirection[] IngressOnly = [TrafficDirection.Ingress];
    private static readonly TrafficDirection[] EgressOnly = [TrafficDirection.Egress];
    private static readonly TrafficDirection[] NoDirections = [];

    /// <summary>The instance metadata service as messages name it: 169.254.169.254:80/TCP.</summary>
    private static readonly string InstanceMetadataTarget =
        $"{NetworkPolicySemantics.InstanceMetadataAddress}:{NetworkPolicySemantics.InstanceMetadataPort}/{NetworkPolicySemantics.DefaultProtocol}";
    private const int MaxNearMisses = 3;

    public IReadOnlyList<RuleDefinition> Rules { get; } = [DefaultDenyIngress, DefaultDenyEgress, PodIsolated, InstanceMetadataBlocked];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.NetworkPolicies is not { } duty) return [];
        var enabled = new List<RuleDefinition>(4);
        if (duty.RequireDefaultDeny?.Contains(TrafficDirection.Ingress) == true) enabled.Add(DefaultDenyIngress);
        if (duty.RequireDefaultDeny?.Contains(TrafficDirection.Egress) == true) enabled.Add(DefaultDenyEgress);
        if (duty.RequirePodCoverage == true) enabled.Add(PodIsolated);
        if (duty.BlockInstanceMetadata == true) enabled.Add(InstanceMetadataBlocked);
        return enabled;
    }

    public void EvaluateNamespace(NamespaceContext context, FindingCollector findings)
    {
        if (context.Policy.NetworkPolicies?.RequireDefaultDeny is not { Count: > 0 } required) return;
        var policies = context.Snapshot.NetworkPoliciesIn(context.Name);
        foreach (var direction in Directions)
        {
            if (!required.Contains(direction) || policies.Any(p => NetworkPolicySemantics.IsDefaultDeny(p, direction))) continue;
            var rule = direction == TrafficDirection.Ingress ? DefaultDenyIngress : DefaultDenyEgress;
            findings.Fail(rule, MissingDefaultDenyMessage(context.Name, direction, policies));
        }
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        if (context.Policy.NetworkPolicies is not { } duty) return;
        var workload = context.Workload;
        var policies = context.Snapshot.NetworkPoliciesIn(workload.Namespace);
        // One for both rules; for a controller's template the view keeps it (the controllers' labels added).
        var labels = workload.PodSpec.HostNetwork == true ? null : workload.SelectorLabels();
        if (duty.RequirePodCoverage == true) EvaluateCoverage(workload, labels, policies, RequiredDirections(duty), findings);
        if (duty.BlockInstanceMetadata == true) EvaluateInstanceMetadata(workload, labels, policies, findings);
    }

    /// <summary>The directions pod coverage requires: those of requireDefaultDeny, or Ingress when it names none.</summary>
    internal static IReadOnlyList<TrafficDirection> RequiredDirections(NetworkPolicyDuty duty)
    {
        if (duty.RequireDefaultDeny is not { Count: > 0 } listed) return IngressOnly;
        // In the order of Directions, as shared arrays: this runs for every template.
        return (listed.Contains(TrafficDirection.Ingress), listed.Contains(TrafficDirection.Egress)) switch
        {
            (true, true) => Directions,
            (true, false) => IngressOnly,
            (false, true) => EgressOnly,
            _ => NoDirections,
        };
    }

    private static void EvaluateCoverage(WorkloadView workload, IDictionary<string, string>? labels, IReadOnlyList<V1NetworkPolicy> policies,
        IReadOnlyList<TrafficDirection> required, FindingCollector findings)
    {
        if (workload.PodSpec.HostNetwork == true)
        {
            findings.Fail(
                PodIsolated,
                $"pods of {workload} use hostNetwork: NetworkPolicy does not apply to host-network pods, so they cannot be isolated",
                SharedText.Concat(workload.PodSpecPath, ".hostNetwork"));
            return;
        }

        List<TrafficDirection>? missing = null;
        for (var i = 0; i < required.Count; i++)
        {
            if (!NetworkPolicySemantics.IsIsolated(policies, labels, required[i])) (missing ??= new List<TrafficDirection>(required.Count)).Add(required[i]);
        }

        if (missing is null) return;
        var (types, traffic) = DescribeDirections(missing);
        var undecided = NetworkPolicySemantics.UndecidedSelections(policies, labels, missing);
        Fail(findings, undecided.Count > 0,
            PodIsolated,
            $"pods of {workload} ({DescribeLabels(labels)}) are not selected by any NetworkPolicy with {types} in its policyTypes "
            + $"in namespace {workload.Namespace}, so all their {traffic} traffic is allowed{UndecidedNote(undecided, labels)}",
            PodLabelsPath(workload));
    }

    /// <summary>"Ingress or Egress" and "ingress and egress": constants for the directions there are, not joined per pod.</summary>
    private static (string Types, string Traffic) DescribeDirections(List<TrafficDirection> missing) => missing switch
    {
        [TrafficDirection.Ingress] => ("Ingress", "ingress"),
        [TrafficDirection.Egress] => ("Egress", "egress"),
        [TrafficDirection.Ingress, TrafficDirection.Egress] => ("Ingress or Egress", "ingress and egress"),
        _ => (string.Join(" or ", missing), string.Join(" and ", missing.Select(d => d.ToString().ToLowerInvariant()))),
    };

    private static void EvaluateInstanceMetadata(WorkloadView workload, IDictionary<string, string>? labels, IReadOnlyList<V1NetworkPolicy> policies, FindingCollector findings)
    {
        var target = InstanceMetadataTarget;
        if (workload.PodSpec.HostNetwork == true)
        {
            findings.Fail(
                InstanceMetadataBlocked,
                $"pods of {workload} use hostNetwork: NetworkPolicy does not apply to host-network pods, so it cannot deny their egress to the instance metadata service {target}",
                SharedText.Concat(workload.PodSpecPath, ".hostNetwork"));
            return;
        }

        var verdict = NetworkPolicySemantics.EvaluateFlow(
            policies,
            labels,
            TrafficDirection.Egress,
            NetworkPolicySemantics.InstanceMetadataAddress,
            NetworkPolicySemantics.DefaultProtocol,
            NetworkPolicySemantics.InstanceMetadataPort);

        if (!verdict.Isolated)
        {
            Fail(findings, verdict.Undecided.Count > 0,
                InstanceMetadataBlocked,
                $"no NetworkPolicy with Egress in its policyTypes selects the pods of {workload} ({DescribeLabels(labels)}), "
                + $"so all their egress is allowed, including the instance metadata service {target}{UndecidedNote(verdict.Undecided, labels)}",
                PodLabelsPath(workload));
        }

        foreach (var match in verdict.AdmittedBy)
        {
            var name = PolicyName(match.Policy);
            var condition = match.SelectionUnknown
                ? $" if it selects them, which is only known at run time: its podSelector compares {string.Join(", ", LabelSelectors.KeysSetAtRunTime(match.Policy.Spec?.PodSelector, labels))}, whose value is set when the pod is created"
                : "";
            Fail(findings, match.SelectionUnknown,
                InstanceMetadataBlocked,
                $"{name} {match.Path} admits egress from the pods of {workload} to the instance metadata service {target} "
                + $"({DescribePeer(match)}; {DescribePort(match)}){condition}",
                $"{name} {match.Path}");
        }

        foreach (var malformed in verdict.Malformed)
        {
            var name = PolicyName(malformed.Policy);
            var message = $"{name} {malformed.Path} \"{malformed.Value}\" is not a valid CIDR: cannot tell whether the policy admits egress "
                + $"from the pods of {workload} to the instance metadata service {target}";
            if (verdict.Undecided.Contains(malformed.Policy)) findings.ErrorUntilRunTime(InstanceMetadataBlocked, message, $"{name} {malformed.Path}");
            else findings.Error(InstanceMetadataBlocked, message, $"{name} {malformed.Path}");
        }
    }

    private static void Fail(FindingCollector findings, bool restsOnRunTimeLabels, RuleDefinition rule, string message, string path)
    {
        if (restsOnRunTimeLabels) findings.FailUntilRunTime(rule, message, path);
        else findings.Fail(rule, message, path);
    }

    /// <summary>Why policies that may select the pods were not counted: they compare a label whose value is set at run time.</summary>
    private static string UndecidedNote(IReadOnlyList<V1NetworkPolicy> undecided, IDictionary<string, string>? labels)
    {
        if (undecided.Count == 0) return "";
        var notes = undecided.Select(p =>
            $"{PolicyName(p)} compares {string.Join(", ", LabelSelectors.KeysSetAtRunTime(p.Spec?.PodSelector, labels))}");
        return $" ({string.Join("; ", notes)}: a label whose value is only known at run time, when the pod is created, "
            + "so whether the policy selects these pods cannot be decided and it is not counted)";
    }

    private static string MissingDefaultDenyMessage(string ns, TrafficDirection direction, IReadOnlyList<V1NetworkPolicy> policies)
    {
        var field = NetworkPolicySemantics.RulesField(direction);
        var message = new StringBuilder()
            .Append($"namespace {ns} has no default-deny {direction} NetworkPolicy (podSelector: {{}}, {direction} in policyTypes, no {field} rules)");
        if (policies.Count == 0) return message.Append(": it has no NetworkPolicy at all").ToString();

        var notes = new List<string>(MaxNearMisses);
        foreach (var policy in policies)
        {
            if (notes.Count == MaxNearMisses) break;
            var name = policy.Metadata?.Name ?? "(unnamed)";
            if (!NetworkPolicySemantics.SelectsAllPods(policy))
            {
                notes.Add($"{name} selects only some pods");
            }
            else if (!NetworkPolicySemantics.AppliesTo(policy, direction))
            {
                var effective = $"[{string.Join(", ", NetworkPolicySemantics.EffectivePolicyTypes(policy))}]";
                notes.Add(policy.Spec?.PolicyTypes is { Count: > 0 }
                    ? $"{name} has policyTypes {effective}"
                    : $"{name} has no policyTypes, which defaults to {effective}");
            }
            else
            {
                var count = NetworkPolicySemantics.RuleCount(policy, direction);
                notes.Add($"{name} selects all pods but has {count} {field} rule{(count == 1 ? "" : "s")}");
            }
        }

        message.Append("; ").AppendJoin("; ", notes);
        if (policies.Count > notes.Count) message.Append($"; and {policies.Count - notes.Count} more");
        return message.ToString();
    }

    private static string PolicyName(V1NetworkPolicy policy) =>
        $"NetworkPolicy {ClusterSnapshot.NamespaceOf(policy.Metadata)}/{policy.Metadata?.Name}";

    private static string DescribePeer(NetworkPolicyRuleMatch match)
    {
        if (match.PeerIndex is not { } index) return "to: any destination";
        var block = match.Policy.Spec?.Egress?[match.RuleIndex]?.To?[index]?.IpBlock;
        var except = block?.Except is { Count: > 0 } list ? $" except {string.Join(", ", list)}" : "";
        return $"to[{index}]: ipBlock {block?.Cidr}{except}";
    }

    private static string DescribePort(NetworkPolicyRuleMatch match)
    {
        if (match.PortIndex is not { } index) return "ports: any";
        var port = match.Policy.Spec?.Egress?[match.RuleIndex]?.Ports?[index];
        var protocol = string.IsNullOrEmpty(port?.Protocol) ? NetworkPolicySemantics.DefaultProtocol : port.Protocol;
        var number = port?.Port?.Value;
        var range = string.IsNullOrEmpty(number) ? "any port" : port?.EndPort is { } end ? $"{number}-{end}" : number;
        return $"ports[{index}]: {protocol} {range}";
    }

    /// <summary><c>labels a=1,b=2; pod-template-hash set at run time</c>: known labels, then those set at run time, each sorted.</summary>
    private static string DescribeLabels(IDictionary<string, string>? labels)
    {
        var keys = labels is null ? [] : new string[labels.Count];
        labels?.Keys.CopyTo(keys, 0);
        // A static comparison: sorting with StringComparer.Ordinal makes a delegate of it per call.
        Array.Sort(keys, static (a, b) => string.CompareOrdinal(a, b));
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        var known = 0;
        foreach (var key in keys)
        {
            var value = labels![key];
            if (value == LabelSelectors.ValueSetAtRunTime) continue;
            text.AppendLiteral(known++ == 0 ? "labels " : ",");
            text.AppendFormatted(key);
            text.AppendLiteral("=");
            text.AppendFormatted(value);
        }

        if (known == 0) text.AppendLiteral("no labels");
        var runTime = 0;
        foreach (var key in keys)
        {
            if (labels![key] != LabelSelectors.ValueSetAtRunTime) continue;
            text.AppendLiteral(runTime++ == 0 ? "; " : ",");
            text.AppendFormatted(key);
        }

        if (runTime > 0) text.AppendLiteral(" set at run time");
        return text.ToStringAndClear();
    }

    /// <summary>Where the pod labels sit: <c>metadata.labels</c> for a Pod, the template's for controllers.</summary>
    private static string PodLabelsPath(WorkloadView workload)
    {
        var specPath = workload.PodSpecPath;
        return specPath.EndsWith("spec", StringComparison.Ordinal)
            ? SharedText.Concat(specPath.AsSpan(0, specPath.Length - "spec".Length), "metadata.labels")
            : SharedText.Concat(specPath, ".metadata.labels");
    }
}
