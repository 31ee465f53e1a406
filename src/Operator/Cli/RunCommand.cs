using EksHardening.Operator.Hosting;
using Microsoft.AspNetCore.Builder;

namespace EksHardening.Operator.Cli;

/// <summary><c>eks-hardening run</c>: the operator, until SIGTERM.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        OperatorOptions options;
        bool help;
        try
        {
            options = RunFlags.Parse(args, null, out help);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"eks-hardening run: {e.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync("Run 'eks-hardening run --help' for usage.").ConfigureAwait(false);
            return ScanCommand.ExitUsage;
        }

        if (help)
        {
            await stdout.WriteLineAsync(RunFlags.Usage).ConfigureAwait(false);
            return 0;
        }

        k8s.KubernetesClientConfiguration configuration;
        try
        {
            configuration = OperatorHost.ClientConfiguration(options);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            await stderr.WriteLineAsync($"eks-hardening run: cannot load the Kubernetes configuration: {e.Message}").ConfigureAwait(false);
            return ScanCommand.ExitUsage;
        }

        var app = OperatorHost.Build(options, clientConfiguration: configuration);
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }

        return 0;
    }
}
