using EksHardening.Operator.Kubernetes;
using k8s.Exceptions;

namespace EksHardening.Operator.Tests.Kubernetes;

/// <summary>Our kubeconfig reader gives what the client's own BuildConfigFromConfigFile gives, for the same file and context.</summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    private const string TwoContexts = """
        apiVersion: v1
        kind: Config
        preferences: {colors: true}
        clusters:
        - name: prod
          cluster: {server: "https://prod.example.com:6443", insecure-skip-tls-verify: true, tls-server-name: api.prod}
        - name: dev
          cluster: {server: "https://dev.example.com"}
        users:
        - name: ci
          user: {token: secret-token}
        - name: admin
          user: {client-certificate: certs/admin.crt, client-key: certs/admin.key, username: admin}
        contexts:
        - name: prod-ci
          context: {cluster: prod, user: ci, namespace: platform}
        - name: dev-admin
          context: {cluster: dev, user: admin}
        current-context: prod-ci
        extensions: [{name: x, extension: {a: b}}]
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("prod-ci")]
    [InlineData("dev-admin")]
    public void Reads_a_kubeconfig_as_the_client_does(string? context)
    {
        var path = Write("config", TwoContexts);
        var ours = KubeconfigFile.Load(path, context);
        var client = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        Assert.Equal(Describe(client), Describe(ours));
    }

    [Fact]
    public void Paths_in_the_file_are_relative_to_its_folder_and_the_context_it_names_is_used()
    {
        var ours = KubeconfigFile.Load(Write("config", TwoContexts), "dev-admin");
        Assert.Equal("https://dev.example.com/", ours.Host.TrimEnd('/') + "/");
        Assert.Equal(Path.Combine(_folder, "certs", "admin.crt"), ours.ClientCertificateFilePath);
        Assert.Equal(Path.Combine(_folder, "certs", "admin.key"), ours.ClientKeyFilePath);
    }

    [Fact]
    public void A_missing_or_empty_file_or_an_unknown_context_is_a_kubeconfig_error_naming_it()
    {
        var missing = Path.Combine(_folder, "absent");
        Assert.Contains(missing, Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(missing, null)).Message, StringComparison.Ordinal);
        var empty = Write("empty", "");
        Assert.Contains(empty, Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(empty, null)).Message, StringComparison.Ordinal);
        Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Write("config", TwoContexts), "staging"));
    }

    [Fact]
    public void A_file_that_is_not_yaml_is_a_yaml_error()
    {
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubeconfigFile.Load(Write("bad", "clusters: [unclosed"), null));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Describe(KubernetesClientConfiguration c) => string.Join("\n",
        c.Host, c.CurrentContext, c.Namespace, c.SkipTlsVerify, c.TlsServerName, c.AccessToken, c.Username, c.Password,
        c.ClientCertificateFilePath, c.ClientCertificateKeyStoreFlags, c.ClientKeyFilePath, c.ClientCertificateData, c.ClientCertificateKeyData);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
