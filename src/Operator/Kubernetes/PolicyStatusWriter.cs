namespace EksHardening.Operator.Kubernetes;

/// <summary>Writes a policy's status through the status subresource, as one JSON merge patch.</summary>
public interface IPolicyStatusWriter
{
    /// <returns>The resourceVersion of the policy after the write.</returns>
    Task<string?> WriteAsync(string policyName, ResponsibilityPolicyStatus status, CancellationToken cancellationToken);
}

public sealed class PolicyStatusWriter(IKubernetes client) : IPolicyStatusWriter
{
    public async Task<string?> WriteAsync(string policyName, ResponsibilityPolicyStatus status, CancellationToken cancellationToken)
    {
        // The whole status goes in the patch, lists as empty arrays rather than absent, so that merge
        // semantics never leave a stale field from an earlier write behind.
        var body = new JsonObject { ["status"] = JsonNode.Parse(KubernetesJson.Serialize(status)) };
        var result = await client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch),
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural, policyName,
            fieldManager: "eks-hardening", cancellationToken: cancellationToken).ConfigureAwait(false);
        return result is JsonElement element && element.TryGetProperty("metadata", out var metadata)
               && metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
    }
}
