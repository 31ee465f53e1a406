using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using k8s.Autorest;

namespace EksHardening.Operator.Controllers.Reports;

/// <summary>What the API answered to a create or patch: the object's uid and resourceVersion.</summary>
public readonly record struct WrittenReport(string? Uid, string? ResourceVersion);

/// <summary>
/// The report writes: create, merge patch, and delete with a uid precondition, as the operator's field manager. A
/// write that succeeded is counted by operation; one that failed is counted and logged, then rethrown for the
/// controller to decide what follows.
/// </summary>
public sealed class PolicyReportWrites(IKubernetes client, PolicyReportMetrics metrics)
{
    public async Task<WrittenReport> CreateAsync(ReportKind kind, DesiredPolicyReport report, CancellationToken cancellationToken)
    {
        var body = report.Report;
        var created = await Counted(kind, "create", () => kind.IsCluster
            ? client.CustomObjects.CreateClusterCustomObjectAsync(body, PolicyReport.Group, PolicyReport.Version, kind.Plural,
                fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken)
            : client.CustomObjects.CreateNamespacedCustomObjectAsync(body, PolicyReport.Group, PolicyReport.Version, report.Namespace, kind.Plural,
                fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return Written(created);
    }

    public async Task<WrittenReport> PatchAsync(ReportKind kind, DesiredPolicyReport report, CancellationToken cancellationToken)
    {
        var name = report.Report.Metadata.Name;
        var patch = new V1Patch(MergePatch(report.Report), V1Patch.PatchType.MergePatch);
        var patched = await Counted(kind, "patch", () => kind.IsCluster
            ? client.CustomObjects.PatchClusterCustomObjectAsync(patch, PolicyReport.Group, PolicyReport.Version, kind.Plural, name,
                fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken)
            : client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, PolicyReport.Group, PolicyReport.Version, report.Namespace, kind.Plural, name,
                fieldManager: PolicyOwnership.ManagedByValue, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return Written(patched);
    }

    /// <summary>A 404 (already gone) and a 409 (the uid differs: not the object we wrote) are not failures: they are thrown uncounted.</summary>
    public Task DeleteAsync(ReportKind kind, string? ns, string name, string? uid, CancellationToken cancellationToken)
    {
        var delete = new V1DeleteOptions { Preconditions = uid is null ? null : new V1Preconditions { Uid = uid } };
        return Counted(kind, "delete", () => kind.IsCluster
            ? client.CustomObjects.DeleteClusterCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, kind.Plural, name, delete, cancellationToken: cancellationToken)
            : client.CustomObjects.DeleteNamespacedCustomObjectAsync(PolicyReport.Group, PolicyReport.Version, ns, kind.Plural, name, delete, cancellationToken: cancellationToken),
            cancellationToken);
    }

    /// <summary>A failure of the request itself (an answer, a transport error, an unreadable body, a timeout), not of this process.</summary>
    public static bool IsRequestFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpOperationException or HttpRequestException or JsonException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task<object> Counted(ReportKind kind, string verb, Func<Task<object>> send, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await send().ConfigureAwait(false);
            metrics.Wrote(verb);
            return answer;
        }
        catch (Exception e) when (IsRequestFailure(e, cancellationToken))
        {
            if (!(verb == "delete" && e is HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict }))
            {
                metrics.Failed(kind.Plural, verb, e);
            }

            throw;
        }
    }

    private static WrittenReport Written(object response) =>
        response is JsonElement element && element.TryGetProperty("metadata", out var metadata)
            ? new WrittenReport(String(metadata, "uid"), String(metadata, "resourceVersion"))
            : default;

    private static string? String(JsonElement metadata, string property) =>
        metadata.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// A merge patch that sets every field the operator owns: results replace the list, the truncation annotation is
    /// removed (an explicit null) when it no longer applies, and labels and annotations others added stay.
    /// </summary>
    private static string MergePatch(PolicyReportBase report)
    {
        var full = JsonNode.Parse(KubernetesJson.Serialize(report))!.AsObject();
        var metadata = full["metadata"]!.AsObject();
        var truncated = PolicyReportBuilder.TruncationNote(report.Metadata);
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = metadata["labels"]?.DeepClone(),
                ["annotations"] = new JsonObject { [PolicyReportBuilder.TruncatedAnnotation] = truncated is null ? null : JsonValue.Create(truncated) },
                ["ownerReferences"] = metadata["ownerReferences"]?.DeepClone(),
            },
            ["summary"] = full["summary"]?.DeepClone(),
            ["results"] = full["results"]?.DeepClone() ?? new JsonArray(),
        };
        return patch.ToJsonString();
    }
}
