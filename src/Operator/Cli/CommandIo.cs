namespace EksHardening.Operator.Cli;

/// <summary>What a command reads and writes: the standard streams, the environment variables, the clock.</summary>
public sealed record CommandIo(TextReader In, TextWriter Out, TextWriter Error, Func<string, string?> Environment, TimeProvider Clock)
{
    /// <summary>The process's own.</summary>
    public static CommandIo Process => new(Console.In, Console.Out, Console.Error, System.Environment.GetEnvironmentVariable, TimeProvider.System);
}
