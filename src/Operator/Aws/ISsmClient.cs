namespace EksHardening.Operator.Aws;

/// <summary>The Systems Manager call the recommended-AMI rule needs (JSON 1.1): AWS's public parameters.</summary>
public interface ISsmClient
{
    /// <summary><c>GetParameter</c>: the parameter's value, or null when it does not exist (ParameterNotFound).</summary>
    Task<string?> GetParameterAsync(string region, string name, CancellationToken cancellationToken = default);
}
