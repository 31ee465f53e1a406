using EksHardening.Entities;
using k8s.Models;

namespace EksHardening.Operator.Rules;

/// <summary>Workload hygiene beyond the PSS: resource limits, read-only root filesystem, namespace PSA label.</summary>
public sealed class WorkloadRules : IRuleFamily
{
    public const string PsaEnforceLabel = "pod-security.kubernetes.io/enforce";
    public const string PsaEnforceVersionLabel = "pod-security.kubernetes.io/enforce-version";

    public static readonly RuleDefinition ResourceLimits = new(
        "workload.resource-limits", "Every container sets CPU and memory limits",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "podSecurity.requireResourceLimits",
        "Set resources.limits.cpu and resources.limits.memory on each container (or pod-level spec.resources.limits).");

    public static readonly RuleDefinition ReadOnlyRootFilesystem = new(
        "workload.read-only-root-filesystem", "Every container runs with a read-only root filesystem",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Workload, "podSecurity.requireReadOnlyRootFilesystem",
        "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container must write.");

    public static readonly RuleDefinition NamespacePsaLabel = new(
        "namespace.psa-label", "Namespaces enforce Pod Security Admission at the policy's level or stricter, and at its version or newer",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Namespace, "podSecurity.requireNamespaceLabel",
        "Label the namespace: kubectl label ns <name> pod-security.kubernetes.io/enforce=<level>, and remove pod-security.kubernetes.io/enforce-version or set it to latest (or at least the policy's podSecurity.version).");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [ResourceLimits, ReadOnlyRootFilesystem, NamespacePsaLabel];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy)
    {
        if (policy.PodSecurity is not { } duty) return [];
        var enabled = new List<RuleDefinition>(3);
        if (duty.RequireResourceLimits == true) enabled.Add(ResourceLimits);
        if (duty.RequireReadOnlyRootFilesystem == true) enabled.Add(ReadOnlyRootFilesystem);
        if (duty.RequireNamespaceLabel == true) enabled.Add(NamespacePsaLabel);
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
                var missing = new List<string>(2);
                if (!HasLimit(limits, "cpu") && !HasLimit(podLimits, "cpu")) missing.Add("cpu");
                if (!HasLimit(limits, "memory") && !HasLimit(podLimits, "memory")) missing.Add("memory");
                if (missing.Count > 0)
                {
                    findings.Fail(ResourceLimits, $"{container.Label} has no resources.limits.{string.Join(" or resources.limits.", missing)}",
                        container.Path + ".resources.limits", container.Image);
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
                    findings.Fail(ReadOnlyRootFilesystem, $"{container.Label}: securityContext.readOnlyRootFilesystem {value}",
                        container.Path + ".securityContext.readOnlyRootFilesystem", container.Image);
                }
            }
        }
    }

    public void EvaluateNamespace(NamespaceContext context, FindingCollector findings)
    {
        var duty = context.Policy.PodSecurity!;
        var required = duty.Level;
        if (context.Namespace is null)
        {
            findings.Fail(NamespacePsaLabel,
                $"Namespace {context.Name} is not among the inputs, so it has no {PsaEnforceLabel} label (required: {LevelName(required)})",
                "metadata.labels");
            return;
        }

        var labels = context.Namespace.Metadata?.Labels;
        if (labels is null || !labels.TryGetValue(PsaEnforceLabel, out var value))
        {
            findings.Fail(NamespacePsaLabel, $"Namespace {context.Name} has no {PsaEnforceLabel} label (required: {LevelName(required)} or stricter)",
                "metadata.labels");
            return;
        }

        var actual = Strictness(value);
        if (actual < 0)
        {
            findings.Fail(NamespacePsaLabel, $"Namespace {context.Name}: {PsaEnforceLabel}={value} is not a Pod Security level (privileged, baseline, restricted)",
                $"metadata.labels[{PsaEnforceLabel}]");
        }
        else if (actual < Strictness(LevelName(required)))
        {
            findings.Fail(NamespacePsaLabel, $"Namespace {context.Name} enforces {value}, weaker than the required {LevelName(required)}",
                $"metadata.labels[{PsaEnforceLabel}]");
        }

        EnforceVersion(context.Name, labels, PodSecurityVersion.OfPolicy(duty.Version), findings);
    }

    /// <summary>
    /// The enforce level is checked at the version the namespace pins (absent: latest): an older one lacks the checks
    /// added or tightened since. An invalid value is rejected by Pod Security Admission on create and update, and a
    /// namespace that still carries one is evaluated at latest; it is reported, as its intent cannot be known.
    /// </summary>
    private static void EnforceVersion(string name, IDictionary<string, string> labels, PodSecurityVersion policyVersion, FindingCollector findings)
    {
        if (!labels.TryGetValue(PsaEnforceVersionLabel, out var text)) return;
        var path = $"metadata.labels[{PsaEnforceVersionLabel}]";
        if (!PodSecurityVersion.TryParse(text, out var pinned))
        {
            findings.Fail(NamespacePsaLabel,
                $"Namespace {name}: {PsaEnforceVersionLabel}={text} is not a valid version ({PodSecurityVersion.SyntaxProblem}); Pod Security Admission rejects it on create and update and evaluates a namespace that carries it at latest",
                path);
        }
        else if (pinned.EffectiveMinor < policyVersion.EffectiveMinor)
        {
            findings.Fail(NamespacePsaLabel,
                $"Namespace {name}: {PsaEnforceVersionLabel}={text} is older than the policy's Pod Security Standards version {policyVersion.Describe()}: admission there does not enforce the checks added or tightened since {pinned}",
                path);
        }
    }

    private static bool HasLimit(IDictionary<string, ResourceQuantity>? limits, string resource) =>
        limits is not null && limits.TryGetValue(resource, out var quantity) && quantity is not null;

    private static string LevelName(PodSecurityLevel level) => level == PodSecurityLevel.Restricted ? "restricted" : "baseline";

    /// <summary>Pod Security level order: privileged 0, baseline 1, restricted 2; anything else -1.</summary>
    public static int Strictness(string? level) => level switch
    {
        "privileged" => 0,
        "baseline" => 1,
        "restricted" => 2,
        _ => -1,
    };
}
