using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Policies;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>Where the reports informers list and watch: only the reports the operator labelled as its own.</summary>
public sealed record PolicyReportSources(IResourceSource<PolicyReportBase> PolicyReports, IResourceSource<PolicyReportBase> ClusterPolicyReports)
{
    /// <summary>The API server's, through one client, selected by the managed-by label.</summary>
    public static PolicyReportSources Of(IKubernetes client) => new(
        new CustomObjectSource<PolicyReportBase>(client, PolicyReport.Group, PolicyReport.Version, PolicyReport.Plural, PolicyOwnership.ManagedBySelector,
            element => KubernetesJson.Deserialize<PolicyReport>(element.GetRawText())),
        new CustomObjectSource<PolicyReportBase>(client, PolicyReport.Group, PolicyReport.Version, ClusterPolicyReport.Plural, PolicyOwnership.ManagedBySelector,
            element => KubernetesJson.Deserialize<ClusterPolicyReport>(element.GetRawText())));
}
