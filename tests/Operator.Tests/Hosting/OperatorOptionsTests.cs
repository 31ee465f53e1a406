using EksHardening.Operator.Cli;
using EksHardening.Operator.Hosting;

namespace EksHardening.Operator.Tests.Hosting;

public class OperatorOptionsTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Defaults_suit_a_production_deployment()
    {
        var options = OperatorOptions.Parse([], Env());
        Assert.True(options.LeaderElection);
        Assert.Equal("eks-hardening-operator", options.LeaseName);
        Assert.Equal(2, options.Workers);
        Assert.Equal(8081, options.HealthPort);
        Assert.Equal(8080, options.MetricsPort);
        Assert.Equal(50, options.MaxViolations);
        Assert.Equal(TimeSpan.FromMinutes(10), options.EvaluationInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
    }

    [Fact]
    public void Environment_variables_set_options_and_flags_override_them()
    {
        var options = OperatorOptions.Parse(["--workers=4", "--lease-name", "flag-lease"], Env(
            ("EKS_HARDENING_WORKERS", "8"), ("EKS_HARDENING_LEASE_NAME", "env-lease"), ("EKS_HARDENING_LEADER_ELECT", "false"),
            ("EKS_HARDENING_MAX_VIOLATIONS", "100"), ("EKS_HARDENING_EVALUATION_INTERVAL", "1h30m"), ("KUBECONFIG", "/tmp/kc")));
        Assert.Equal(4, options.Workers);
        Assert.Equal("flag-lease", options.LeaseName);
        Assert.False(options.LeaderElection);
        Assert.Equal(100, options.MaxViolations);
        Assert.Equal(TimeSpan.FromMinutes(90), options.EvaluationInterval);
        Assert.Equal("/tmp/kc", options.Kubeconfig);
    }

    [Theory]
    [InlineData("--workers", "0", "--workers must be a whole number from 1 to 64")]
    [InlineData("--max-violations", "501", "--max-violations must be a whole number from 0 to 500")]
    [InlineData("--leader-elect", "maybe", "--leader-elect must be true or false")]
    [InlineData("--evaluation-interval", "10 minutes", "--evaluation-interval must be a duration")]
    [InlineData("--lease-duration", "0s", "--lease-duration must be a duration")]
    public void Bad_values_name_the_flag(string flag, string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => OperatorOptions.Parse([flag, value], Env()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bad_environment_values_are_reported_like_flags()
    {
        var e = Assert.Throws<UsageException>(() => OperatorOptions.Parse([], Env(("EKS_HARDENING_WORKERS", "many"))));
        Assert.Contains("--workers", e.Message);
    }
}
