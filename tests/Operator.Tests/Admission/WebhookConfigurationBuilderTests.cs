namespace EksHardening.Operator.Tests.Admission;

public class WebhookConfigurationBuilderTests
{
    private static readonly WebhookOptions Options = new() { Namespace = "eks-hardening-system", ServiceName = "eks-hardening-webhook", ConfigurationName = "eks-hardening" };

    private static V1ValidatingWebhook Webhook(string name, bool matchConditions = true) =>
        Assert.Single(WebhookConfigurationBuilder.Build(Options, matchConditions: matchConditions).Webhooks, w => w.Name == name);

    [Fact]
    public void The_configuration_cannot_lock_the_cluster_out()
    {
        var configuration = WebhookConfigurationBuilder.Build(Options);
        Assert.Equal("admissionregistration.k8s.io/v1", configuration.ApiVersion);
        Assert.Equal("ValidatingWebhookConfiguration", configuration.Kind);
        Assert.Equal("eks-hardening", configuration.Metadata.Name);
        Assert.Equal(["workloads.eks-hardening.io", "objects.eks-hardening.io", "aws-auth.eks-hardening.io"], configuration.Webhooks.Select(w => w.Name));

        foreach (var webhook in configuration.Webhooks)
        {
            Assert.Equal("Ignore", webhook.FailurePolicy);
            Assert.Equal("None", webhook.SideEffects);
            Assert.Equal(5, webhook.TimeoutSeconds);
            Assert.Equal("Equivalent", webhook.MatchPolicy);
            Assert.Equal(["v1"], webhook.AdmissionReviewVersions);

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
            Assert.All(webhook.Rules, r => Assert.Equal(["CREATE", "UPDATE"], r.Operations));
        }

        foreach (var webhook in configuration.Webhooks.Take(2))
        {
            var ns = Assert.Single(webhook.NamespaceSelector.MatchExpressions);
            Assert.Equal("kubernetes.io/metadata.name", ns.Key);
            Assert.Equal("NotIn", ns.OperatorProperty);
            Assert.Equal(["eks-hardening-system", "kube-system"], ns.Values);
            Assert.Null(webhook.NamespaceSelector.MatchLabels);
        }

        // Of kube-system, only ConfigMaps reach the aws-auth webhook, and of those only aws-auth (its match condition).
        var awsAuth = configuration.Webhooks[2];
        Assert.Null(awsAuth.NamespaceSelector.MatchExpressions);
        Assert.Equal(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" }, awsAuth.NamespaceSelector.MatchLabels);
        var rule = Assert.Single(awsAuth.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["configmaps"], rule.Resources);
        Assert.Equal("Namespaced", rule.Scope);
    }

    [Fact]
    public void Rules_cover_create_and_update_of_every_workload_kind_and_ephemeral_containers()
    {
        var rules = Webhook("workloads.eks-hardening.io").Rules;
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
        Assert.Null(Webhook("workloads.eks-hardening.io").MatchConditions);
    }

    [Theory]
    [InlineData("rbac.authorization.k8s.io", "clusterrolebindings", "Cluster")]
    [InlineData("rbac.authorization.k8s.io", "rolebindings", "Namespaced")]
    [InlineData("storage.k8s.io", "storageclasses", "Cluster")]
    [InlineData("", "persistentvolumeclaims", "Namespaced")]
    [InlineData("", "services", "Namespaced")]
    [InlineData("networking.k8s.io", "ingresses", "Namespaced")]
    public void The_objects_webhook_registers_each_admitted_resource_with_its_group_and_scope(string group, string resource, string scope)
    {
        var rule = Assert.Single(Webhook("objects.eks-hardening.io").Rules, r => r.Resources.Contains(resource));
        Assert.Equal([group], rule.ApiGroups);
        Assert.Equal(["v1"], rule.ApiVersions);
        Assert.Equal(["CREATE", "UPDATE"], rule.Operations);
        Assert.Equal(scope, rule.Scope);
    }

    [Fact]
    public void No_other_resource_is_registered_and_nodes_and_roles_are_not_admitted()
    {
        var resources = WebhookConfigurationBuilder.Build(Options).Webhooks.SelectMany(w => w.Rules).SelectMany(r => r.Resources).ToList();
        Assert.Equal(resources.Distinct().Count(), resources.Count);
        Assert.Equal(AdmittedKinds.All.Count + 1 + AdmittedKinds.Objects.Count, resources.Count);
        Assert.DoesNotContain("nodes", resources);
        Assert.DoesNotContain("clusterroles", resources);
        Assert.DoesNotContain("roles", resources);
    }

    [Fact]
    public void Match_conditions_leave_out_the_api_servers_own_writes_services_that_are_no_load_balancers_and_other_config_maps()
    {
        var objects = Webhook("objects.eks-hardening.io").MatchConditions;
        Assert.Equal(["not-the-api-server", "loadbalancer-services-only"], objects.Select(c => c.Name));
        Assert.Equal("!has(request.userInfo.username) || request.userInfo.username != 'system:apiserver'", objects[0].Expression);
        Assert.Equal("request.resource.resource != 'services' || (has(object.spec.type) && object.spec.type == 'LoadBalancer')", objects[1].Expression);
        var awsAuth = Assert.Single(Webhook("aws-auth.eks-hardening.io").MatchConditions);
        Assert.Equal("has(object.metadata.name) && object.metadata.name == 'aws-auth'", awsAuth.Expression);

        // Servers before 1.28 do not serve them: the same webhooks without.
        Assert.Null(Webhook("objects.eks-hardening.io", matchConditions: false).MatchConditions);
        Assert.Null(Webhook("aws-auth.eks-hardening.io", matchConditions: false).MatchConditions);
    }

    [Fact]
    public void Options_set_the_failure_policy_timeout_and_ca_bundle_of_every_webhook()
    {
        var options = new WebhookOptions { Namespace = "platform", FailurePolicy = WebhookFailurePolicy.Fail, TimeoutSeconds = 3 };
        var webhooks = WebhookConfigurationBuilder.Build(options, [1, 2, 3]).Webhooks;
        Assert.All(webhooks, webhook =>
        {
            Assert.Equal("Fail", webhook.FailurePolicy);
            Assert.Equal(3, webhook.TimeoutSeconds);
            Assert.Equal([1, 2, 3], webhook.ClientConfig.CaBundle);
        });
        Assert.Equal(["platform", "kube-system"], webhooks[0].NamespaceSelector.MatchExpressions[0].Values);
        Assert.Equal(["platform", "kube-system"], webhooks[1].NamespaceSelector.MatchExpressions[0].Values);
    }

    [Fact]
    public void The_configuration_serializes_to_the_field_names_the_api_server_expects()
    {
        var yaml = KubernetesYaml.Serialize(WebhookConfigurationBuilder.Build(Options));
        foreach (var field in new[] { "admissionReviewVersions:", "failurePolicy: Ignore", "sideEffects: None", "timeoutSeconds: 5", "matchPolicy: Equivalent",
                     "namespaceSelector:", "objectSelector:", "operator: NotIn", "clientConfig:", "path: /validate", "matchConditions:", "expression:", "scope: Cluster" })
        {
            Assert.Contains(field, yaml, StringComparison.Ordinal);
        }
    }
}
