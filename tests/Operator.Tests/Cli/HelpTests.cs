using VersionInfo = EksHardening.Operator.Cli.VersionInfo;

namespace EksHardening.Operator.Tests.Cli;

/// <summary><c>--help</c> on every verb, and what the bare command line does.</summary>
public class HelpTests
{
    [Theory]
    [InlineData(new[] { "--help" }, "Usage: eks-hardening <command> [flags]")]
    [InlineData(new[] { "-h" }, "Usage: eks-hardening <command> [flags]")]
    [InlineData(new[] { "help" }, "Usage: eks-hardening <command> [flags]")]
    [InlineData(new[] { "run", "--help" }, "Usage: eks-hardening run [flags]")]
    [InlineData(new[] { "run", "-h" }, "Usage: eks-hardening run [flags]")]
    [InlineData(new[] { "scan", "--help" }, "Usage: eks-hardening scan -f PATH")]
    [InlineData(new[] { "scan", "-h" }, "Usage: eks-hardening scan -f PATH")]
    [InlineData(new[] { "version", "--help" }, "Usage: eks-hardening version")]
    public void Every_verb_has_help_on_stdout_and_exits_0(string[] args, string usage)
    {
        var outcome = CommandLine.Invoke(args);
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.StartsWith(usage, outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains("-h, --help", outcome.Stdout, StringComparison.Ordinal);
        Assert.Equal("", outcome.Stderr);
    }

    [Fact]
    public void The_root_help_lists_the_verbs()
    {
        var help = CommandLine.Invoke("--help").Stdout;
        foreach (var verb in new[] { "run", "scan", "version" }) Assert.Matches($@"(?m)^  {verb}\s+\S", help);
    }

    [Fact]
    public void Run_help_groups_the_webhook_flags_and_states_the_exit_codes()
    {
        var help = CommandLine.Invoke("run", "--help").Stdout;
        var webhook = help.IndexOf("Admission webhook", StringComparison.Ordinal);
        Assert.True(webhook > 0);
        Assert.True(help.IndexOf("--webhook-port", StringComparison.Ordinal) > webhook);
        Assert.True(help.IndexOf("--workers", StringComparison.Ordinal) < webhook);
        Assert.Contains("Exit codes: 0 stopped on request (SIGTERM), 1 a part of the operator failed, 2", help, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_help_explains_kubernetes_version()
    {
        var help = CommandLine.Invoke("scan", "--help").Stdout;
        Assert.Contains("[--kubernetes-version VERSION]", help, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ +--kubernetes-version VERSION\s+the API server's version", help);
    }

    [Fact]
    public void Scan_help_states_the_exit_codes() =>
        Assert.Contains("Exit codes: 0 nothing fails at or above --fail-on, 1 something does, 2 usage or input error.",
            CommandLine.Invoke("scan", "--help").Stdout, StringComparison.Ordinal);

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    public void Version_prints_the_version(string arg)
    {
        var outcome = CommandLine.Invoke(arg);
        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        Assert.Equal($"eks-hardening {VersionInfo.Version}", outcome.Stdout.TrimEnd());
    }

    [Fact]
    public void No_command_prints_the_usage_on_stderr_and_exits_2()
    {
        var outcome = CommandLine.Invoke();
        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.StartsWith("Usage: eks-hardening <command> [flags]", outcome.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "eks-hardening: unknown command 'frobnicate'")]
    [InlineData(new[] { "run", "--bogus" }, "eks-hardening run: unknown flag --bogus")]
    [InlineData(new[] { "run", "--workers" }, "eks-hardening run: --workers needs a value")]
    [InlineData(new[] { "run", "--workers", "zero" }, "eks-hardening run: --workers must be a whole number, not 'zero'")]
    [InlineData(new[] { "run", "--workers", "0" }, "eks-hardening run: --workers must be a whole number from 1 to 64, not '0'")]
    [InlineData(new[] { "scan", "-f" }, "eks-hardening scan: -f needs a value")]
    [InlineData(new[] { "scan", "-f", "x.yaml", "--kubernetes-version", "1.x" },
        "eks-hardening scan: --kubernetes-version must be a Kubernetes version such as 1.31, v1.31 or v1.31.2-eks-7f9249a, not '1.x'")]
    [InlineData(new[] { "scan", "-f", "x.yaml", "--kubernetes-version", "131" },
        "eks-hardening scan: --kubernetes-version must be a Kubernetes version such as 1.31, v1.31 or v1.31.2-eks-7f9249a, not '131'")]
    [InlineData(new[] { "scan", "stray" }, "eks-hardening scan: unexpected argument 'stray' (inputs are given with -f)")]
    public void A_bad_command_line_exits_2_with_one_line_naming_the_flag(string[] args, string firstLine)
    {
        var outcome = CommandLine.Invoke(args);
        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Equal(firstLine, outcome.Stderr.Split('\n')[0].TrimEnd('\r'));
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
    }
}
