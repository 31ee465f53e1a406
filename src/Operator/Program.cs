using EksHardening.Operator.Cli;

namespace EksHardening.Operator;

/// <summary>Entry point: <c>run</c> (the operator), <c>scan</c> (offline evaluation) and <c>version</c>.</summary>
internal static class Program
{
    private const string Usage = """
        Usage: eks-hardening <command> [flags]

        Commands:
          run       run the operator against a cluster (see 'run --help')
          scan      evaluate manifests offline against ResponsibilityPolicies (see 'scan --help')
          version   print the version
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() == "run"
                ? await RunCommand.RunAsync(args[1..], Console.Out, Console.Error).ConfigureAwait(false)
                : Dispatch(args);
        }
        catch (Exception e)
        {
            // Last line of defence: one line, never a stack trace.
            Console.Error.WriteLine($"eks-hardening: internal error: {e.GetType().Name}: {e.Message}");
            return ScanCommand.ExitUsage;
        }
    }

    private static int Dispatch(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "scan":
                return new ScanCommand(Console.In, Console.Out, Console.Error, TimeProvider.System).Run(args[1..]);
            case "version" or "--version":
                Console.Out.WriteLine($"eks-hardening {VersionInfo.Version}");
                return 0;
            case "help" or "--help" or "-h":
                Console.Out.WriteLine(Usage);
                return 0;
            case null:
                Console.Error.WriteLine(Usage);
                return ScanCommand.ExitUsage;
            default:
                Console.Error.WriteLine($"eks-hardening: unknown command '{args[0]}'");
                Console.Error.WriteLine(Usage);
                return ScanCommand.ExitUsage;
        }
    }
}
