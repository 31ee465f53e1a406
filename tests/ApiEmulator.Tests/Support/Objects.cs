namespace EksHardening.ApiEmulator.Tests.Support;

/// <summary>Small builders for the objects the tests create.</summary>
public static class Objects
{
    public static V1Pod Pod(string name, string ns = "default", IDictionary<string, string>? labels = null, string image = "nginx:1.25") => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
    };

    public static V1Deployment Deployment(string name, string ns = "default", int replicas = 1) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.25" }] },
            },
        },
    };

    public static V1ConfigMap ConfigMap(string name, string ns = "default", IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Data = new Dictionary<string, string> { ["key"] = "value" },
    };

    public static V1Namespace Namespace(string name, IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
    };

    public static Dictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
