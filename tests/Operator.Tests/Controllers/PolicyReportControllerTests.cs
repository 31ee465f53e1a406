namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// The PolicyReports controller over a fake cluster whose report informers see the controller's writes only when the
/// test delivers them (<see cref="FakeReportServer"/>): one reconcile at a time, every request it sends visible.
/// </summary>
public sealed class PolicyReportControllerTests
{
    // Two namespaces with a failing pod each; namespace-level findings (default deny) go to the ClusterPolicyReport.
    private const string Objects = $$$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: cart}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers:
          - {name: web, image: "nginx:1.27", securityContext: {privileged: true}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: cart}
        spec:
          containers:
          - {name: api, image: "nginx:1.27", securityContext: {privileged: true}}
        ---
        apiVersion: {{{ResponsibilityPolicy.ApiVersionName}}}
        kind: ResponsibilityPolicy
        metadata: {name: prod, uid: policy-uid}
        spec:
          podSecurity: {level: baseline}
          networkPolicies: {requireDefaultDeny: [Ingress]}
        """;

    private const string ShopReport = "policyreports/shop/rpol-prod";
    private const string CartReport = "policyreports/cart/rpol-prod";
    private const string ClusterReport = "clusterpolicyreports/rpol-prod";

    private static readonly string[] Creates =
    [
        "POST /apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports",
        "POST /apis/wgpolicyk8s.io/v1alpha2/namespaces/cart/policyreports",
        "POST /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports",
    ];

    [Fact]
    public async Task Each_report_is_created_once_and_a_quiet_reconcile_sends_nothing()
    {
        await using var bed = await StartAsync();

        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        Assert.Equal(Creates, ReportRequests(bed).Order(StringComparer.Ordinal));
        await bed.ReportServer.DeliverAsync();
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(3, ReportRequests(bed).Count);
        Assert.Equal(0, bed.ReportCaches.PolicyReports.Unobserved.Count + bed.ReportCaches.ClusterPolicyReports.Unobserved.Count);
        Assert.Equal(2, bed.ReportCaches.PolicyReports.Informer!.Count);
    }

    [Fact]
    public async Task Before_the_informer_sees_its_writes_nothing_is_written_twice()
    {
        await using var bed = await StartAsync();

        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        // The informer has seen none of the three creates: the record of writes stands in for them.
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(Creates, ReportRequests(bed).Order(StringComparer.Ordinal));
        Assert.Equal(3, bed.ReportServer.Undelivered);
        Assert.Equal(0, bed.ReportCaches.PolicyReports.Informer!.Count);
        Assert.Equal(2, bed.ReportCaches.PolicyReports.Unobserved.Count);
    }

    [Fact]
    public async Task A_report_deleted_by_someone_else_is_created_again()
    {
        await using var bed = await ConvergedAsync();

        await bed.ReportServer.DeleteAsync(ShopReport);
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(["POST /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports"], ReportRequests(bed));
        Assert.True(bed.ReportServer.Contains(ShopReport));
    }

    [Fact]
    public async Task A_report_edited_by_someone_else_is_patched_back_and_their_own_labels_stay()
    {
        await using var bed = await ConvergedAsync();

        await bed.ReportServer.EditAsync(CartReport, report =>
        {
            report["results"] = new JsonArray();
            report["metadata"]!["labels"]!["team"] = "payments";
        });
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        var patch = Assert.Single(bed.Api.Requests, r => r.PathAndQuery.Contains("policyreports", StringComparison.Ordinal));
        Assert.Equal("PATCH /apis/wgpolicyk8s.io/v1alpha2/namespaces/cart/policyreports/rpol-prod", $"{patch.Method} {patch.PathAndQuery.Split('?')[0]}");
        Assert.Contains("\"rule\":\"pss.privileged\"", patch.Body, StringComparison.Ordinal);
        await bed.ReportServer.DeliverAsync();
        Assert.Equal("payments", bed.ReportCaches.PolicyReports.Informer!.Get("cart", "rpol-prod")!.Metadata.Labels["team"]);
        // Once the informer has the repaired report, there is nothing more to do.
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        Assert.Single(ReportRequests(bed));
    }

    [Fact]
    public async Task A_deleted_policys_reports_are_deleted_each_with_its_uid_as_precondition()
    {
        await using var bed = await ConvergedAsync();

        await bed.Cluster.DeleteAsync(bed.Policy("prod"));
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        var deletes = bed.Api.Requests.Where(r => r.Method == "DELETE").ToList();
        Assert.Equal(
            [
                "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/rpol-prod",
                "/apis/wgpolicyk8s.io/v1alpha2/namespaces/cart/policyreports/rpol-prod",
                "/apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/rpol-prod",
            ],
            deletes.Select(d => d.PathAndQuery.Split('?')[0]).Order(StringComparer.Ordinal));
        Assert.All(deletes, d => Assert.Contains("\"uid\":\"uid-", d.Body, StringComparison.Ordinal));
        Assert.False(bed.ReportServer.Contains(ShopReport) || bed.ReportServer.Contains(CartReport) || bed.ReportServer.Contains(ClusterReport));

        // Until the informer drops them, a second reconcile does not delete them again.
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        Assert.Equal(3, bed.Api.Requests.Count(r => r.Method == "DELETE"));
        await bed.ReportServer.DeliverAsync();
        Assert.Equal(0, bed.ReportCaches.PolicyReports.Informer!.Count + bed.ReportCaches.ClusterPolicyReports.Informer!.Count);
    }

    [Fact]
    public async Task A_namespace_without_findings_loses_its_report()
    {
        await using var bed = await ConvergedAsync();

        var pod = bed.Cluster.Informers.Pods.Get("cart", "api")!;
        await bed.Cluster.DeleteAsync(pod);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);

        Assert.Contains("DELETE /apis/wgpolicyk8s.io/v1alpha2/namespaces/cart/policyreports/rpol-prod", ReportRequests(bed));
        Assert.DoesNotContain(ReportRequests(bed), r => r.Contains("/shop/", StringComparison.Ordinal));
    }

    /// <summary>A bed whose policy is evaluated and whose report informers have listed (nothing yet).</summary>
    private static async Task<ControllerBed> StartAsync()
    {
        var bed = await ControllerBed.StartAsync(Objects);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.StartReportsAsync();
        bed.Api.Requests.Clear();
        return bed;
    }

    /// <summary>A bed whose reports are written and delivered to the informers; the request log is empty.</summary>
    private static async Task<ControllerBed> ConvergedAsync()
    {
        var bed = await StartAsync();
        await bed.Reports.ReconcileAsync("prod", CancellationToken.None);
        await bed.ReportServer.DeliverAsync();
        Assert.Equal(3, ReportRequests(bed).Count);
        bed.Api.Requests.Clear();
        return bed;
    }

    private static List<string> ReportRequests(ControllerBed bed) =>
        [.. bed.Api.Requests.Where(r => r.PathAndQuery.Contains("policyreports", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.PathAndQuery.Split('?')[0]}")];
}
