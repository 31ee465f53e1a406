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

    /// <summary>
    /// An exec plugin (as <c>aws eks get-token</c>) gets its arguments one by one, its env entries and
    /// KUBERNETES_EXEC_INFO, and its credential becomes the client's token, renewed when it expires.
    /// </summary>
    [Fact]
    public async Task An_exec_plugin_s_token_is_used_and_renewed_when_it_expires()
    {
        var calls = Path.Combine(_folder, "calls");
        var plugin = Write("plugin.sh", $$$"""
            #!/bin/sh
            printf '%s|%s|%s|%s\n' "$1" "$2" "$CLUSTER" "$KUBERNETES_EXEC_INFO" >> '{{{calls}}}'
            n=$(wc -l < '{{{calls}}}')
            printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t%s","expirationTimestamp":"2020-01-01T00:00:00Z"}}' "$n"
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Write("config", ExecConfig(plugin, ["--cluster-name", "my cluster"]));

        var config = KubeconfigFile.Load(path, null);
        Assert.Equal("t1", config.AccessToken);
        Assert.NotNull(config.TokenProvider);
        var header = await config.TokenProvider.GetAuthenticationHeaderAsync(CancellationToken.None);
        Assert.Equal("Bearer t2", header.ToString());   // the first token had expired: the plugin ran again

        var first = File.ReadAllLines(calls)[0].Split('|');
        Assert.Equal(["--cluster-name", "my cluster", "prod"], first[..3]);
        var info = JsonNode.Parse(first[3])!;
        Assert.Equal("client.authentication.k8s.io/v1beta1", info["apiVersion"]!.GetValue<string>());
        Assert.Equal("ExecCredential", info["kind"]!.GetValue<string>());
        Assert.False(info["spec"]!["interactive"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("exit 3", "exited 3: no credentials here")]
    [InlineData("echo not-json", "printed no ExecCredential")]
    [InlineData("echo '{\"status\":{}}'", "returned no token")]
    public void A_failing_exec_plugin_is_a_kubeconfig_error_naming_it(string body, string expected)
    {
        var plugin = Write("plugin.sh", "#!/bin/sh\necho 'no credentials here' >&2\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var error = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Write("config", ExecConfig(plugin)), null));
        Assert.Contains(plugin, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exec_plugin_that_is_not_installed_is_a_kubeconfig_error_with_its_install_hint()
    {
        var error = Assert.Throws<KubeConfigException>(() =>
            KubeconfigFile.Load(Write("config", ExecConfig(Path.Combine(_folder, "absent"), extraExecField: "installHint: install the AWS CLI")), null));
        Assert.Contains("does not start", error.Message, StringComparison.Ordinal);
        Assert.Contains("install the AWS CLI", error.Message, StringComparison.Ordinal);
    }

    private static string ExecConfig(string command, string[]? args = null, string extraExecField = "") => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://prod.example.com:6443"}
        users:
        - name: eks
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: {{command}}
              args: [{{string.Join(", ", (args ?? []).Select(a => $"\"{a}\""))}}]
              env: [{name: CLUSTER, value: prod}]
              {{extraExecField}}
        contexts:
        - name: prod
          context: {cluster: prod, user: eks}
        current-context: prod

        """;

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
