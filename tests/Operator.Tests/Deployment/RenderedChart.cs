using System.Reflection;

namespace EksHardening.Operator.Tests.Deployment;

/// <summary>The documents of a rendered chart (or of deploy/install.yaml), as JSON trees and as typed models.</summary>
internal sealed class RenderedChart
{
    /// <summary>Kinds of other projects' CRDs that KubernetesClient has no model for: checked for shape only.</summary>
    public static readonly IReadOnlySet<string> UntypedKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "cert-manager.io/v1/Certificate",
        "cert-manager.io/v1/Issuer",
    };

    private static readonly Dictionary<string, Type> TypedKinds = BuildTypeMap();

    private RenderedChart(string text, IReadOnlyList<JsonObject> documents)
    {
        Text = text;
        Documents = documents;
    }

    public string Text { get; }

    public IReadOnlyList<JsonObject> Documents { get; }

    public static RenderedChart Parse(string text, string source = "rendered chart") =>
        new(text, YamlToJson.Parse(text, source).Select(d => d.Root).OfType<JsonObject>().ToList());

    public static string KeyOf(JsonObject document) => $"{document["apiVersion"]}/{document["kind"]}";

    public static string NameOf(JsonObject document) => document["metadata"]?["name"]?.GetValue<string>() ?? "";

    public IEnumerable<JsonObject> OfKind(string kind) => Documents.Where(d => d["kind"]?.GetValue<string>() == kind);

    public JsonObject Single(string kind)
    {
        var matches = OfKind(kind).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind}, found {matches.Count}");
        return matches[0];
    }

    public static T Typed<T>(JsonObject document) => KubernetesJson.Deserialize<T>(document.ToJsonString());

    public T Single<T>(string kind) => Typed<T>(Single(kind));

    /// <summary>The one object of the kind with the name.</summary>
    public T Named<T>(string kind, string name)
    {
        var matches = OfKind(kind).Where(d => NameOf(d) == name).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind} {name}, found {matches.Count}");
        return Typed<T>(matches[0]);
    }

    /// <summary>The operator's own ClusterRole (named like the release; the chart has others, for people and for the CRD hook).</summary>
    public V1ClusterRole OperatorClusterRole => Named<V1ClusterRole>("ClusterRole", Helm.ReleaseName);

    /// <summary>The Helm hook a document is (helm.sh/hook), or null for an object of the release.</summary>
    public static string? HookOf(JsonObject document) => document["metadata"]?["annotations"]?["helm.sh/hook"]?.GetValue<string>();

    /// <summary>The objects Helm runs as hooks.</summary>
    public IEnumerable<JsonObject> Hooks => Documents.Where(d => HookOf(d) is not null);

    /// <summary>
    /// The namespace a namespaced object of the chart belongs in: the release's, but kube-system for the Role and
    /// RoleBinding that read the aws-auth ConfigMap there.
    /// </summary>
    public static string ExpectedNamespace(string kind, string name) =>
        kind is "Role" or "RoleBinding" && name == Helm.AwsAuthRoleName ? ClusterRbac.AwsAuthNamespace : Helm.ReleaseNamespace;

    /// <summary>The typed model for an apiVersion/kind key, or null for kinds KubernetesClient does not know.</summary>
    public static Type? ModelFor(string key) => TypedKinds.GetValueOrDefault(key);

    /// <summary>
    /// Every document read by KubernetesClient's own YAML loader into its typed model, strictly (an unknown field
    /// anywhere fails). Documents of <see cref="UntypedKinds"/> are left out: there is no model to read them into.
    /// </summary>
    public IReadOnlyList<object> LoadTypedStrictly()
    {
        var typed = Documents.Where(d => !UntypedKinds.Contains(KeyOf(d))).ToList();
        var yaml = string.Join("\n---\n", typed.Select(d => d.ToJsonString()));
        return KubernetesYaml.LoadAllFromString(yaml, TypedKinds, strict: true);
    }

    private static Dictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is not { Kind: { Length: > 0 } kind } entity) continue;
            var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
            map[$"{apiVersion}/{kind}"] = type;
        }

        map[$"{ResponsibilityPolicy.ApiVersionName}/{ResponsibilityPolicy.KindName}"] = typeof(ResponsibilityPolicy);
        return map;
    }
}
