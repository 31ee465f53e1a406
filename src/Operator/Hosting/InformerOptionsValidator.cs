using EksHardening.Operator.Kubernetes;

namespace EksHardening.Operator.Hosting;

/// <summary>The informers' paging, watch timeout and reconnect backoff usable.</summary>
public sealed class InformerOptionsValidator : IValidateOptions<InformerOptions>
{
    public ValidateOptionsResult Validate(string? name, InformerOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        problems.WholeNumber($"{nameof(InformerOptions)}.{nameof(options.PageSize)}", options.PageSize, 1, int.MaxValue);
        problems.Positive($"{nameof(InformerOptions)}.{nameof(options.WatchTimeout)}", options.WatchTimeout);
        problems.Positive($"{nameof(InformerOptions)}.{nameof(options.RetryBase)}", options.RetryBase);
        problems.Positive($"{nameof(InformerOptions)}.{nameof(options.RetryCap)}", options.RetryCap, options.RetryBase, "not below RetryBase");
        return problems.Build();
    }
}
