using EksHardening.Operator.Controllers.Reports;

namespace EksHardening.Operator.Hosting;

/// <summary>The PolicyReports controller's settings in range.</summary>
public sealed class PolicyReportOptionsValidator : IValidateOptions<PolicyReportOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyReportOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        // At most 2000 results keeps a report well below the API server's object size limit.
        problems.WholeNumber("--policy-report-max-results", options.MaxResults, 1, 2000);
        problems.Positive($"{nameof(PolicyReportOptions)}.{nameof(options.DiscoveryInterval)}", options.DiscoveryInterval);
        problems.Positive($"{nameof(PolicyReportOptions)}.{nameof(options.DiscoveryRetry)}", options.DiscoveryRetry);
        problems.Positive($"{nameof(PolicyReportOptions)}.{nameof(options.BlockedRetryInterval)}", options.BlockedRetryInterval);
        return problems.Build();
    }
}
