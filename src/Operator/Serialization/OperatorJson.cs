using System.Text.Json.Serialization.Metadata;

namespace EksHardening.Operator.Serialization;

/// <summary>
/// JSON without reflection, so that the native build reads and writes exactly what the JIT build does. This context
/// covers everything the process (de)serializes: the API models it lists, watches, reads and writes (with what they
/// hold), the CRD and report types, the watch events of every watched kind (the client reads those by reflection), and
/// the untyped envelopes. On load the operator puts it in place of the client's resolvers in
/// <see cref="KubernetesJson"/>'s options, so a type missing here fails in every build and test, not only natively.
/// The client's own context (every model of every API group, about 900) is not used: the native build drops it
/// (ILLink.Substitutions.xml), which takes a quarter of the binary and a third of its start-up data with it.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NamespaceList))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1ServiceAccountList))]
[JsonSerializable(typeof(V1NetworkPolicy))]
[JsonSerializable(typeof(V1NetworkPolicyList))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1DeploymentList))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1StatefulSetList))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1DaemonSetList))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1ReplicaSetList))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1JobList))]
[JsonSerializable(typeof(V1CronJob))]
[JsonSerializable(typeof(V1CronJobList))]
[JsonSerializable(typeof(V1ReplicationController))]
[JsonSerializable(typeof(V1ReplicationControllerList))]
[JsonSerializable(typeof(V1PodTemplate))]
[JsonSerializable(typeof(V1PodTemplateList))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1NodeList))]
[JsonSerializable(typeof(V1StorageClass))]
[JsonSerializable(typeof(V1StorageClassList))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1PersistentVolumeClaimList))]
[JsonSerializable(typeof(V1Ingress))]
[JsonSerializable(typeof(V1IngressList))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1ConfigMapList))]
[JsonSerializable(typeof(V1ClusterRole))]
[JsonSerializable(typeof(V1ClusterRoleList))]
[JsonSerializable(typeof(V1ClusterRoleBinding))]
[JsonSerializable(typeof(V1ClusterRoleBindingList))]
[JsonSerializable(typeof(V1Role))]
[JsonSerializable(typeof(V1RoleList))]
[JsonSerializable(typeof(V1RoleBinding))]
[JsonSerializable(typeof(V1RoleBindingList))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1ValidatingWebhookConfiguration))]
[JsonSerializable(typeof(V1APIResourceList))]
[JsonSerializable(typeof(VersionInfo))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1Patch))]
[JsonSerializable(typeof(ResponsibilityPolicy))]
[JsonSerializable(typeof(ResponsibilityPolicySpec))]
[JsonSerializable(typeof(ResponsibilityPolicyStatus))]
[JsonSerializable(typeof(PolicyReport))]
[JsonSerializable(typeof(ClusterPolicyReport))]
[JsonSerializable(typeof(PolicyReportList))]
[JsonSerializable(typeof(ClusterPolicyReportList))]
[JsonSerializable(typeof(CustomObjectList))]
[JsonSerializable(typeof(k8s.KubeConfigModels.ExecCredentialResponse))]
[JsonSerializable(typeof(List<V1PolicyRule>))]
[JsonSerializable(typeof(List<Rbacv1Subject>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent))]
[JsonSerializable(typeof(Watcher<object>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Pod>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Namespace>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ServiceAccount>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1NetworkPolicy>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Deployment>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1StatefulSet>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1DaemonSet>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ReplicaSet>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Job>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1CronJob>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ReplicationController>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1PodTemplate>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Node>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1StorageClass>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1PersistentVolumeClaim>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Ingress>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Service>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ConfigMap>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ClusterRole>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1ClusterRoleBinding>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Role>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1RoleBinding>.WatchEvent))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;

public static class OperatorJson
{
    /// <summary>The operator's context alone: the API models it uses and its own types.</summary>
    public static IJsonTypeInfoResolver Resolver { get; } = OperatorJsonContext.Default;

    /// <summary>The client's options (naming, null handling, the date and quantity converters) with the operator's resolver.</summary>
    public static JsonSerializerOptions Options { get; } = ConfigureClient();

    /// <summary>Metadata of <typeparamref name="T"/> under <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>Runs before any code of this assembly, so the client's options are set before their first use.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "An application; the client's options are process-wide and must be set before first use.")]
    internal static void Initialize() => _ = Options;

    private static JsonSerializerOptions ConfigureClient()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(client =>
        {
            options = client;
            if (client.TypeInfoResolverChain.Contains(Resolver)) return;
            if (client.IsReadOnly) throw new InvalidOperationException("KubernetesJson was used before the operator's JSON metadata was installed");
            client.TypeInfoResolverChain.Clear();
            client.TypeInfoResolverChain.Add(Resolver);
            // The client adds the non-generic enum converter, which builds its converters at run time; the API models
            // have no enum properties, and the operator's enums carry their own generic converters.
            for (var i = client.Converters.Count - 1; i >= 0; i--)
            {
                if (client.Converters[i] is JsonStringEnumConverter) client.Converters.RemoveAt(i);
            }
            // Every string the API sends passes here: the cache's repeated values become one instance each.
            client.Converters.Insert(0, SharedStringConverter.Instance);
        });
        return options!;
    }
}

/// <summary>The custom-objects API's list envelope; items stay untyped until their source reads them.</summary>
internal sealed class CustomObjectList
{
    [JsonPropertyName("metadata")] public V1ListMeta? Metadata { get; set; }
    [JsonPropertyName("items")] public List<JsonElement>? Items { get; set; }
}
