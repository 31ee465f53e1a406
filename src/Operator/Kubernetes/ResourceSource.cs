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
    public static IResourceSource<V1Node> Nodes(IKubernetes client) => new DelegateResourceSource<V1Node, V1NodeList>("nodes",
        (c, limit, ct) => client.CoreV1.ListNodeAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1StorageClass> StorageClasses(IKubernetes client) => new DelegateResourceSource<V1StorageClass, V1StorageClassList>("storageclasses",
        (c, limit, ct) => client.StorageV1.ListStorageClassAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.StorageV1.WatchListStorageClassAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1PersistentVolumeClaim> PersistentVolumeClaims(IKubernetes client) => new DelegateResourceSource<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>("persistentvolumeclaims",
        (c, limit, ct) => client.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListPersistentVolumeClaimForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Ingress> Ingresses(IKubernetes client) => new DelegateResourceSource<V1Ingress, V1IngressList>("ingresses",
        (c, limit, ct) => client.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Service> Services(IKubernetes client) => new DelegateResourceSource<V1Service, V1ServiceList>("services",
        (c, limit, ct) => client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1ClusterRole> ClusterRoles(IKubernetes client) => new DelegateResourceSource<V1ClusterRole, V1ClusterRoleList>("clusterroles",
        (c, limit, ct) => client.RbacAuthorizationV1.ListClusterRoleAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.RbacAuthorizationV1.WatchListClusterRoleAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1ClusterRoleBinding> ClusterRoleBindings(IKubernetes client) => new DelegateResourceSource<V1ClusterRoleBinding, V1ClusterRoleBindingList>("clusterrolebindings",
        (c, limit, ct) => client.RbacAuthorizationV1.ListClusterRoleBindingAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.RbacAuthorizationV1.WatchListClusterRoleBindingAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1Role> Roles(IKubernetes client) => new DelegateResourceSource<V1Role, V1RoleList>("roles",
        (c, limit, ct) => client.RbacAuthorizationV1.ListRoleForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.RbacAuthorizationV1.WatchListRoleForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    public static IResourceSource<V1RoleBinding> RoleBindings(IKubernetes client) => new DelegateResourceSource<V1RoleBinding, V1RoleBindingList>("rolebindings",
        (c, limit, ct) => client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync(continueParameter: c, limit: limit, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.RbacAuthorizationV1.WatchListRoleBindingForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    /// <summary>
    /// The one ConfigMap kube-system/aws-auth, by a field selector on its name: not every ConfigMap (which would cache the
    /// cluster's configuration data). The API server takes the selector's name as the request's object name, so RBAC
    /// can grant this list and watch for aws-auth alone.
    /// </summary>
    public static IResourceSource<V1ConfigMap> AwsAuth(IKubernetes client) => new DelegateResourceSource<V1ConfigMap, V1ConfigMapList>("configmaps",
        (c, limit, ct) => client.CoreV1.ListNamespacedConfigMapAsync(Rules.Rbac.ClusterRbac.AwsAuthNamespace, continueParameter: c, limit: limit,
            fieldSelector: AwsAuthSelector, cancellationToken: ct),
        (rv, timeout, onError, ct) => client.CoreV1.WatchListNamespacedConfigMapAsync(Rules.Rbac.ClusterRbac.AwsAuthNamespace, allowWatchBookmarks: true,
            fieldSelector: AwsAuthSelector, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct));

    private const string AwsAuthSelector = "metadata.name=" + Rules.Rbac.ClusterRbac.AwsAuthName;
}
