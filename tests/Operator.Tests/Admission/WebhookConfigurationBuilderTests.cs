namespace EksHardening.Operator.Tests.Admission;

public class WebhookConfigurationBuilderTests
{
    private static readonly WebhookOptions Options = new() { Namespace = "eks-hardening-system", ServiceName = "eks-hardening-webhook", ConfigurationName = "eks-hardening" };

    [Fact]
    public void The_configuration_cannot_lock_the_cluster_out()
    {
        var configuration = WebhookConfigurationBuilder.Build(Options);
        Assert.Equal("admissionregistration.k8s.io/v1", configuration.ApiVersion);
        Assert.Equal("ValidatingWebhookConfiguration", configuration.Kind);
        Assert.Equal("eks-hardening", configuration.Metadata.Name);
        var webhook = Assert.Single(configuration.Webhooks);

        Assert.Equal("workloads.eks-hardening.io", webhook.Name);
        Assert.Equal("Ignore", webhook.FailurePolicy);
        Assert.Equal("None", webhook.SideEffects);
        Assert.Equal(5, webhook.TimeoutSeconds);
        Assert.Equal("Equivalent", webhook.MatchPolicy);
        Assert.Equal(["v1"], webhook.AdmissionReviewVersions);

        var ns = Assert.Single(webhook.NamespaceSelector.MatchExpressions);
        Assert.Equal("kubernetes.io/metadata.name", ns.Key);
        Assert.Equal("NotIn", ns.OperatorProperty);
        Assert.Equal(["eks-hardening-system", "kube-system"], ns.Values);
        Assert.Null(webhook.NamespaceSelector.MatchLabels);

        var optOut = Assert.Single(webhook.ObjectSelector.MatchExpressions);
        Assert.Equal("eks-hardening.io/ignore", optOut.Key);
        Assert.Equal("NotIn", optOut.OperatorProperty);
        Assert.Equal(["true"], optOut.Values);

        var service = webhook.ClientConfig.Service;
        Assert.Equal("eks-hardening-webhook", service.Name);
        Assert.Equal("eks-hardening-system", service.NamespaceProperty);
        Assert.Equal("/validate", service.Path);
        Assert.Equal(443, service.Port);
        Assert.Null(webhook.ClientConfig.Url);
    }

    [Fact]
    public void Rules_cover_create_and_update_of_every_workload_kind_and_ephemeral_containers()
    {
        var rules = Assert.Single(WebhookConfigurationBuilder.Build(Options).Webhooks).Rules;
        Assert.Equal(3, rules.Count);
        Assert.All(rules, r =>
        {
            Assert.Equal(["CREATE", "UPDATE"], r.Operations);
            Assert.Equal("Namespaced", r.Scope);
            Assert.Equal(["v1"], r.ApiVersions);
        });
        Assert.Equal(["pods", "replicationcontrollers", "podtemplates", "pods/ephemeralcontainers"], rules.Single(r => r.ApiGroups.SequenceEqual([""])).Resources);
        Assert.Equal(["deployments", "statefulsets", "daemonsets", "replicasets"], rules.Single(r => r.ApiGroups.SequenceEqual(["apps"])).Resources);
        Assert.Equal(["jobs", "cronjobs"], rules.Single(r => r.ApiGroups.SequenceEqual(["batch"])).Resources);
    }

    [Fact]
    public void Options_set_the_failure_policy_timeout_and_ca_bundle()
    {
        var options = new WebhookOptions { Namespace = "platform", FailurePolicy = WebhookFailurePolicy.Fail, TimeoutSeconds = 3 };
        var webhook = Assert.Single(WebhookConfigurationBuilder.Build(options, [1, 2, 3]).Webhooks);
        Assert.Equal("Fail", webhook.FailurePolicy);
        Assert.Equal(3, webhook.TimeoutSeconds);
        Assert.Equal([1, 2, 3], webhook.ClientConfig.CaBundle);
        Assert.Equal(["platform", "kube-system"], webhook.NamespaceSelector.MatchExpressions[0].Values);
    }

    [Fact]
    public void The_configuration_serializes_to_the_field_names_the_api_server_expects()
    {
        var yaml = KubernetesYaml.Serialize(WebhookConfigurationBuilder.Build(Options));
        foreach (var field in new[] { "admissionReviewVersions:", "failurePolicy: Ignore", "sideEffects: None", "timeoutSeconds: 5", "matchPolicy: Equivalent",
                     "namespaceSelector:", "objectSelector:", "operator: NotIn", "clientConfig:", "path: /validate" })
        {
            Assert.Contains(field, yaml, StringComparison.Ordinal);
        }
    }
}
