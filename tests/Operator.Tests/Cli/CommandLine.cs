namespace EksHardening.Operator.Tests.Cli;

/// <summary>The executable's command line in process, with captured streams and no environment variables.</summary>
internal static class CommandLine
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static Outcome Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = EksHardeningCommand.Invoke(args, new CommandIo(new StringReader(""), stdout, stderr, _ => null, new FixedClock(TestEvaluation.Now)));
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }
}
