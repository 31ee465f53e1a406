using k8s.Autorest;

namespace EksHardening.Operator.Tests.Controllers;

/// <summary>
/// A status writer that keeps what it was asked to write and, as the API server would, stores it on the policy in the
/// fake cluster (same generation, new resourceVersion); while <see cref="Conflicting"/> is set it answers 409 Conflict.
/// <see cref="WhileWriting"/> runs between the request and its answer (a test's clock advances there: a slow write).
/// </summary>
internal sealed class RecordingStatusWriter(FakeCluster cluster) : IPolicyStatusWriter
{
    public List<(string Policy, ResponsibilityPolicyStatus Status)> Writes { get; } = [];

    public bool Conflicting { get; set; }

    public Action? WhileWriting { get; set; }

    public async Task<string?> WriteAsync(string policyName, ResponsibilityPolicyStatus status, CancellationToken cancellationToken)
    {
        if (Conflicting)
        {
            throw new HttpOperationException("conflict")
            {
                Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Conflict), ""),
            };
        }

        lock (Writes) Writes.Add((policyName, status));
        WhileWriting?.Invoke();
        var policy = cluster.Informers.Policies.Get(null, policyName) ?? throw new InvalidOperationException($"no policy {policyName}");
        await cluster.ApplyAsync(new ResponsibilityPolicy { Metadata = policy.Metadata, Spec = policy.Spec, Status = status });
        return cluster.Informers.Policies.Get(null, policyName)?.Metadata.ResourceVersion;
    }
}
