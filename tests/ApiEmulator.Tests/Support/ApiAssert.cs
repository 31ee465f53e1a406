using k8s.Autorest;

namespace EksHardening.ApiEmulator.Tests.Support;

/// <summary>Assertions on API errors as KubernetesClient surfaces them.</summary>
public static class ApiAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and returns the Status body the server sent.</summary>
    public static async Task<V1Status> FailsWith(HttpStatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal((int)code, status.Code);
        return status;
    }
}
