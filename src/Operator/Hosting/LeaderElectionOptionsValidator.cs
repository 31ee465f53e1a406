using EksHardening.Operator.Controllers;

namespace EksHardening.Operator.Hosting;

/// <summary>The Lease's names valid for the API server, and a lease duration a Lease can hold.</summary>
public sealed class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options)
    {
        var problems = new ValidateOptionsResultBuilder();
        problems.DnsLabel("--lease-namespace", options.LeaseNamespace);
        problems.DnsSubdomain("--lease-name", options.LeaseName);
        // spec.leaseDurationSeconds is whole seconds: a shorter lease would be written as 0, expired at once for every other replica.
        problems.Positive("--lease-duration", options.LeaseDuration, TimeSpan.FromSeconds(1), "a Lease counts whole seconds");
        problems.NotEmpty("--identity", options.Identity);
        return problems.Build();
    }
}
