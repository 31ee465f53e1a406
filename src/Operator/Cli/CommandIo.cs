namespace EksHardening.Operator.Cli;

/// <summary>What a command reads and writes: the standard streams, the environment variables, the clock.</summary>
public sealed record CommandIo(TextReader In, TextWriter Out, TextWriter Error, Func<string, string?> Environment, TimeProvider Clock)
{
    /// <summary>Standard output is a terminal (the table may be coloured); false for pipes, files and tests.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Standard error is a terminal (progress may be redrawn on one line); false for pipes, files and tests.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The process's own.</summary>
    public static CommandIo Process => new(Console.In, Console.Out, Console.Error, System.Environment.GetEnvironmentVariable, TimeProvider.System)
    {
        OutputIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };
}
