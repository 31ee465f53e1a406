namespace EksHardening.Operator.Tests.Cli;

/// <summary>Runs <c>eks-hardening scan</c> in process at the tests' fixed instant, with a scratch folder for input files.</summary>
public abstract class ScanTestBase : IDisposable
{
    /// <summary>A policy that fails images tagged latest (or untagged).</summary>
    protected const string LatestPolicy = """
        apiVersion: eks-hardening.io/v1alpha1
        kind: ResponsibilityPolicy
        metadata: {name: tags}
        spec:
          imageScanning: {disallowLatestTag: true}

        """;

    protected string Temp { get; } = Directory.CreateTempSubdirectory("eks-hardening-scan-").FullName;

    public void Dispose()
    {
        Directory.Delete(Temp, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    protected static Outcome Scan(string? stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = new ScanCommand(new StringReader(stdin ?? ""), stdout, stderr, new FixedClock(TestEvaluation.Now)).Run(args);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A scan with the given environment variables only (none of the process's) and, if asked, terminals for stdout and stderr.</summary>
    protected static Outcome ScanWith(IReadOnlyDictionary<string, string> environment, bool terminal, string? stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var io = new CommandIo(new StringReader(stdin ?? ""), stdout, stderr, name => environment.GetValueOrDefault(name), new FixedClock(TestEvaluation.Now))
        {
            OutputIsTerminal = terminal,
            ErrorIsTerminal = terminal,
        };
        var code = new ScanCommand(io).Run(args);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Writes a file into the scratch folder and returns its path.</summary>
    protected string Write(string name, string content)
    {
        var path = Path.Combine(Temp, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
