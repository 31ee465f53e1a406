using static EksHardening.Operator.Tests.Support.TestMeters;

namespace EksHardening.Operator.Tests.Kubernetes;

public sealed class KubernetesApiMetricsTests
{
    [Theory]
    [InlineData("GET", "/api/v1/pods?limit=500", "list", "pods")]
    [InlineData("GET", "/api/v1/pods?allowWatchBookmarks=true&resourceVersion=12&watch=true", "watch", "pods")]
    [InlineData("GET", "/api/v1/namespaces/shop/pods?watch=1", "watch", "pods")]
    [InlineData("GET", "/api/v1/watch/namespaces/shop/pods", "watch", "pods")]
    [InlineData("GET", "/api/v1/namespaces/shop/pods/web", "get", "pods")]
    [InlineData("GET", "/api/v1/namespaces", "list", "namespaces")]
    [InlineData("GET", "/api/v1/namespaces/shop", "get", "namespaces")]
    [InlineData("PUT", "/api/v1/namespaces/shop/finalize", "update", "namespaces/finalize")]
    [InlineData("PATCH", "/api/v1/namespaces/shop/status", "patch", "namespaces/status")]
    [InlineData("POST", "/api/v1/namespaces/shop/events", "create", "events")]
    [InlineData("PATCH", "/apis/eks-hardening.io/v1alpha1/responsibilitypolicies/production/status", "patch", "responsibilitypolicies/status")]
    [InlineData("GET", "/apis/eks-hardening.io/v1alpha1/responsibilitypolicies?watch=true", "watch", "responsibilitypolicies")]
    [InlineData("PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/eks-hardening", "update", "leases")]
    [InlineData("DELETE", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/deny", "delete", "networkpolicies")]
    [InlineData("DELETE", "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", "deletecollection", "networkpolicies")]
    [InlineData("PATCH", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/eks-hardening", "patch", "validatingwebhookconfigurations")]
    [InlineData("GET", "/k8s/clusters/c-12345/api/v1/pods", "list", "pods")]
    [InlineData("GET", "/version", "get", "/version")]
    [InlineData("GET", "/apis/apps/v1", "get", "/apis/apps/v1")]
    public void The_verb_and_resource_follow_from_the_method_and_url(string method, string pathAndQuery, string verb, string resource)
    {
        var uri = new Uri("https://cluster.example:6443" + pathAndQuery);
        Assert.Equal((verb, resource), KubernetesApiMetrics.Describe(new HttpMethod(method), uri));
    }

    [Fact]
    public async Task Every_request_is_counted_with_its_status_code_or_error()
    {
        var meters = TestMeters.Create();
        using var requests = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_kubernetes_requests_total");
        var metrics = new KubernetesApiMetrics(meters);
        var answers = new Queue<Func<HttpResponseMessage>>(
        [
            () => new HttpResponseMessage(HttpStatusCode.OK),
            () => new HttpResponseMessage(HttpStatusCode.OK),
            () => new HttpResponseMessage(HttpStatusCode.Conflict),
            () => throw new HttpRequestException("connection refused"),
        ]);
        var handler = metrics.CreateHandler();
        handler.InnerHandler = new AnsweringHandler(() => answers.Dequeue()());
        using var client = new HttpMessageInvoker(handler);
        var pods = new Uri("https://cluster.example/api/v1/pods");
        var status = new Uri("https://cluster.example/apis/eks-hardening.io/v1alpha1/responsibilitypolicies/p/status");

        (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pods), CancellationToken.None)).Dispose();
        (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, pods), CancellationToken.None)).Dispose();
        (await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, status), CancellationToken.None)).Dispose();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, status), CancellationToken.None));

        Assert.Equal(2, Count(requests, "list", "pods", "200"));
        Assert.Equal(1, Count(requests, "patch", "responsibilitypolicies/status", "409"));
        Assert.Equal(1, Count(requests, "patch", "responsibilitypolicies/status", "error"));
        Assert.Equal(4, requests.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_request_the_caller_cancels_is_counted_as_cancelled()
    {
        var meters = TestMeters.Create();
        using var requests = new MetricCollector<long>(meters, ControllerMetrics.MeterName, "eks_hardening_kubernetes_requests_total");
        var metrics = new KubernetesApiMetrics(meters);
        var handler = metrics.CreateHandler();
        handler.InnerHandler = new AnsweringHandler(() => throw new TaskCanceledException());
        using var client = new HttpMessageInvoker(handler);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri("https://cluster.example/api/v1/pods?watch=true")), cancelled.Token));

        Assert.Equal(1, Count(requests, "watch", "pods", "cancelled"));
    }

    private static long Count(MetricCollector<long> requests, string verb, string resource, string code) =>
        requests.GetMeasurementSnapshot().Where(m => m.MatchesTags(Tag("verb", verb), Tag("resource", resource), Tag("code", code))).Sum(m => m.Value);

    private sealed class AnsweringHandler(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer());
    }
}
