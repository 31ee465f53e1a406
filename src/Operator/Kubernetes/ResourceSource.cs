namespace EksHardening.Operator.Kubernetes;

/// <summary>One page of a list: the items, the token for the next page, and the list's resourceVersion.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string? Continue, string ResourceVersion);

/// <summary>
/// How an informer lists and watches one resource type across all namespaces. Implementations are thin
/// adapters over KubernetesClient's generated operations, so the informer itself stays generic.
/// </summary>
public interface IResourceSource<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Resource name for logs and metrics, e.g. <c>pods</c> or <c>responsibilitypolicies</c>.</summary>
    string Resource { get; }

    Task<ListPage<T>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/> with bookmarks; errors (410 included) go to <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IResourceSource{T}"/> made of two delegates over a typed list call and its watch.</summary>
public sealed class DelegateResourceSource<T, TList>(
    string resource,
    Func<string?, int, CancellationToken, Task<TList>> list,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch) : IResourceSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    public string Resource { get; } = resource;

    public async Task<ListPage<T>> ListAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var page = await list(continueToken, limit, cancellationToken).ConfigureAwait(false);
        return new ListPage<T>(page.Items?.ToList() ?? [], page.Metadata?.ContinueProperty, page.Metadata?.ResourceVersion ?? "");
    }

    public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
        watch(resourceVersion, timeoutSeconds, onError, cancellationToken);
}

/// <summary>The sources for every type the operator watches, over one client.</summary>
public static class ResourceSources
{
    public static IResourceSource<V1Pod> Pods(IKubernetes client) => new DelegateResourceSource<V1Pod, V1PodList>("pods",
        (c, limit, ct) => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Namespace> Namespaces(IKubernetes client) => new DelegateResourceSource<V1Namespace, V1NamespaceList>("namespaces",
        (c, limit, ct) => client.CoreV1.ListNamespaceAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1ServiceAccount> ServiceAccounts(IKubernetes client) => new DelegateResourceSource<V1ServiceAccount, V1ServiceAccountList>("serviceaccounts",
        (c, limit, ct) => client.CoreV1.ListServiceAccountForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListServiceAccountForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1NetworkPolicy> NetworkPolicies(IKubernetes client) => new DelegateResourceSource<V1NetworkPolicy, V1NetworkPolicyList>("networkpolicies",
        (c, limit, ct) => client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.NetworkingV1.WatchListNetworkPolicyForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Deployment> Deployments(IKubernetes client) => new DelegateResourceSource<V1Deployment, V1DeploymentList>("deployments",
        (c, limit, ct) => client.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1StatefulSet> StatefulSets(IKubernetes client) => new DelegateResourceSource<V1StatefulSet, V1StatefulSetList>("statefulsets",
        (c, limit, ct) => client.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1DaemonSet> DaemonSets(IKubernetes client) => new DelegateResourceSource<V1DaemonSet, V1DaemonSetList>("daemonsets",
        (c, limit, ct) => client.AppsV1.ListDaemonSetForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.AppsV1.WatchListDaemonSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1ReplicaSet> ReplicaSets(IKubernetes client) => new DelegateResourceSource<V1ReplicaSet, V1ReplicaSetList>("replicasets",
        (c, limit, ct) => client.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.AppsV1.WatchListReplicaSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Job> Jobs(IKubernetes client) => new DelegateResourceSource<V1Job, V1JobList>("jobs",
        (c, limit, ct) => client.BatchV1.ListJobForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1CronJob> CronJobs(IKubernetes client) => new DelegateResourceSource<V1CronJob, V1CronJobList>("cronjobs",
        (c, limit, ct) => client.BatchV1.ListCronJobForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.BatchV1.WatchListCronJobForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1ReplicationController> ReplicationControllers(IKubernetes client) => new DelegateResourceSource<V1ReplicationController, V1ReplicationControllerList>("replicationcontrollers",
        (c, limit, ct) => client.CoreV1.ListReplicationControllerForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListReplicationControllerForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1PodTemplate> PodTemplates(IKubernetes client) => new DelegateResourceSource<V1PodTemplate, V1PodTemplateList>("podtemplates",
        (c, limit, ct) => client.CoreV1.ListPodTemplateForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListPodTemplateForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));
}
