using EksHardening.Operator.Reporting;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>
/// What the reports informer keeps of one report: its identity, labels and owners, and the hash of its content
/// (<see cref="PolicyReportBuilder.ContentHash"/>), not its results, which can be a thousand per report.
/// </summary>
public sealed class CachedReport : PolicyReportBase
{
    private CachedReport(string kind, string contentHash) : base(kind) => ContentHash = contentHash;

    public string ContentHash { get; }

    /// <summary>The policy the report belongs to: its owner reference, else its policy label (which may be shortened).</summary>
    public string? PolicyName =>
        Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == ResponsibilityPolicy.KindName)?.Name
        ?? (Metadata.Labels is { } labels && labels.TryGetValue(Policies.PolicyOwnership.PolicyLabel, out var policy) ? policy : null);

    /// <summary>The informer's transform: hashes the content, then keeps only the metadata the controller reads.</summary>
    public static PolicyReportBase Of(PolicyReportBase report)
    {
        if (report is CachedReport) return report;
        var metadata = report.Metadata ?? new V1ObjectMeta();
        return new CachedReport(report.Kind, PolicyReportBuilder.ContentHash(report))
        {
            ApiVersion = report.ApiVersion,
            Metadata = new V1ObjectMeta
            {
                Name = metadata.Name,
                NamespaceProperty = metadata.NamespaceProperty,
                Uid = metadata.Uid,
                ResourceVersion = metadata.ResourceVersion,
                Labels = metadata.Labels,
                OwnerReferences = metadata.OwnerReferences,
            },
        };
    }
}
