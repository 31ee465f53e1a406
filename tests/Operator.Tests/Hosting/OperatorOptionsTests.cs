namespace EksHardening.Operator.Tests.Hosting;

public class OperatorOptionsTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Defaults_suit_a_production_deployment()
    {
        var options = RunFlags.Parse([], Env());
        Assert.True(options.LeaderElection);
        Assert.Equal("eks-hardening-operator", options.LeaseName);
        Assert.Equal(2, options.Workers);
        Assert.Equal(8081, options.HealthPort);
        Assert.Equal(8080, options.MetricsPort);
        Assert.Equal(50, options.MaxViolations);
        Assert.Equal(TimeSpan.FromMinutes(10), options.EvaluationInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), options.StatusWriteInterval);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("0s", 0)]
    public void The_status_write_interval_may_be_shortened_or_turned_off(string value, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RunFlags.Parse(["--status-write-interval", value], Env()).StatusWriteInterval);

    [Fact]
    public void Environment_variables_set_options_and_flags_override_them()
    {
        var options = RunFlags.Parse(["--workers=4", "--lease-name", "flag-lease"], Env(
            ("EKS_HARDENING_WORKERS", "8"), ("EKS_HARDENING_LEASE_NAME", "env-lease"), ("EKS_HARDENING_LEADER_ELECT", "false"),
            ("EKS_HARDENING_MAX_VIOLATIONS", "100"), ("EKS_HARDENING_EVALUATION_INTERVAL", "1h30m"), ("KUBECONFIG", "/tmp/kc")));
        Assert.Equal(4, options.Workers);
        Assert.Equal("flag-lease", options.LeaseName);
        Assert.False(options.LeaderElection);
        Assert.Equal(100, options.MaxViolations);
        Assert.Equal(TimeSpan.FromMinutes(90), options.EvaluationInterval);
        Assert.Equal("/tmp/kc", options.Kubeconfig);
    }

    [Fact]
    public void The_webhook_is_on_at_9443_by_default_and_off_with_port_0()
    {
        var defaults = RunFlags.Parse([], Env());
        Assert.Equal(9443, defaults.Webhook.Port);
        Assert.Equal(5, defaults.Webhook.TimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(4), defaults.Webhook.DecisionBudget);
        Assert.Equal(WebhookFailurePolicy.Ignore, defaults.Webhook.FailurePolicy);
        Assert.Equal("eks-hardening-webhook", defaults.Webhook.ServiceName);
        Assert.Equal("eks-hardening-webhook-tls", defaults.Webhook.SecretName);
        Assert.Equal("eks-hardening", defaults.Webhook.ConfigurationName);
        Assert.Null(defaults.Webhook.CertificateDirectory);
        Assert.Equal(3 * 1024 * 1024, defaults.Webhook.MaxBodyBytes);

        var off = RunFlags.Parse(["--webhook-port", "0"], Env());
        Assert.Equal(0, off.Webhook.Port);
    }

    [Fact]
    public void Webhook_flags_and_variables_set_the_webhook_options()
    {
        var options = RunFlags.Parse(
            ["--webhook-port=8443", "--webhook-failure-policy", "fail", "--webhook-namespace", "platform", "--webhook-cert-dir", "/certs"],
            Env(("EKS_HARDENING_WEBHOOK_TIMEOUT", "10"), ("EKS_HARDENING_WEBHOOK_SERVICE", "hook"), ("EKS_HARDENING_WEBHOOK_SECRET", "hook-tls"),
                ("EKS_HARDENING_WEBHOOK_CONFIG", "hook-config")));
        Assert.Equal(8443, options.Webhook.Port);
        Assert.Equal(WebhookFailurePolicy.Fail, options.Webhook.FailurePolicy);
        Assert.Equal("platform", options.Webhook.Namespace);
        Assert.Equal("/certs", options.Webhook.CertificateDirectory);
        Assert.Equal(10, options.Webhook.TimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(9), options.Webhook.DecisionBudget);
        Assert.Equal("hook", options.Webhook.ServiceName);
        Assert.Equal("hook-tls", options.Webhook.SecretName);
        Assert.Equal("hook-config", options.Webhook.ConfigurationName);
        Assert.Equal(["hook.platform.svc", "hook.platform.svc.cluster.local", "hook.platform", "hook"], options.Webhook.DnsNames);
    }

    [Fact]
    public void PolicyReports_are_on_by_default_and_their_flags_and_variables_set_them()
    {
        var defaults = RunFlags.Parse([], Env());
        Assert.True(defaults.PolicyReports.Enabled);
        Assert.Equal(1000, defaults.PolicyReports.MaxResults);

        var options = RunFlags.Parse(["--policy-report-max-results", "200"], Env(("EKS_HARDENING_POLICY_REPORTS", "false")));
        Assert.False(options.PolicyReports.Enabled);
        Assert.Equal(200, options.PolicyReports.MaxResults);
    }

    [Fact]
    public void The_webhook_port_cannot_be_the_health_or_metrics_port()
    {
        var e = Assert.Throws<UsageException>(() => RunFlags.Parse(["--webhook-port", "8081"], Env()));
        Assert.Contains("--webhook-port 8081 is already the health or metrics port", e.Message);
    }

    [Theory]
    [InlineData("--webhook-timeout", "31", "--webhook-timeout must be a whole number from 1 to 30")]
    [InlineData("--webhook-port", "70000", "--webhook-port must be a whole number from 0 to 65535")]
    [InlineData("--webhook-failure-policy", "Open", "--webhook-failure-policy must be Ignore or Fail")]
    [InlineData("--workers", "0", "--workers must be a whole number from 1 to 64")]
    [InlineData("--max-violations", "501", "--max-violations must be a whole number from 0 to 500")]
    [InlineData("--leader-elect", "maybe", "--leader-elect must be true or false")]
    [InlineData("--policy-reports", "auto", "--policy-reports must be true or false")]
    [InlineData("--policy-report-max-results", "0", "--policy-report-max-results must be a whole number from 1 to 2000")]
    [InlineData("--evaluation-interval", "10 minutes", "--evaluation-interval must be a duration")]
    [InlineData("--lease-duration", "0s", "--lease-duration must be a duration")]
    [InlineData("--status-write-interval", "-1s", "--status-write-interval must be a duration")]
    [InlineData("--log-format", "yaml", "--log-format must be text or json, not 'yaml'")]
    public void Bad_values_name_the_flag(string flag, string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => RunFlags.Parse([flag, value], Env()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bad_environment_values_are_reported_like_flags()
    {
        var e = Assert.Throws<UsageException>(() => RunFlags.Parse([], Env(("EKS_HARDENING_WORKERS", "many"))));
        Assert.Contains("--workers", e.Message);
    }
}
