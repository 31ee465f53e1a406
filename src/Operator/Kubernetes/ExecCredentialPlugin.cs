using System.Net.Http.Headers;
using EksHardening.Operator.Manifests;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace EksHardening.Operator.Kubernetes;

/// <summary>
/// A kubeconfig user's <c>exec</c> credential plugin (on EKS, <c>aws eks get-token</c>), run as kubectl runs it: the
/// command with its own argument list and environment plus <c>KUBERNETES_EXEC_INFO</c>, no stdin, its stdout read as
/// an <c>ExecCredential</c>. The client's own runner writes that variable by reflection, which the native build does
/// not have, so the operator runs the plugin itself in every build and hands the client the result.
/// </summary>
public sealed class ExecCredentialPlugin(ExternalExecution exec) : ITokenProvider
{
    /// <summary>As the client: a plugin that has not answered in two minutes has failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan RefreshAhead = TimeSpan.FromSeconds(30);
    private ExecCredentialResponse.ExecStatus? _current;

    /// <summary>
    /// When the user of <paramref name="context"/> (else the current context) has an exec plugin: runs it once and
    /// puts what it returned in the user's place (token, client certificate and key), so the client need not run it;
    /// returns the plugin, which renews the token when it expires, or null when that user has none.
    /// </summary>
    /// <exception cref="KubeConfigException">The plugin is incomplete, does not start, fails, times out or returns no credential.</exception>
    public static ExecCredentialPlugin? TakeOver(K8SConfiguration config, string? context)
    {
        ArgumentNullException.ThrowIfNull(config);
        var contextName = context ?? config.CurrentContext;
        var userName = config.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.User;
        var credentials = config.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (credentials?.ExternalExecution is not { } exec) return null;
        if (string.IsNullOrWhiteSpace(exec.Command)) throw new KubeConfigException($"user {userName}: exec needs a command");
        if (string.IsNullOrWhiteSpace(exec.ApiVersion)) throw new KubeConfigException($"user {userName}: exec needs an apiVersion");

        var plugin = new ExecCredentialPlugin(exec);
        var status = plugin.Run();
        plugin._current = status;
        credentials.ExternalExecution = null;
        credentials.Token = status.Token;
        // The client reads certificate data from a kubeconfig as base64; a plugin returns the PEM text itself.
        if (status.ClientCertificateData is { } certificate) credentials.ClientCertificateData = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate));
        if (status.ClientKeyData is { } key) credentials.ClientKeyData = Convert.ToBase64String(Encoding.ASCII.GetBytes(key));
        return plugin;
    }

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        // Requests that find the token expiring at once may each run the plugin: harmless, and no request waits on a lock.
        var status = Volatile.Read(ref _current);
        if (status is null || status.ExpirationTimestamp is { } expires && DateTime.UtcNow + RefreshAhead > expires)
        {
            status = await Task.Run(Run, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, status);
        }

        return new AuthenticationHeaderValue("Bearer", status.Token);
    }

    /// <summary>Runs the plugin once and returns the credential it printed.</summary>
    public ExecCredentialResponse.ExecStatus Run()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KUBERNETES_EXEC_INFO"] = new JsonObject
            {
                ["apiVersion"] = exec.ApiVersion,
                ["kind"] = "ExecCredential",
                ["spec"] = new JsonObject { ["interactive"] = false },
            }.ToJsonString(),
        };
        foreach (var variable in exec.EnvironmentVariables ?? [])
        {
            if (!variable.TryGetValue("name", out var name) || !variable.TryGetValue("value", out var value))
            {
                throw new KubeConfigException($"exec {exec.Command}: an env entry needs a name and a value");
            }

            environment[name] = value;
        }

        ExternalCommandResult? result;
        try
        {
            result = ExternalCommand.Run(exec.Command, exec.Arguments ?? [], Timeout, environment);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new KubeConfigException($"exec {exec.Command} does not start: {e.Message}" + (exec.InstallHint is { } hint ? $" ({hint.Trim()})" : ""));
        }

        if (result is null) throw new KubeConfigException($"exec {exec.Command} did not answer within {Timeout.TotalMinutes:0} minutes");
        if (result.ExitCode != 0)
        {
            throw new KubeConfigException($"exec {exec.Command} exited {result.ExitCode}: {FirstLine(result.Stderr)}");
        }

        ExecCredentialResponse? response;
        try
        {
            response = KubernetesJson.Deserialize<ExecCredentialResponse>(result.Stdout);
        }
        catch (JsonException e)
        {
            throw new KubeConfigException($"exec {exec.Command} printed no ExecCredential: {e.Message}");
        }

        if (response?.Status is not { } status || !status.IsValid())
        {
            throw new KubeConfigException($"exec {exec.Command} returned no token and no client certificate and key");
        }

        return status;
    }

    private static string FirstLine(string text) => text.Trim().Split('\n', 2)[0].Trim();
}
