using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Lists and watches one cluster-wide custom resource through the custom-objects API, optionally only the objects a
/// label selector picks (all namespaces for a namespaced resource).
/// </summary>
/// <param name="read">Reads one item of the untyped JSON the API hands out (null: not an object of this source).</param>
public class CustomObjectSource<T>(IKubernetes client, string group, string version, string plural, string? labelSelector = null, Func<JsonElement, T?>? read = null)
    : IResourceSource<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Func<JsonElement, T?> _read = read ?? (element => element.Deserialize(OperatorJson.TypeInfo<T>()));

    public string Resource => plural;

    public async Task<ListPage<T>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var response = await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural,
            labelSelector: labelSelector, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false);
        var list = response is JsonElement element ? element.Deserialize(OperatorJson.TypeInfo<CustomObjectList>()) ?? new CustomObjectList() : new CustomObjectList();
        var items = (list.Items ?? []).Select(_read).OfType<T>().ToList();
        return new ListPage<T>(items, list.Metadata?.ContinueProperty, list.Metadata?.ResourceVersion ?? "");
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(group, version, plural,
            allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            if (ToElement(item) is { } element && _read(element) is { } typed) yield return (type, typed);
        }
    }

    private static JsonElement? ToElement(object? item) => item switch
    {
        null => null,
        JsonElement element => element,
        _ => KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(item)),
    };
}

/// <summary>Lists and watches ResponsibilityPolicies.</summary>
public sealed class ResponsibilityPolicySource(IKubernetes client)
    : CustomObjectSource<ResponsibilityPolicy>(client, ResponsibilityPolicy.Group, ResponsibilityPolicy.Version, ResponsibilityPolicy.Plural);
