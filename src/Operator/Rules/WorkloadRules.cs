namespace EksHardening.Operator.Rules;

/// <summary>Workload hygiene beyond the PSS (<c>workload.*</c>): resource limits and a read-only root filesystem.</summary>
public sealed class WorkloadRules : IRuleFamily
{
    // Controllers/RemediationPlanner reads these two here; they are NamespaceRules' (remove once it reads them there).
    public const string PsaEnforceLabel = NamespaceRules.PsaEnforceLabel;

    public static int Strictness(string? level) => NamespaceRules.Strictness(level);

    public static readonly RuleDefinition ResourceLimits = new(
        "workload.resource-limits", "Every container sets CPU and memory limits",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "podSecurity.requireResourceLimits",
        "Set resources.limits.cpu and resources.limits.memory on each container (or pod-level spec.resources.limits).");

    public static readonly RuleDefinition ReadOnlyRootFilesystem = new(
        "workload.read-only-root-filesystem", "Every container runs with a read-only root filesystem",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "podSecurity.requireReadOnlyRootFilesystem",
        "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container must write.");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ResourceLimits, ReadOnlyRootFilesystem];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.PodSecurity is not { } duty) return [];
        var enabled = new List<RuleDefinition>(2);
        if (duty.RequireResourceLimits == true) enabled.Add(ResourceLimits);
        if (duty.RequireReadOnlyRootFilesystem == true) enabled.Add(ReadOnlyRootFilesystem);
        return enabled;
    }

    public void EvaluateWorkload(WorkloadContext context, FindingCollector findings)
    {
        var duty = context.Policy.PodSecurity!;
        var workload = context.Workload;
        if (duty.RequireResourceLimits == true)
        {
            var podLimits = workload.PodSpec.Resources?.Limits;
            foreach (var container in workload.Containers)
            {
                // Ephemeral containers may not set resources; they borrow the pod's.
                if (container.Kind == ContainerKind.Ephemeral) continue;
                var limits = container.Resources?.Limits;
                var missingCpu = !HasLimit(limits, "cpu") && !HasLimit(podLimits, "cpu");
                var missingMemory = !HasLimit(limits, "memory") && !HasLimit(podLimits, "memory");
                if (missingCpu || missingMemory)
                {
                    var missing = (missingCpu, missingMemory) switch
                    {
                        (true, true) => "cpu or resources.limits.memory",
                        (true, false) => "cpu",
                        _ => "memory",
                    };
                    findings.Fail(ResourceLimits, SharedText.Concat(container.Label, " has no resources.limits.", missing), SharedText.Concat(container.Path, ".resources.limits"), container.Image);
                }
            }
        }

        if (duty.RequireReadOnlyRootFilesystem == true)
        {
            foreach (var container in workload.Containers)
            {
                if (container.SecurityContext?.ReadOnlyRootFilesystem != true)
                {
                    var value = container.SecurityContext?.ReadOnlyRootFilesystem is false ? "is false" : "is not set";
                    findings.Fail(ReadOnlyRootFilesystem, SharedText.Concat(container.Label, ": securityContext.readOnlyRootFilesystem ", value),
                        SharedText.Concat(container.Path, ".securityContext.readOnlyRootFilesystem"), container.Image);
                }
            }
        }
    }

    private static bool HasLimit(IDictionary<string, ResourceQuantity>? limits, string resource) =>
        limits is not null && limits.TryGetValue(resource, out var quantity) && quantity is not null;
}
