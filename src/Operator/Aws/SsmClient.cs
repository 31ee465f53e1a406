using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace EksHardening.Operator.Aws;

/// <summary>Systems Manager through the official AWSSDK.SimpleSystemsManagement client, configured like <see cref="KmsClient"/>.</summary>
public sealed class SsmClient : ISsmClient, IDisposable
{
    private readonly AwsSdkClientPool<AmazonSimpleSystemsManagementClient, AmazonSimpleSystemsManagementConfig> _clients;

    /// <param name="handler">The HTTP handler for the SDK client (tests answer in-process); default: the SDK's own.</param>
    public SsmClient(IAwsCredentialsSource credentials, AwsEndpoints? endpoints = null, AwsRetryOptions? retry = null, AwsCallCounters? counters = null, HttpMessageHandler? handler = null) =>
        _clients = new(AwsServices.Ssm, "Systems Manager", (c, config) => new AmazonSimpleSystemsManagementClient(c, config), credentials, endpoints, retry, counters, handler);

    /// <remarks>The call is counted with the NotFound outcome when the parameter does not exist.</remarks>
    public async Task<string?> GetParameterAsync(string region, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            return await _clients.CallAsync(region, "GetParameter", async client =>
            {
                var response = await client.GetParameterAsync(new GetParameterRequest { Name = name }, cancellationToken).ConfigureAwait(false);
                // A parameter that exists has a value; an answer without one is not "absent" but broken.
                return response.Parameter?.Value
                    ?? throw new AwsServiceException(AwsErrorKind.Unknown, AwsServices.Ssm, "GetParameter", $"Systems Manager answered without a value for {name}.");
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ParameterNotFound")
        {
            return null;
        }
    }

    public void Dispose() => _clients.Dispose();
}
