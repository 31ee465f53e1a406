using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>One change Enforce mode wants made; <see cref="SkipReason"/> set means it is needed but not safe to make.</summary>
public sealed record RemediationStep(
    RemediationAction Action,
    string Kind,
    string? Namespace,
    string Name,
    string Reason,
    V1NetworkPolicy? NetworkPolicy = null,
    string? Uid = null,
    KeyValuePair<string, string>? Label = null,
    string? SkipReason = null);

/// <summary>
/// Decides what Enforce mode remediates (pure: snapshot in, steps out). It closes only gaps the operator can close
/// without touching what others own: it creates default-deny and IMDS-blocking NetworkPolicies it then owns
/// (ownerReference to the policy, managed-by label), removes those it owns once they are no longer wanted, and adds
/// the Pod Security Admission enforce label to namespaces that have none. A weaker label someone set, or a
/// same-named object it did not create, is reported as skipped, never changed.
/// </summary>
public static class RemediationPlanner
{
    public const string ManagedByLabel = PolicyOwnership.ManagedByLabel;
    public const string ManagedByValue = PolicyOwnership.ManagedByValue;
    public const string PolicyLabel = PolicyOwnership.PolicyLabel;
    /// <summary>Set on a namespace the operator labelled, so status can keep listing that remediation.</summary>
    public const string LabelledByAnnotation = "eks-hardening.io/psa-labelled-by";
    public const string ImdsPolicyName = "eks-hardening-block-instance-metadata";
    private const int ImdsPort = NetworkPolicySemantics.InstanceMetadataPort;

    public static string ManagedDefaultDenyName(TrafficDirection direction) => "eks-hardening-" + NetworkPolicySemantics.DefaultDenyPolicyName(direction);

    public static IReadOnlyList<RemediationStep> Plan(ResponsibilityPolicy policy, ClusterSnapshot snapshot)
    {
        var steps = new List<RemediationStep>();
        // A policy being deleted makes nothing new: the garbage collector is removing what it owns.
        if (policy.Metadata?.DeletionTimestamp is not null) return steps;
        var spec = policy.Spec;
        var enforcing = spec.Mode == PolicyMode.Enforce;
        var network = enforcing && spec.NetworkPolicies is { Remediate: true } ? spec.NetworkPolicies : null;
        var scope = new PolicyScope(spec.Match);
        var inScope = new HashSet<string>(StringComparer.Ordinal);

        foreach (var ns in snapshot.Namespaces.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            var name = ns.Metadata?.Name;
            if (name is null || ns.Metadata?.DeletionTimestamp is not null || !scope.IncludesNamespace(name, snapshot)) continue;
            inScope.Add(name);
            var existing = snapshot.NetworkPoliciesIn(name);
            var wanted = WantedPolicies(policy, network, name, existing);

            foreach (var desired in wanted)
            {
                var current = existing.FirstOrDefault(p => p.Metadata?.Name == desired.Metadata.Name);
                if (current is null)
                {
                    steps.Add(new RemediationStep(RemediationAction.Create, "NetworkPolicy", name, desired.Metadata.Name, ReasonFor(desired), desired));
                }
                else if (!IsOwnedBy(current, policy))
                {
                    steps.Add(new RemediationStep(RemediationAction.Create, "NetworkPolicy", name, desired.Metadata.Name, ReasonFor(desired),
                        SkipReason: $"a NetworkPolicy named {desired.Metadata.Name} exists and was not created by this policy"));
                }
            }

            // Loops, not LINQ: the status controller plans at every evaluation, over every namespace and its NetworkPolicies.
            foreach (var owned in existing)
            {
                if (IsOwnedBy(owned, policy) && !Names(wanted, owned.Metadata?.Name))
                {
                    steps.Add(new RemediationStep(RemediationAction.Delete, "NetworkPolicy", name, owned.Metadata!.Name, "no longer required by the policy", Uid: owned.Metadata.Uid));
                }
            }

            if (enforcing && spec.PodSecurity is { RequireNamespaceLabel: true } podSecurity) PlanLabel(steps, ns, podSecurity.Level);
        }

        // Policies it owns in namespaces that left the scope go too.
        foreach (var namespaceObject in snapshot.Namespaces)
        {
            if (namespaceObject.Metadata?.Name is not { } ns || inScope.Contains(ns)) continue;
            foreach (var owned in snapshot.NetworkPoliciesIn(ns))
            {
                if (IsOwnedBy(owned, policy))
                {
                    steps.Add(new RemediationStep(RemediationAction.Delete, "NetworkPolicy", ns, owned.Metadata!.Name, "namespace no longer in the policy's scope", Uid: owned.Metadata.Uid));
                }
            }
        }

        return steps;
    }

    private static bool Names(V1NetworkPolicy[] policies, string? name)
    {
        foreach (var networkPolicy in policies)
        {
            if (networkPolicy.Metadata.Name == name) return true;
        }

        return false;
    }

    /// <summary>What status lists as applied: objects this policy owns now and namespaces it labelled.</summary>
    public static IEnumerable<RemediationRecord> Standing(ResponsibilityPolicy policy, ClusterSnapshot snapshot)
    {
        foreach (var ns in snapshot.Namespaces)
        {
            var name = ns.Metadata?.Name ?? "";
            foreach (var owned in snapshot.NetworkPoliciesIn(name).Where(p => IsOwnedBy(p, policy)))
            {
                yield return new RemediationRecord { Action = RemediationAction.Create, Kind = "NetworkPolicy", Namespace = name, Name = owned.Metadata.Name, State = RemediationState.Applied };
            }

            if (ns.Metadata?.Annotations?.TryGetValue(LabelledByAnnotation, out var by) == true && by == policy.Metadata?.Name)
            {
                yield return new RemediationRecord { Action = RemediationAction.Label, Kind = "Namespace", Name = name, State = RemediationState.Applied };
            }
        }
    }

    public static bool IsOwnedBy(V1NetworkPolicy networkPolicy, ResponsibilityPolicy policy)
    {
        if (networkPolicy.Metadata?.OwnerReferences is not { } owners) return false;
        foreach (var owner in owners)
        {
            if (owner.Kind == ResponsibilityPolicy.KindName && (owner.Uid is { Length: > 0 } uid ? uid == policy.Metadata?.Uid : owner.Name == policy.Metadata?.Name)) return true;
        }

        return false;
    }

    private static bool IsManaged(V1NetworkPolicy networkPolicy) =>
        networkPolicy.Metadata?.Labels?.TryGetValue(ManagedByLabel, out var by) == true && by == ManagedByValue;

    /// <remarks>An array, empty without allocating for a policy that remediates no NetworkPolicy (planned per namespace at every evaluation).</remarks>
    private static V1NetworkPolicy[] WantedPolicies(ResponsibilityPolicy policy, NetworkPolicyDuty? duty, string ns, IReadOnlyList<V1NetworkPolicy> existing)
    {
        if (duty is null) return [];
        var wanted = new List<V1NetworkPolicy>();
        var directions = duty.RequireDefaultDeny ?? [];
        foreach (var direction in directions.Distinct())
        {
            // A default deny of the team's own (not one of ours) already does the job.
            if (existing.Any(p => !IsManaged(p) && NetworkPolicySemantics.IsDefaultDeny(p, direction))) continue;
            var deny = NetworkPolicySemantics.DefaultDenyPolicy(ns, direction);
            deny.Metadata.Name = ManagedDefaultDenyName(direction);
            wanted.Add(Own(deny, policy));
        }

        // With egress denied by default nothing reaches the IMDS; an allow-all-but-IMDS policy would only open egress.
        if (duty.BlockInstanceMetadata == true && !directions.Contains(TrafficDirection.Egress)) wanted.Add(Own(ImdsPolicy(ns), policy));
        return [.. wanted];
    }

    /// <summary>Isolates every pod for egress and admits everything but the instance metadata service (IPv4 and IPv6).</summary>
    public static V1NetworkPolicy ImdsPolicy(string ns) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = ImdsPolicyName, NamespaceProperty = ns },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector(),
            PolicyTypes = ["Egress"],
            Egress =
            [
                new V1NetworkPolicyEgressRule
                {
                    To =
                    [
                        new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = ["169.254.169.254/32"] } },
                        new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "::/0", Except = ["fd00:ec2::254/128"] } },
                    ],
                },
            ],
        },
    };

    private static V1NetworkPolicy Own(V1NetworkPolicy networkPolicy, ResponsibilityPolicy policy)
    {
        networkPolicy.Metadata.Labels = PolicyOwnership.Labels(policy.Metadata.Name);
        networkPolicy.Metadata.OwnerReferences = [PolicyOwnership.OwnerReference(policy)];
        return networkPolicy;
    }

    private static string ReasonFor(V1NetworkPolicy desired) => desired.Metadata.Name == ImdsPolicyName
        ? $"egress to the instance metadata service ({ImdsPort}/TCP) must be denied"
        : $"the namespace needs a default-deny {string.Join(", ", desired.Spec.PolicyTypes)} NetworkPolicy";

    private static void PlanLabel(List<RemediationStep> steps, V1Namespace ns, PodSecurityLevel level)
    {
        var name = ns.Metadata.Name;
        var wanted = level == PodSecurityLevel.Restricted ? "restricted" : "baseline";
        if (ns.Metadata.Labels?.TryGetValue(WorkloadRules.PsaEnforceLabel, out var current) != true)
        {
            steps.Add(new RemediationStep(RemediationAction.Label, "Namespace", null, name, $"{WorkloadRules.PsaEnforceLabel}={wanted} is missing",
                Label: new KeyValuePair<string, string>(WorkloadRules.PsaEnforceLabel, wanted)));
        }
        else if (WorkloadRules.Strictness(current) < WorkloadRules.Strictness(wanted))
        {
            steps.Add(new RemediationStep(RemediationAction.Label, "Namespace", null, name, $"{WorkloadRules.PsaEnforceLabel} should be {wanted}",
                SkipReason: $"the namespace already enforces '{current}', set by someone else; it is not overwritten"));
        }
    }
}
