using EksHardening.Operator.Controllers;

namespace EksHardening.Operator.Hosting;

/// <summary>The policy controller's settings in range, named by the flags that set them.</summary>
public sealed class PolicyControllerOptionsValidator : IValidateOptions<PolicyControllerOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyControllerOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        problems.WholeNumber("--workers", options.Workers, 1, 64);
        // The CRD's status.violations holds at most 500 items.
        problems.WholeNumber("--max-violations", options.MaxViolations, 0, 500);
        problems.Positive("--evaluation-interval", options.DefaultEvaluationInterval);
        problems.NotNegative("--status-write-interval", options.MinStatusWriteInterval);
        return problems.Build();
    }
}
