using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using EksHardening.Entities;
using k8s;
using k8s.Models;

namespace EksHardening.Operator.Kubernetes;

/// <summary>Lists and watches ResponsibilityPolicies through the custom-objects API.</summary>
public sealed class ResponsibilityPolicySource(IKubernetes client) : IResourceSource<ResponsibilityPolicy>
{
    public string Resource => ResponsibilityPolicy.Plural;

    public async Task<ListPage<ResponsibilityPolicy>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var response = await client.CustomObjects.ListClusterCustomObjectAsync(
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural,
            continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false);
        var list = Convert<PolicyList>(response) ?? new PolicyList();
        return new ListPage<ResponsibilityPolicy>(list.Items ?? [], list.Metadata?.ContinueProperty, list.Metadata?.ResourceVersion ?? "");
    }

    public async IAsyncEnumerable<(WatchEventType Type, ResponsibilityPolicy Object)> WatchAsync(
        string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(
            ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural,
            allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            if (Convert<ResponsibilityPolicy>(item) is { } policy) yield return (type, policy);
        }
    }

    /// <summary>The custom-objects API hands out untyped JSON; KubernetesJson reads it into our entities.</summary>
    private static T? Convert<T>(object? item) where T : class => item switch
    {
        null => null,
        T typed => typed,
        JsonElement element => KubernetesJson.Deserialize<T>(element.GetRawText()),
        _ => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item)),
    };

    private sealed class PolicyList
    {
        [JsonPropertyName("metadata")] public V1ListMeta? Metadata { get; set; }
        [JsonPropertyName("items")] public List<ResponsibilityPolicy>? Items { get; set; }
    }
}
