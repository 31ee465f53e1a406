namespace EksHardening.Operator.Tests.Controllers;

public sealed class RemediationControllerTests
{
    private static string Objects(string spec) => $$"""
        {{RemediationPlannerTests.Namespaces}}
        ---
        apiVersion: {{ResponsibilityPolicy.ApiVersionName}}
        kind: ResponsibilityPolicy
        metadata: {name: prod, uid: policy-uid}
        spec:
          mode: Enforce
          match: {excludeNamespaces: [kube-system]}
          networkPolicies: {requireDefaultDeny: [Ingress], remediate: true}
          podSecurity: {level: baseline, requireNamespaceLabel: true}
        {{spec}}
        """;

    private static (string Method, string Path) Request((string Method, string PathAndQuery, string Body) request) =>
        (request.Method, request.PathAndQuery.Split('?')[0]);

    [Fact]
    public async Task Enforce_carries_out_each_planned_step_once_per_evaluation()
    {
        await using var bed = await ControllerBed.StartAsync(Objects(""));
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);

        Assert.Equal(
            [("POST", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies"), ("PATCH", "/api/v1/namespaces/shop")],
            bed.Api.Requests.Select(Request));
        Assert.All(bed.Api.Requests, r => Assert.Contains("fieldManager=eks-hardening", r.PathAndQuery, StringComparison.Ordinal));
        Assert.Contains("\"pod-security.kubernetes.io/enforce\":\"baseline\"", bed.Api.Requests[1].Body, StringComparison.Ordinal);
        Assert.Equal(2, bed.Remediator.Applied);
        Assert.All(bed.Outcomes.Of("prod")!.Values, o => Assert.Equal(RemediationState.Applied, o.State));
    }

    [Fact]
    public async Task Status_waits_for_the_remediation_outcome_and_then_lists_it()
    {
        await using var bed = await ControllerBed.StartAsync(Objects(""));

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        Assert.Empty(bed.StatusWriter.Writes);
        Assert.Equal(1, bed.Status.WaitsForRemediation);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        var status = Assert.Single(bed.StatusWriter.Writes).Status;
        Assert.Equal(
            ["Label Namespace /shop Applied", "Create NetworkPolicy shop/eks-hardening-default-deny-ingress Applied"],
            status.Remediations!.Select(r => $"{r.Action} {r.Kind} {r.Namespace}/{r.Name} {r.State}"));
        Assert.Equal(1, bed.Evaluations.Evaluations);
    }

    [Fact]
    public async Task Under_dryRun_nothing_is_sent_and_status_lists_the_plan_at_once()
    {
        await using var bed = await ControllerBed.StartAsync(Objects("  dryRun: true"));

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);

        Assert.Empty(bed.Api.Requests);
        var status = Assert.Single(bed.StatusWriter.Writes).Status;
        Assert.Equal([RemediationState.Planned, RemediationState.Planned], status.Remediations!.Select(r => r.State));
    }

    [Fact]
    public async Task A_refused_step_is_listed_as_skipped_with_the_apis_reason_and_the_others_still_happen()
    {
        await using var bed = await ControllerBed.StartAsync(Objects(""));
        bed.Api.Answer = (method, _) => method == "POST" ? HttpStatusCode.Forbidden : HttpStatusCode.OK;

        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);

        var remediations = Assert.Single(bed.StatusWriter.Writes).Status.Remediations!;
        Assert.Equal(
            ["Namespace Applied ", "NetworkPolicy Skipped the API refused it: 403 Forbidden"],
            remediations.Select(r => $"{r.Kind} {r.State} {r.Message}"));
    }

    [Fact]
    public async Task Nothing_is_remediated_before_the_first_evaluation_nor_for_an_invalid_spec()
    {
        await using var bed = await ControllerBed.StartAsync(Objects("  match: {kinds: [Banana]}").Replace("  match: {excludeNamespaces: [kube-system]}\n", "", StringComparison.Ordinal));

        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);

        Assert.Empty(bed.Api.Requests);
        Assert.Null(bed.Outcomes.Of("prod"));
    }

    [Fact]
    public async Task A_deleted_policys_outcomes_are_forgotten()
    {
        await using var bed = await ControllerBed.StartAsync(Objects(""));
        await bed.Status.ReconcileAsync("prod", CancellationToken.None);
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);

        await bed.Cluster.DeleteAsync(bed.Policy("prod"));
        await bed.Remediation.ReconcileAsync("prod", CancellationToken.None);

        Assert.Null(bed.Outcomes.Of("prod"));
        Assert.Equal(2, bed.Api.Requests.Count);
    }
}
