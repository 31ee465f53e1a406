using EksHardening.Operator.Cli;

namespace EksHardening.Operator;

/// <summary>Entry point: <c>run</c> (the operator), <c>scan</c> (offline evaluation) and <c>version</c>, on System.CommandLine.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            return await EksHardeningCommand.InvokeAsync(args, CommandIo.Process).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Last line of defence: one line, never a stack trace.
            await Console.Error.WriteLineAsync($"{EksHardeningCommand.Name}: internal error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }
}
