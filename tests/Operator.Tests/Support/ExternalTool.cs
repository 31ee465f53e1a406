using System.Diagnostics;

namespace EksHardening.Operator.Tests.Support;

/// <summary>Runs an external tool the tests use (helm, promtool, the linters, the README generator) without a shell.</summary>
internal static class ExternalTool
{
    /// <summary>Runs the tool to its end; returns its exit code and both outputs.</summary>
    public static ToolResult Run(string executable, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>
    /// Where the tool is: the path in <paramref name="variable"/> (set by .ci/run), else <paramref name="installed"/>
    /// (under .tools/), else <paramref name="command"/> on PATH; null when none exists.
    /// </summary>
    public static string? Find(string variable, string? installed, string? command)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured && File.Exists(configured)) return configured;
        if (installed is not null && File.Exists(installed)) return installed;
        return command is null ? null : FindOnPath(command);
    }

    /// <summary>
    /// The found tool; when it is missing the test fails under <paramref name="requireVariable"/>=1 (CI installs the
    /// tool, so there it must run) and otherwise skips, saying how to get it.
    /// </summary>
    public static string Require(string? found, string requireVariable, string tool, string howToGet)
    {
        if (found is not null) return found;
        Assert.False(Environment.GetEnvironmentVariable(requireVariable) == "1", $"{requireVariable}=1 but {tool} was not found; .ci/run installs it");
        Skip.If(true, $"{tool} not found: {howToGet}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The first executable of that name on PATH.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}

internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr);
