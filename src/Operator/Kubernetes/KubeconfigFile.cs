using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Reads a kubeconfig as the client's <c>BuildConfigFromConfigFile</c> does (the given file, else ~/.kube/config; paths
/// in it relative to its folder; the named context, else current-context), with a YAML reader of the kubeconfig's own
/// types. The client's reader registers YAML overrides for every API model on first use: ~26 MB the process would
/// keep for its whole life to read one small file.
/// </summary>
public static class KubeconfigFile
{
    // The kubeconfig types name every field with YamlMember aliases; the naming convention is the client's.
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <exception cref="KubeConfigException">The file is missing or empty, or names no usable context.</exception>
    /// <exception cref="YamlDotNet.Core.YamlException">The file is not a kubeconfig.</exception>
    public static KubernetesClientConfiguration Load(string? path, string? context)
    {
        var file = new FileInfo(path ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
        if (!file.Exists) throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        K8SConfiguration? config;
        using (var reader = file.OpenText()) config = Yaml.Deserialize<K8SConfiguration?>(reader);
        if (config is null) throw new KubeConfigException($"kubeconfig {file.FullName} is empty");
        config.FileName = file.FullName;
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
    }
}
