using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace EksHardening.AwsStub.Tests;

/// <summary>Systems Manager through the official AWSSDK.SimpleSystemsManagement client.</summary>
public class SsmTests : StubTest
{
    private const string Recommended = "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version";

    [Fact]
    public async Task GetParameter_returns_a_public_parameter_with_its_version_and_account_less_ARN()
    {
        Stub.Ssm.PutParameter(Recommended, "1.31.2-20250101");
        Stub.Ssm.PutParameter(Recommended, "1.31.3-20250201");
        using var ssm = Ssm();

        var parameter = (await ssm.GetParameterAsync(new GetParameterRequest { Name = Recommended })).Parameter;

        Assert.Equal((Recommended, "1.31.3-20250201", 2L), (parameter.Name, parameter.Value, parameter.Version));
        Assert.Equal(ParameterType.String, parameter.Type);
        Assert.Equal($"arn:aws:ssm:{Stub.Region}::parameter{Recommended}", parameter.ARN);
        var logged = Stub.Requests[^1];
        Assert.Equal(("ssm", "GetParameter"), (logged.Service, logged.Operation));
    }

    [Fact]
    public async Task An_unknown_parameter_is_ParameterNotFound()
    {
        Stub.Ssm.PutParameter(Recommended, "1.31.3-20250201");
        Stub.Ssm.RemoveParameter(Recommended);
        using var ssm = Ssm();

        var error = await Assert.ThrowsAsync<ParameterNotFoundException>(() => ssm.GetParameterAsync(new GetParameterRequest { Name = Recommended }));

        Assert.Equal(("ParameterNotFound", HttpStatusCode.BadRequest), (error.ErrorCode, error.StatusCode));
    }

    [Fact]
    public async Task A_missing_name_is_a_ValidationException()
    {
        using var response = await Hand.SendAsync(Hand.Json11("ssm", "AmazonSSM.GetParameter", "{}"));

        var (code, message) = await Responses.Json11ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("ValidationException", code);
        Assert.Equal("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null", message);
    }

    [Fact]
    public async Task Faults_use_the_JSON_codes_and_the_SDK_retries_only_throttling()
    {
        Stub.Ssm.PutParameter(Recommended, "1.31.3-20250201");
        Stub.Faults.Throttle("ssm", "GetParameter", times: 1);
        using var ssm = Ssm(maxErrorRetry: 2);

        Assert.Equal("1.31.3-20250201", (await ssm.GetParameterAsync(new GetParameterRequest { Name = Recommended })).Parameter.Value);
        Assert.Equal(2, Stub.CountRequests("ssm", "GetParameter"));

        Stub.ClearRequests();
        Stub.Faults.DenyAccess("ssm", "GetParameter");
        var denied = await Assert.ThrowsAnyAsync<AmazonSimpleSystemsManagementException>(() => ssm.GetParameterAsync(new GetParameterRequest { Name = Recommended }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal(1, Stub.CountRequests("ssm", "GetParameter"));
    }
}
