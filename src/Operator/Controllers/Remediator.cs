using System.Net;
using System.Text.Json.Nodes;
using EksHardening.Entities;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace EksHardening.Operator.Controllers;

/// <summary>Carries out remediation steps against the API (or only records them under dryRun).</summary>
public sealed class Remediator(IKubernetes client)
{
    public long Applied { get; private set; }

    public async Task<List<RemediationRecord>> ApplyAsync(ResponsibilityPolicy policy, IReadOnlyList<RemediationStep> steps, CancellationToken cancellationToken)
    {
        var dryRun = policy.Spec.DryRun == true;
        var records = new List<RemediationRecord>(steps.Count);
        foreach (var step in steps)
        {
            var record = new RemediationRecord { Action = step.Action, Kind = step.Kind, Namespace = step.Namespace, Name = step.Name, Message = step.Reason };
            if (step.SkipReason is not null)
            {
                records.Add(record with { State = RemediationState.Skipped, Message = step.SkipReason });
                continue;
            }

            if (dryRun)
            {
                records.Add(record with { State = RemediationState.Planned });
                continue;
            }

            var done = await ApplyAsync(policy, step, cancellationToken).ConfigureAwait(false);
            records.Add(done is null ? record with { State = RemediationState.Applied } : record with { State = RemediationState.Skipped, Message = done });
            if (done is null) Applied++;
        }

        return records;
    }

    /// <returns>Null when done; otherwise why it could not be done (the next reconcile re-plans).</returns>
    private async Task<string?> ApplyAsync(ResponsibilityPolicy policy, RemediationStep step, CancellationToken cancellationToken)
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
