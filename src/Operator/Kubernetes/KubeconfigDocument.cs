using k8s.KubeConfigModels;
using YamlDotNet.Serialization;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// A kubeconfig file as YAML, in types of its own that YamlDotNet's generated static context reads without
/// reflection (the client's model types carry untyped extensions the generator cannot read). Only what the client
/// uses to connect is read; extensions and preferences are skipped, as the client skips them.
/// </summary>
internal sealed class KubeconfigDocument
{
    [YamlMember(Alias = "apiVersion")] public string? ApiVersion { get; set; }
    [YamlMember(Alias = "kind")] public string? Kind { get; set; }
    [YamlMember(Alias = "current-context")] public string? CurrentContext { get; set; }
    [YamlMember(Alias = "contexts")] public List<NamedContext>? Contexts { get; set; }
    [YamlMember(Alias = "clusters")] public List<NamedCluster>? Clusters { get; set; }
    [YamlMember(Alias = "users")] public List<NamedUser>? Users { get; set; }

    /// <summary>The client's model of this file.</summary>
    public K8SConfiguration ToClientModel() => new()
    {
        ApiVersion = ApiVersion,
        Kind = Kind,
        CurrentContext = CurrentContext,
        Contexts = (Contexts ?? []).Select(c => new k8s.KubeConfigModels.Context
        {
            Name = c.Name,
            ContextDetails = c.Context is null ? null : new ContextDetails { Cluster = c.Context.Cluster, User = c.Context.User, Namespace = c.Context.Namespace },
        }).ToList(),
        Clusters = (Clusters ?? []).Select(c => new Cluster
        {
            Name = c.Name,
            ClusterEndpoint = c.Cluster is null ? null : new ClusterEndpoint
            {
                Server = c.Cluster.Server,
                CertificateAuthority = c.Cluster.CertificateAuthority,
                CertificateAuthorityData = c.Cluster.CertificateAuthorityData,
                TlsServerName = c.Cluster.TlsServerName,
                SkipTlsVerify = c.Cluster.InsecureSkipTlsVerify,
            },
        }).ToList(),
        Users = (Users ?? []).Select(u => new User { Name = u.Name, UserCredentials = u.User?.ToClientModel() }).ToList(),
    };

    internal sealed class NamedContext
    {
        [YamlMember(Alias = "name")] public string? Name { get; set; }
        [YamlMember(Alias = "context")] public ContextFields? Context { get; set; }
    }

    internal sealed class ContextFields
    {
        [YamlMember(Alias = "cluster")] public string? Cluster { get; set; }
        [YamlMember(Alias = "user")] public string? User { get; set; }
        [YamlMember(Alias = "namespace")] public string? Namespace { get; set; }
    }

    internal sealed class NamedCluster
    {
        [YamlMember(Alias = "name")] public string? Name { get; set; }
        [YamlMember(Alias = "cluster")] public ClusterFields? Cluster { get; set; }
    }

    internal sealed class ClusterFields
    {
        [YamlMember(Alias = "server")] public string? Server { get; set; }
        [YamlMember(Alias = "certificate-authority")] public string? CertificateAuthority { get; set; }
        [YamlMember(Alias = "certificate-authority-data")] public string? CertificateAuthorityData { get; set; }
        [YamlMember(Alias = "tls-server-name")] public string? TlsServerName { get; set; }
        [YamlMember(Alias = "insecure-skip-tls-verify")] public bool InsecureSkipTlsVerify { get; set; }
    }

    internal sealed class NamedUser
    {
        [YamlMember(Alias = "name")] public string? Name { get; set; }
        [YamlMember(Alias = "user")] public UserFields? User { get; set; }
    }

    internal sealed class UserFields
    {
        [YamlMember(Alias = "client-certificate-data")] public string? ClientCertificateData { get; set; }
        [YamlMember(Alias = "client-certificate")] public string? ClientCertificate { get; set; }
        [YamlMember(Alias = "client-key-data")] public string? ClientKeyData { get; set; }
        [YamlMember(Alias = "client-key")] public string? ClientKey { get; set; }
        [YamlMember(Alias = "token")] public string? Token { get; set; }
        [YamlMember(Alias = "as")] public string? Impersonate { get; set; }
        [YamlMember(Alias = "as-groups")] public List<string>? ImpersonateGroups { get; set; }
        [YamlMember(Alias = "as-user-extra")] public Dictionary<string, string>? ImpersonateUserExtra { get; set; }
        [YamlMember(Alias = "username")] public string? UserName { get; set; }
        [YamlMember(Alias = "password")] public string? Password { get; set; }
        [YamlMember(Alias = "auth-provider")] public AuthProviderFields? AuthProvider { get; set; }
        [YamlMember(Alias = "exec")] public ExecFields? Exec { get; set; }

        public UserCredentials ToClientModel() => new()
        {
            ClientCertificateData = ClientCertificateData,
            ClientCertificate = ClientCertificate,
            ClientKeyData = ClientKeyData,
            ClientKey = ClientKey,
            Token = Token,
            Impersonate = Impersonate,
            ImpersonateGroups = ImpersonateGroups ?? [],
            ImpersonateUserExtra = ImpersonateUserExtra ?? [],
            UserName = UserName,
            Password = Password,
            AuthProvider = AuthProvider is null ? null : new AuthProvider { Name = AuthProvider.Name, Config = AuthProvider.Config ?? [] },
            ExternalExecution = Exec is null ? null : new ExternalExecution
            {
                ApiVersion = Exec.ApiVersion,
                Command = Exec.Command,
                Arguments = Exec.Args ?? [],
                EnvironmentVariables = (Exec.Env ?? []).Select(e => new Dictionary<string, string>(e)).ToList(),
                InstallHint = Exec.InstallHint,
                ProvideClusterInfo = Exec.ProvideClusterInfo,
            },
        };
    }

    internal sealed class AuthProviderFields
    {
        [YamlMember(Alias = "name")] public string? Name { get; set; }
        [YamlMember(Alias = "config")] public Dictionary<string, string>? Config { get; set; }
    }

    internal sealed class ExecFields
    {
        [YamlMember(Alias = "apiVersion")] public string? ApiVersion { get; set; }
        [YamlMember(Alias = "command")] public string? Command { get; set; }
        [YamlMember(Alias = "args")] public List<string>? Args { get; set; }
        [YamlMember(Alias = "env")] public List<Dictionary<string, string>>? Env { get; set; }
        [YamlMember(Alias = "installHint")] public string? InstallHint { get; set; }
        [YamlMember(Alias = "provideClusterInfo")] public bool ProvideClusterInfo { get; set; }
    }
}

/// <summary>The generated reader of <see cref="KubeconfigDocument"/>.</summary>
[YamlStaticContext]
[YamlSerializable(typeof(KubeconfigDocument))]
[YamlSerializable(typeof(KubeconfigDocument.NamedContext))]
[YamlSerializable(typeof(KubeconfigDocument.ContextFields))]
[YamlSerializable(typeof(KubeconfigDocument.NamedCluster))]
[YamlSerializable(typeof(KubeconfigDocument.ClusterFields))]
[YamlSerializable(typeof(KubeconfigDocument.NamedUser))]
[YamlSerializable(typeof(KubeconfigDocument.UserFields))]
[YamlSerializable(typeof(KubeconfigDocument.AuthProviderFields))]
[YamlSerializable(typeof(KubeconfigDocument.ExecFields))]
public partial class KubeconfigYamlContext : StaticContext;
