using EksHardening.Operator.Facts;

namespace EksHardening.Operator.Rules;

/// <summary>How a resource is identified in reports and status.</summary>
public sealed record ResourceRef(string ApiVersion, string Kind, string? Namespace, string Name)
{
    /// <summary>The object's uid when known (Events refer to it).</summary>
    public string? Uid { get; init; }

    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}

/// <summary>All findings of one resource under one policy, and the verdict they add up to.</summary>
public sealed record ResourceEvaluation(ResourceRef Resource, SourceLocation? Source, IReadOnlyList<Finding> Findings)
{
    /// <summary>Notes on how the resource was read, e.g. that its apiVersion is no longer served; shown with it in every output.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>fail beats error beats exempt beats pass.</summary>
    public FindingResult Verdict { get; } = VerdictOf(Findings);

    /// <summary>Whether <paramref name="other"/> reports the same: resource, source, findings and notes, in order.</summary>
    public bool SameAs(ResourceEvaluation other) =>
        Resource == other.Resource && Source == other.Source
        && (ReferenceEquals(Findings, other.Findings) || Findings.SequenceEqual(other.Findings))
        && (ReferenceEquals(Notes, other.Notes) || Notes.SequenceEqual(other.Notes, StringComparer.Ordinal));

    private static FindingResult VerdictOf(IReadOnlyList<Finding> findings)
    {
        var verdict = FindingResult.Pass;
        for (var i = 0; i < findings.Count; i++)
        {
            switch (findings[i].Result)
            {
                case FindingResult.Fail: return FindingResult.Fail;
                case FindingResult.Error: verdict = FindingResult.Error; break;
                case FindingResult.Exempt when verdict == FindingResult.Pass: verdict = FindingResult.Exempt; break;
            }
        }

        return verdict;
    }
}

/// <summary>An exemption whose <c>expires</c> has passed: it no longer applies, and reports say so.</summary>
public sealed record ExpiredExemption(string Name, DateTimeOffset Expires, string Reason);

/// <summary>The outcome of evaluating one policy against one snapshot.</summary>
public sealed record PolicyEvaluation(
    string PolicyName,
    PolicyMode Mode,
    IReadOnlyList<ResourceEvaluation> Resources,
    IReadOnlyList<Finding> ClusterFindings,
    IReadOnlyList<ExpiredExemption> ExpiredExemptions)
{
    public ComplianceSummary Summary { get; } = Summarize(Resources);

    /// <summary>The rules the policy turned on (status reports a row for each row that has one).</summary>
    public IReadOnlyList<RuleDefinition> EnabledRules { get; init; } = [];

    /// <summary>AWS facts that could not be learned, when the policy has AWS-backed rules on; null when it has none.</summary>
    public IReadOnlyList<FactError>? AwsErrors { get; init; }

    /// <summary>
    /// Namespaces whose labels were unknown to a namespace selector (the scan, without their Namespace objects):
    /// their resources were evaluated as selected. Sorted; empty when every match was decided.
    /// </summary>
    public IReadOnlyList<string> UndecidedNamespaces { get; init; } = [];

    /// <summary>Resources evaluated as selected only because their namespace's labels were unknown (workloads in, and the Namespace of, <see cref="UndecidedNamespaces"/>).</summary>
    public int UndecidedResources => UndecidedNamespaces.Count == 0 ? 0 : Resources.Count(r =>
        r.Resource.Namespace is { } ns ? UndecidedNamespaces.Contains(ns, StringComparer.Ordinal)
        : r.Resource.Kind == "Namespace" && UndecidedNamespaces.Contains(r.Resource.Name, StringComparer.Ordinal));

    public IEnumerable<Finding> AllFindings => Resources.SelectMany(r => r.Findings).Concat(ClusterFindings);

    private static ComplianceSummary Summarize(IReadOnlyList<ResourceEvaluation> resources)
    {
        var summary = new ComplianceSummary { Resources = resources.Count };
        foreach (var resource in resources)
        {
            switch (resource.Verdict)
            {
                case FindingResult.Pass: summary.Compliant++; break;
                case FindingResult.Fail: summary.Violating++; break;
                case FindingResult.Exempt: summary.Exempt++; break;
                case FindingResult.Error: summary.Errors++; break;
            }
        }

        return summary;
    }
}
