using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>
/// One role's documents read once: parsed policies (or why one cannot be read), effective permissions, the admin
/// verdict and the open escalation paths. Kept per <see cref="RoleFacts"/> object, which the fact collector reuses for
/// as long as the role is unchanged, so the many workloads of one role share one analysis.
/// </summary>
internal sealed class IamRoleAnalysis
{
    private static readonly ConditionalWeakTable<RoleFacts, IamRoleAnalysis> Analyses = [];

    private readonly Lazy<IamAdminVerdict?> _admin;
    private readonly Lazy<IReadOnlyList<IamEscalationFinding>> _escalations;

    private IamRoleAnalysis(RoleFacts facts, IamRoleContext role)
    {
        var documents = new List<IamPolicySource>();
        var unreadable = new List<string>();
        foreach (var (name, text) in facts.InlinePolicies.Select(p => ($"inline policy {p.PolicyName}", (string?)p.PolicyDocument))
                     .Concat(facts.AttachedPolicies.Select(a => ($"managed policy {a.Policy.PolicyName}", a.Document))))
        {
            if (IamPolicyDocument.TryParse(text, out var problem) is { } document) documents.Add(new IamPolicySource(name, document));
            else unreadable.Add($"{name} cannot be read: {problem}");
        }

        Documents = documents;
        Permissions = new IamEffectivePermissions(documents, role with { AttachedPolicyArns = [.. facts.AttachedPolicies.Select(a => a.Policy.PolicyArn)] });
        Problems = [.. unreadable, .. Permissions.Problems];
        _admin = new(Permissions.FindAdministratorAccess);
        _escalations = new(() => IamEscalationPaths.Find(Permissions));
    }

    /// <summary>The role's readable policy documents, inline first, named as messages name them.</summary>
    public IReadOnlyList<IamPolicySource> Documents { get; }

    /// <summary>Documents or statements that could not be used: the verdicts rest on the rest, and say so as errors.</summary>
    public IReadOnlyList<string> Problems { get; }

    public IamEffectivePermissions Permissions { get; }

    public IamAdminVerdict? Admin => _admin.Value;

    public IReadOnlyList<IamEscalationFinding> Escalations => _escalations.Value;

    /// <param name="role">The role's partition and account (from its ARN).</param>
    public static IamRoleAnalysis Of(RoleFacts facts, IamRoleContext role) => Analyses.GetValue(facts, f => new IamRoleAnalysis(f, role));
}
