namespace EksHardening.Operator.Rules;

/// <summary>
/// Namespace duties (<c>namespace.*</c>): each namespace in scope enforces Pod Security Admission at the policy's level
/// or stricter, at its Pod Security Standards version or newer. Turned on by <c>podSecurity.requireNamespaceLabel</c>.
/// </summary>
public sealed class NamespaceRules : IRuleFamily
{
    public const string PsaEnforceLabel = "pod-security.kubernetes.io/enforce";
    public const string PsaEnforceVersionLabel = "pod-security.kubernetes.io/enforce-version";

    public static readonly RuleDefinition PsaLabel = new(
        "namespace.psa-label", "Namespaces enforce Pod Security Admission at the policy's level or stricter, and at its version or newer",
        ResponsibilityRow.InfrastructureSecurity, Severity.Medium, RuleScope.Namespace, "podSecurity.requireNamespaceLabel",
        "Label the namespace: kubectl label ns <name> pod-security.kubernetes.io/enforce=<level>, and remove pod-security.kubernetes.io/enforce-version or set it to latest (or at least the policy's podSecurity.version).");

    public IReadOnlyList<RuleDefinition> Rules { get; } = [PsaLabel];

    public IReadOnlyList<RuleDefinition> EnabledRules(ResponsibilityPolicySpec policy) =>
        policy.PodSecurity?.RequireNamespaceLabel == true ? Rules : [];

    public void EvaluateNamespace(NamespaceContext context, FindingCollector findings)
    {
        var duty = context.Policy.PodSecurity!;
        var required = duty.Level;
        if (context.Namespace is null)
        {
            findings.Fail(PsaLabel,
                $"Namespace {context.Name} is not among the inputs, so it has no {PsaEnforceLabel} label (required: {LevelName(required)})",
                "metadata.labels");
            return;
        }

        var labels = context.Namespace.Metadata?.Labels;
        if (labels is null || !labels.TryGetValue(PsaEnforceLabel, out var value))
        {
            findings.Fail(PsaLabel, $"Namespace {context.Name} has no {PsaEnforceLabel} label (required: {LevelName(required)} or stricter)",
                "metadata.labels");
            return;
        }

        var actual = Strictness(value);
        if (actual < 0)
        {
            findings.Fail(PsaLabel, $"Namespace {context.Name}: {PsaEnforceLabel}={value} is not a Pod Security level (privileged, baseline, restricted)",
                $"metadata.labels[{PsaEnforceLabel}]");
        }
        else if (actual < Strictness(LevelName(required)))
        {
            findings.Fail(PsaLabel, $"Namespace {context.Name} enforces {value}, weaker than the required {LevelName(required)}",
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
            findings.Fail(PsaLabel,
                $"Namespace {name}: {PsaEnforceVersionLabel}={text} is not a valid version ({PodSecurityVersion.SyntaxProblem}); Pod Security Admission rejects it on create and update and evaluates a namespace that carries it at latest",
                path);
        }
        else if (pinned.EffectiveMinor < policyVersion.EffectiveMinor)
        {
            findings.Fail(PsaLabel,
                $"Namespace {name}: {PsaEnforceVersionLabel}={text} is older than the policy's Pod Security Standards version {policyVersion.Describe()}: admission there does not enforce the checks added or tightened since {pinned}",
                path);
        }
    }

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
