using k8s.Autorest;

namespace EksHardening.Operator.Controllers.Remediation;

/// <summary>Carries out one remediation step against the API. Which steps go to the API at all is <see cref="RemediationRecords.WithoutApplying"/>'s call.</summary>
public sealed class Remediator(IKubernetes client)
{
    private long _applied;

    /// <summary>Steps carried out.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Makes the change; the record says it was applied, or why it was skipped (the next evaluation plans it again).</summary>
    public async Task<RemediationRecord> ApplyAsync(ResponsibilityPolicy policy, RemediationStep step, CancellationToken cancellationToken)
    {
        var refusal = await TryApplyAsync(policy, step, cancellationToken).ConfigureAwait(false);
        if (refusal is null) Interlocked.Increment(ref _applied);
        var record = RemediationRecords.Of(step);
        return refusal is null ? record with { State = RemediationState.Applied } : record with { State = RemediationState.Skipped, Message = refusal };
    }

    /// <returns>Null when done; otherwise why it could not be done (the next reconcile re-plans).</returns>
    private async Task<string?> TryApplyAsync(ResponsibilityPolicy policy, RemediationStep step, CancellationToken cancellationToken)
    {
        try
        {
            switch (step.Action)
            {
                case RemediationAction.Create:
                    await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(step.NetworkPolicy!, step.Namespace!, fieldManager: "eks-hardening",
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                    return null;
                case RemediationAction.Delete:
                    // The uid precondition makes sure only the object we own goes, never a same-named newcomer.
                    await client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(step.Name, step.Namespace!,
                        new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = step.Uid } }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return null;
                case RemediationAction.Label:
                    var (key, value) = step.Label!.Value;
                    var patch = new JsonObject
                    {
                        ["metadata"] = new JsonObject
                        {
                            ["labels"] = new JsonObject { [key] = value },
                            ["annotations"] = new JsonObject { [RemediationPlanner.LabelledByAnnotation] = policy.Metadata.Name },
                        },
                    };
                    await client.CoreV1.PatchNamespaceAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), step.Name,
                        fieldManager: "eks-hardening", cancellationToken: cancellationToken).ConfigureAwait(false);
                    return null;
                default:
                    return "unknown action";
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict)
        {
            return step.Action == RemediationAction.Create ? "an object of that name appeared meanwhile" : "the object changed meanwhile";
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound && step.Action == RemediationAction.Delete)
        {
            return null;   // already gone
        }
        catch (HttpOperationException e)
        {
            // Refused (RBAC, quota, another admission controller, a namespace going away): report it and carry on,
            // so that the rest of the status is still written; the next reconcile plans it again.
            return $"the API refused it: {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
        }
    }
}
