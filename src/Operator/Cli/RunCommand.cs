using System.CommandLine;
using EksHardening.Operator.Hosting;

namespace EksHardening.Operator.Cli;

/// <summary>
/// <c>eks-hardening run</c>: the operator, until SIGTERM (exit 0). Options that fail their checks or a kubeconfig
/// that does not load exit 2 before anything starts; a part of the operator that fails (a background service that
/// throws, a listener that cannot bind) stops it with exit 1 and one log line naming the part and the error.
/// </summary>
public static partial class RunCommand
{
    public const string Name = "run";

    internal static Command Create(CommandIo io, HelpPages help)
    {
        var flags = new RunFlags();
        var command = new Command(Name, "run the operator against a cluster (see 'run --help')");
        foreach (var option in flags.Options) command.Add(option);
        command.SetAction((result, _) => RunAsync(flags, result, io));
        help.Add(command, new HelpPage(
            $"Usage: {EksHardeningCommand.Name} run [flags]",
            """
            Runs the operator: watches ResponsibilityPolicies and workloads and keeps each policy's status true.
            Every flag can also be set by the environment variable in brackets; the flag wins.
            """,
            flags.HelpSections,
            "Exit codes: 0 stopped on request (SIGTERM), 1 a part of the operator failed, 2 a bad flag, variable or kubeconfig."));
        return command;
    }

    private static async Task<int> RunAsync(RunFlags flags, ParseResult result, CommandIo io)
    {
        OperatorOptions options;
        try
        {
            options = flags.Bind(result, io.Environment);
        }
        catch (UsageException e)
        {
            return await UsageErrorAsync(io, e.Message).ConfigureAwait(false);
        }

        if (OperatorHost.Problems(options) is { Count: > 0 } problems) return await UsageErrorAsync(io, string.Join("; ", problems)).ConfigureAwait(false);

        k8s.KubernetesClientConfiguration configuration;
        try
        {
            configuration = OperatorHost.ClientConfiguration(options);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            await io.Error.WriteLineAsync($"{EksHardeningCommand.Name} run: cannot load the Kubernetes configuration: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var app = OperatorHost.Build(options, clientConfiguration: configuration);
        await using (app.ConfigureAwait(false))
        {
            return await RunUntilStoppedAsync(app).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="host"/> until it stops: 0 when stopped on request, 1 when it could not start or a background
    /// service failed (the host stops on such a failure: <see cref="BackgroundServiceExceptionBehavior.StopHost"/>).
    /// </summary>
    internal static async Task<int> RunUntilStoppedAsync(IHost host)
    {
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RunCommand).FullName!);
        try
        {
            await host.StartAsync().ConfigureAwait(false);
            // Returns once the host has stopped: on SIGTERM, or because a background service failed.
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogFailure(logger, "the operator", e);
            return ExitCodes.Failure;
        }

        var failures = OperatorHost.FailedServices(host);
        foreach (var (service, error) in failures) LogFailure(logger, service, error);
        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>One line naming the part and the error; the stack trace only at Debug.</summary>
    private static void LogFailure(ILogger logger, string part, Exception e)
    {
        var error = Unwrap(e);
        var errorType = error.GetType().Name;
        LogFailed(logger, part, errorType, error.Message);
        LogFailureDetail(logger, e);
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } one ? Unwrap(one.InnerExceptions[0]) : e;

    private static async Task<int> UsageErrorAsync(CommandIo io, string message)
    {
        await io.Error.WriteLineAsync($"{EksHardeningCommand.Name} run: {message}").ConfigureAwait(false);
        await io.Error.WriteLineAsync($"Run '{EksHardeningCommand.Name} run --help' for usage.").ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Part} failed, the operator stops (exit code 1): {ErrorType}: {Error}")]
    private static partial void LogFailed(ILogger logger, string part, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The failure in full")]
    private static partial void LogFailureDetail(ILogger logger, Exception error);
}
