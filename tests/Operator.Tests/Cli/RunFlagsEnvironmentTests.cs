namespace EksHardening.Operator.Tests.Cli;

/// <summary>Every flag of <c>run</c> and its environment variable: the variable sets what the flag sets, the flag wins, the help names it.</summary>
public class RunFlagsEnvironmentTests
{
    /// <summary>Flag, variable, and a valid value that is not the default.</summary>
    public static TheoryData<string, string, string> Variables => new()
    {
        { "--kubeconfig", "KUBECONFIG", "/tmp/kc" },
        { "--context", "EKS_HARDENING_CONTEXT", "staging" },
        { "--leader-elect", "EKS_HARDENING_LEADER_ELECT", "false" },
        { "--lease-namespace", "EKS_HARDENING_LEASE_NAMESPACE", "ops" },
        { "--lease-name", "EKS_HARDENING_LEASE_NAME", "my-lease" },
        { "--lease-duration", "EKS_HARDENING_LEASE_DURATION", "30s" },
        { "--workers", "EKS_HARDENING_WORKERS", "7" },
        { "--health-port", "EKS_HARDENING_HEALTH_PORT", "9091" },
        { "--metrics-port", "EKS_HARDENING_METRICS_PORT", "9092" },
        { "--max-violations", "EKS_HARDENING_MAX_VIOLATIONS", "99" },
        { "--evaluation-interval", "EKS_HARDENING_EVALUATION_INTERVAL", "1h" },
        { "--status-write-interval", "EKS_HARDENING_STATUS_WRITE_INTERVAL", "0s" },
        { "--identity", "EKS_HARDENING_IDENTITY", "replica-a" },
        { "--aws", "EKS_HARDENING_AWS", "no" },
        { "--aws-region", "AWS_REGION", "eu-west-1" },
        { "--policy-reports", "EKS_HARDENING_POLICY_REPORTS", "0" },
        { "--policy-report-max-results", "EKS_HARDENING_POLICY_REPORT_MAX_RESULTS", "10" },
        { "--log-format", "EKS_HARDENING_LOG_FORMAT", "json" },
        { "--webhook-port", "EKS_HARDENING_WEBHOOK_PORT", "8443" },
        { "--webhook-timeout", "EKS_HARDENING_WEBHOOK_TIMEOUT", "12" },
        { "--webhook-failure-policy", "EKS_HARDENING_WEBHOOK_FAILURE_POLICY", "Fail" },
        { "--webhook-namespace", "EKS_HARDENING_WEBHOOK_NAMESPACE", "platform" },
        { "--webhook-service", "EKS_HARDENING_WEBHOOK_SERVICE", "hook" },
        { "--webhook-secret", "EKS_HARDENING_WEBHOOK_SECRET", "hook-tls" },
        { "--webhook-config", "EKS_HARDENING_WEBHOOK_CONFIG", "hook-config" },
        { "--webhook-cert-dir", "EKS_HARDENING_WEBHOOK_CERT_DIR", "/certs" },
    };

    private static Func<string, string?> Env(string variable, string value) => key => key == variable ? value : null;

    /// <summary>Every setting, to compare two parses whole.</summary>
    private static string Settings(OperatorOptions options) => JsonSerializer.Serialize(options);

    [Theory]
    [MemberData(nameof(Variables))]
    public void The_variable_sets_what_the_flag_sets(string flag, string variable, string value)
    {
        var fromFlag = Settings(RunFlags.Parse([flag, value], _ => null));
        var fromVariable = Settings(RunFlags.Parse([], Env(variable, value)));
        Assert.NotEqual(Settings(RunFlags.Parse([], _ => null)), fromFlag);
        Assert.Equal(fromFlag, fromVariable);
    }

    [Theory]
    [MemberData(nameof(Variables))]
    public void The_flag_wins_over_its_variable(string flag, string variable, string value)
    {
        // The variable's value is not even read when the flag is given: a bad one would fail the parse.
        var both = Settings(RunFlags.Parse([$"{flag}={value}"], Env(variable, "not valid for any flag!")));
        Assert.Equal(Settings(RunFlags.Parse([flag, value], _ => null)), both);
    }

    [Theory]
    [MemberData(nameof(Variables))]
    public void The_help_names_the_flag_and_its_variable(string flag, string variable, string value)
    {
        _ = value;
        var help = CommandLine.Invoke("run", "--help");
        Assert.Equal(ExitCodes.Success, help.ExitCode);
        var line = help.Stdout.IndexOf($"  {flag} ", StringComparison.Ordinal);
        Assert.True(line >= 0, $"{flag} is not in run --help");
        // The variable is named in the flag's own entry, before the next flag's.
        var next = help.Stdout.IndexOf("\n  --", line + 1, StringComparison.Ordinal);
        var entry = help.Stdout[line..(next < 0 ? help.Stdout.Length : next)];
        Assert.Contains($"[{variable}]", entry, StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_covers_every_flag_of_run() =>
        Assert.Equal(
            new RunFlags().Options.Select(o => o.Name).Order(StringComparer.Ordinal),
            Variables.Select(row => (string)row[0]).Order(StringComparer.Ordinal));

    [Fact]
    public void A_bad_variable_names_the_flag_and_the_variable()
    {
        var e = Assert.Throws<UsageException>(() => RunFlags.Parse([], Env("EKS_HARDENING_LEADER_ELECT", "maybe")));
        Assert.Contains("--leader-elect must be true or false", e.Message, StringComparison.Ordinal);
        Assert.Contains("EKS_HARDENING_LEADER_ELECT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_out_of_range_is_named_by_its_flag()
    {
        var e = Assert.Throws<UsageException>(() => RunFlags.Parse([], Env("EKS_HARDENING_WEBHOOK_TIMEOUT", "31")));
        Assert.Contains("--webhook-timeout must be a whole number from 1 to 30", e.Message, StringComparison.Ordinal);
    }
}
