using System.ComponentModel;

namespace EksHardening.Operator.Manifests;

/// <summary>What an external command printed and how it ended.</summary>
public sealed record ExternalCommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// One run of an external tool as the operator runs them (helm and kubectl rendering inputs, a kubeconfig's credential
/// plugin): no shell, the arguments one by one, stdin closed at once (the tool reads nothing of ours; a scan's stdin
/// may be a manifest stream), stdout and stderr read whole, and the process tree stopped when it overruns its time.
/// </summary>
public static class ExternalCommand
{
    /// <param name="environment">Variables set for the tool on top of the process's own.</param>
    /// <returns>How it ended, or null when it did not finish within <paramref name="timeout"/> (it was stopped).</returns>
    /// <exception cref="Win32Exception">The tool could not be started (not found, not executable).</exception>
    public static ExternalCommandResult? Run(string tool, IEnumerable<string> arguments, TimeSpan timeout, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;

        using var process = new Process { StartInfo = start };
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return null;
        }

        // The timed wait can return before the output is drained; the untimed one waits for it.
        process.WaitForExit();
        return new ExternalCommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
