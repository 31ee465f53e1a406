using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// Reads a kubeconfig as the client's <c>BuildConfigFromConfigFile</c> does (the given file, else ~/.kube/config; paths
/// in it relative to its folder; the named context, else current-context), with a YAML reader of the kubeconfig's own
/// types. The client's reader registers YAML overrides for every API model on first use: ~26 MB the process would
/// keep for its whole life to read one small file.
/// </summary>
public static class KubeconfigFile
{
    // Every field is named by its YamlMember alias, as the file spells it.
    private static readonly IDeserializer Yaml = new StaticDeserializerBuilder(new KubeconfigYamlContext())
        .IgnoreUnmatchedProperties()
        .Build();

    /// <exception cref="KubeConfigException">The file is missing or empty, or names no usable context.</exception>
    /// <exception cref="YamlDotNet.Core.YamlException">The file is not a kubeconfig.</exception>
    public static KubernetesClientConfiguration Load(string? path, string? context)
    {
        var file = new FileInfo(path ?? KubernetesClientConfiguration.KubeConfigDefaultLocation);
        if (!file.Exists) throw new KubeConfigException($"kubeconfig file not found at {file.FullName}");
        KubeconfigDocument? document;
        using (var reader = file.OpenText()) document = Yaml.Deserialize<KubeconfigDocument?>(reader);
        var config = document?.ToClientModel();
        if (config is null) throw new KubeConfigException($"kubeconfig {file.FullName} is empty");
        config.FileName = file.FullName;
        var plugin = ExecCredentialPlugin.TakeOver(config, context);
        var built = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
        if (plugin is not null && built.AccessToken is not null) built.TokenProvider = plugin;
        return built;
    }
}
