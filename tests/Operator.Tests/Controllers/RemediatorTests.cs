namespace EksHardening.Operator.Tests.Controllers;

public sealed class RemediatorTests
{
    private static readonly ResponsibilityPolicy Policy = new() { Metadata = new() { Name = "prod", Uid = "policy-uid" } };

    private static RemediationStep Step(RemediationAction action) => action switch
    {
        RemediationAction.Create => new(action, "NetworkPolicy", "shop", "eks-hardening-default-deny-ingress", "no default deny",
            NetworkPolicy: new V1NetworkPolicy { Metadata = new() { Name = "eks-hardening-default-deny-ingress", NamespaceProperty = "shop" } }),
        RemediationAction.Delete => new(action, "NetworkPolicy", "shop", "eks-hardening-default-deny-ingress", "no longer needed", Uid: "np-uid"),
        _ => new(action, "Namespace", null, "shop", "no Pod Security label", Label: new KeyValuePair<string, string>("pod-security.kubernetes.io/enforce", "baseline")),
    };

    public static TheoryData<RemediationAction, HttpStatusCode, RemediationState, string?> Outcomes => new()
    {
        { RemediationAction.Create, HttpStatusCode.Created, RemediationState.Applied, "no default deny" },
        { RemediationAction.Create, HttpStatusCode.Conflict, RemediationState.Skipped, "an object of that name appeared meanwhile" },
        { RemediationAction.Create, HttpStatusCode.Forbidden, RemediationState.Skipped, "the API refused it: 403 Forbidden" },
        { RemediationAction.Delete, HttpStatusCode.OK, RemediationState.Applied, "no longer needed" },
        // Already gone is as good as deleted.
        { RemediationAction.Delete, HttpStatusCode.NotFound, RemediationState.Applied, "no longer needed" },
        // The uid precondition failed: a same-named newcomer is not ours to delete.
        { RemediationAction.Delete, HttpStatusCode.Conflict, RemediationState.Skipped, "the object changed meanwhile" },
        { RemediationAction.Label, HttpStatusCode.OK, RemediationState.Applied, "no Pod Security label" },
        { RemediationAction.Label, HttpStatusCode.NotFound, RemediationState.Skipped, "the API refused it: 404 Not Found" },
        { RemediationAction.Label, HttpStatusCode.UnprocessableEntity, RemediationState.Skipped, "the API refused it: 422 Unprocessable Entity" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Each_answer_of_the_API_becomes_the_steps_outcome(RemediationAction action, HttpStatusCode answer, RemediationState state, string? message)
    {
        var api = new ScriptedApiHandler { Answer = (_, _) => answer };
        var remediator = new Remediator(api.Client());

        var record = await remediator.ApplyAsync(Policy, Step(action), CancellationToken.None);

        Assert.Equal((action, state, message), (record.Action, record.State, record.Message));
        Assert.Equal(state == RemediationState.Applied ? 1 : 0, remediator.Applied);
        Assert.Single(api.Requests);
    }

    public static TheoryData<RemediationAction, string, string, string> Requests => new()
    {
        { RemediationAction.Create, "POST", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", "\"name\":\"eks-hardening-default-deny-ingress\"" },
        { RemediationAction.Delete, "DELETE", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/eks-hardening-default-deny-ingress", "\"preconditions\":{\"uid\":\"np-uid\"}" },
        { RemediationAction.Label, "PATCH", "/api/v1/namespaces/shop", $"\"{RemediationPlanner.LabelledByAnnotation}\":\"prod\"" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Each_action_is_one_request_that_touches_only_its_object(RemediationAction action, string method, string path, string bodyPart)
    {
        var api = new ScriptedApiHandler();

        await new Remediator(api.Client()).ApplyAsync(Policy, Step(action), CancellationToken.None);

        var request = Assert.Single(api.Requests);
        Assert.Equal((method, path), (request.Method, request.PathAndQuery.Split('?')[0]));
        Assert.Contains(bodyPart, request.Body, StringComparison.Ordinal);
    }
}
