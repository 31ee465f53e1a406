namespace EksHardening.Operator.Tests.Hosting;

/// <summary>
/// The host checks its options when it is built or starts (validators, ValidateOnStart), whoever built them: a value out of range stops the
/// start before anything talks to the cluster, with a message naming the flag.
/// </summary>
public class OptionsValidationOnStartTests
{
    /// <summary>Options that pass, on free ports, with nothing that reaches out on build.</summary>
    private static OperatorOptions Valid() =>
        RunFlags.Parse(["--leader-elect=false", "--aws=false", "--webhook-port=0", "--health-port=0", "--metrics-port=0"], _ => null);

    // Nothing listens on port 1: the start must fail on the options, before any request.
    private static readonly KubernetesClientConfiguration NoCluster = new() { Host = "http://127.0.0.1:1" };

    public static TheoryData<string, string> BadOptions => new()
    {
        { nameof(OperatorOptions.Workers), "--workers must be a whole number from 1 to 64, not '0'" },
        { nameof(OperatorOptions.MaxViolations), "--max-violations must be a whole number from 0 to 500, not '501'" },
        { nameof(OperatorOptions.LeaseDuration), "--lease-duration must be a duration of at least 1s" },
        { nameof(OperatorOptions.LeaseName), "--lease-name must be a DNS subdomain" },
        { nameof(OperatorOptions.PolicyReports), "--policy-report-max-results must be a whole number from 1 to 2000, not '0'" },
        { nameof(OperatorOptions.Webhook), "--webhook-timeout must be a whole number from 1 to 30, not '0'" },
    };

    private static void Break(OperatorOptions options, string setting)
    {
        switch (setting)
        {
            case nameof(OperatorOptions.Workers): options.Workers = 0; break;
            case nameof(OperatorOptions.MaxViolations): options.MaxViolations = 501; break;
            case nameof(OperatorOptions.LeaseDuration): options.LeaseDuration = TimeSpan.FromMilliseconds(500); break;
            case nameof(OperatorOptions.LeaseName): options.LeaseName = "Not_A_Name"; break;
            case nameof(OperatorOptions.PolicyReports): options.PolicyReports.MaxResults = 0; break;
            case nameof(OperatorOptions.Webhook): options.Webhook.TimeoutSeconds = 0; break;
            default: throw new ArgumentException(setting);
        }
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task A_bad_value_stops_the_start_naming_the_flag(string setting, string expected)
    {
        var options = Valid();
        Break(options, setting);
        // Components built with the host read their options then (the validators run on first read), the rest on start.
        var e = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = OperatorHost.Build(options, clientConfiguration: NoCluster);
            await app.StartAsync();
        });
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void The_run_command_reports_the_same_problem_before_building(string setting, string expected)
    {
        var options = Valid();
        Break(options, setting);
        Assert.Contains(OperatorHost.Problems(options), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_options_have_no_problems() => Assert.Empty(OperatorHost.Problems(Valid()));

    [Fact]
    public async Task The_components_get_the_checked_options()
    {
        var options = Valid();
        options.Workers = 5;
        options.PolicyReports.MaxResults = 7;
        await using var app = OperatorHost.Build(options, clientConfiguration: NoCluster);
        Assert.Equal(5, app.Services.GetRequiredService<IOptions<PolicyControllerOptions>>().Value.Workers);
        Assert.Same(app.Services.GetRequiredService<IOptions<PolicyControllerOptions>>().Value,
            app.Services.GetRequiredService<PolicyControllerOptions>());
        Assert.Equal(7, app.Services.GetRequiredService<PolicyReportOptions>().MaxResults);
    }

    [Fact]
    public async Task A_failing_background_service_stops_the_operator_host()
    {
        await using var app = OperatorHost.Build(Valid(), clientConfiguration: NoCluster);
        Assert.Equal(BackgroundServiceExceptionBehavior.StopHost, app.Services.GetRequiredService<IOptions<HostOptions>>().Value.BackgroundServiceExceptionBehavior);
    }
}
