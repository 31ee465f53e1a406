namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The chart's knobs for real clusters (issue 16): extra env, args and volumes, hostNetwork and dnsPolicy, the
/// webhook's selectors and matchConditions, the ServiceMonitor's namespace and relabelings, overridable security
/// contexts and probes — each rendered where set and absent where not, and misspelt or clashing values refused.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ChartKnobsTests
{
    private static V1PodSpec PodOf(RenderedChart chart) => chart.Single<V1Deployment>("Deployment").Spec.Template.Spec;

    [SkippableFact]
    public void Every_knob_set_renders_into_the_operator_pod()
    {
        var chart = RenderedChart.Parse(Helm.Render([HelmChartTests.EveryKnobValues]));
        var pod = PodOf(chart);
        var container = Assert.Single(pod.Containers);

        Assert.True(pod.HostNetwork);
        Assert.Equal("Default", pod.DnsPolicy);
        // Host-network replicas bind the node's ports: one per node, required.
        var antiAffinity = Assert.Single(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", antiAffinity.TopologyKey);
        Assert.Equal(chart.Single<V1Deployment>("Deployment").Spec.Selector.MatchLabels, antiAffinity.LabelSelector.MatchLabels);

        // extraArgs come after the chart's own flags, and the operator accepts them.
        Assert.Equal(["--status-write-interval=5s", "--identity=$(POD_NAME)"], container.Args.TakeLast(2));
        var options = RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StatusWriteInterval);
        Assert.Equal(10260, options.Webhook.Port);

        Assert.Equal(["POD_NAME", "AWS_EC2_METADATA_DISABLED", "HTTPS_PROXY", "NO_PROXY", "Logging__LogLevel__Default"], container.Env.Select(e => e.Name));
        Assert.Equal("true", container.Env.Single(e => e.Name == "AWS_EC2_METADATA_DISABLED").Value);
        Assert.Equal("http://proxy.internal:3128", container.Env.Single(e => e.Name == "HTTPS_PROXY").Value);
        Assert.Equal("proxy-ca", Assert.Single(pod.Volumes, v => v.ConfigMap is not null).Name);
        Assert.Equal("/etc/ssl/proxy", container.VolumeMounts.Single(m => m.Name == "proxy-ca").MountPath);

        Assert.Equal(10001, pod.SecurityContext.RunAsUser);
        Assert.Equal(10001, container.SecurityContext.RunAsUser);
        Assert.Equal(30, container.LivenessProbe.PeriodSeconds);
        Assert.Equal(10, container.ReadinessProbe.PeriodSeconds);

        var monitor = chart.Single("ServiceMonitor");
        Assert.Equal("monitoring", monitor["metadata"]!["namespace"]!.GetValue<string>());
        // It still scrapes the release namespace's Service.
        Assert.Equal(Helm.ReleaseNamespace, monitor["spec"]!["namespaceSelector"]!["matchNames"]![0]!.GetValue<string>());
        var endpoint = monitor["spec"]!["endpoints"]![0]!;
        Assert.Equal("node", endpoint["relabelings"]![0]!["targetLabel"]!.GetValue<string>());
        Assert.Equal("drop", endpoint["metricRelabelings"]![0]!["action"]!.GetValue<string>());

        Assert.DoesNotContain(chart.OfKind("NetworkPolicy"), d => RenderedChart.NameOf(d).EndsWith("-default-deny-ingress", StringComparison.Ordinal));
        Assert.Empty(chart.OfKind("ConfigMap"));
    }

    [SkippableFact]
    public void Every_knob_unset_renders_what_the_chart_rendered_before_it()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        var pod = PodOf(chart);
        var container = Assert.Single(pod.Containers);

        Assert.Null(pod.HostNetwork);
        Assert.Null(pod.DnsPolicy);
        Assert.Null(pod.Affinity);
        Assert.Equal(["POD_NAME"], container.Env.Select(e => e.Name));
        Assert.Equal(["kube-api-access", "tmp"], pod.Volumes.Select(v => v.Name));
        Assert.Equal(["kube-api-access", "tmp"], container.VolumeMounts.Select(m => m.Name));
        Assert.Equal("--webhook-secret=eks-hardening-webhook-tls", container.Args[^1]);
        Assert.Equal(10, container.LivenessProbe.InitialDelaySeconds);
        Assert.Equal(5, container.ReadinessProbe.PeriodSeconds);

        var withMonitor = RenderedChart.Parse(Helm.Render(sets: ["metrics.serviceMonitor.enabled=true"])).Single("ServiceMonitor");
        Assert.Equal(Helm.ReleaseNamespace, withMonitor["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Null(withMonitor["spec"]!["endpoints"]![0]!["relabelings"]);
        Assert.Null(withMonitor["spec"]!["endpoints"]![0]!["metricRelabelings"]);
    }

    [SkippableTheory]
    [InlineData("", "ClusterFirstWithHostNet")]
    [InlineData("ClusterFirst", "ClusterFirst")]
    public void HostNetwork_defaults_dnsPolicy_to_ClusterFirstWithHostNet_unless_set(string dnsPolicy, string expected)
    {
        var pod = PodOf(RenderedChart.Parse(Helm.Render(sets: ["hostNetwork=true", $"dnsPolicy={dnsPolicy}"])));
        Assert.True(pod.HostNetwork);
        Assert.Equal(expected, pod.DnsPolicy);
    }

    [SkippableFact]
    public void The_webhook_selectors_and_conditions_narrow_the_chart_s_own_and_leave_aws_auth_alone()
    {
        var chart = RenderedChart.Parse(Helm.Render([HelmChartTests.EveryKnobValues]));
        var container = Assert.Single(PodOf(chart).Containers);
        var expected = WebhookConfigurationBuilder.Build(RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null).Webhook).Webhooks.ToDictionary(w => w.Name);
        var rendered = chart.Single<V1ValidatingWebhookConfiguration>("ValidatingWebhookConfiguration").Webhooks;
        Assert.Equal(expected.Keys, rendered.Select(w => w.Name));

        foreach (var webhook in rendered)
        {
            var built = expected[webhook.Name];
            if (webhook.Name == WebhookConfigurationBuilder.AwsAuthWebhookName)
            {
                Assert.Equal(Json(built), Json(webhook));
                continue;
            }

            // The chart's own requirements stay; the user's are added (label selectors AND their terms).
            Assert.Equal(Json(built.NamespaceSelector.MatchExpressions.Append(new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "NotIn", Values = ["sandbox"] })),
                Json(webhook.NamespaceSelector.MatchExpressions));
            Assert.Equal("on", webhook.NamespaceSelector.MatchLabels["eks-hardening.example.com/admission"]);
            Assert.Equal(Json(built.ObjectSelector.MatchExpressions.Append(new V1LabelSelectorRequirement { Key = "app.kubernetes.io/managed-by", OperatorProperty = "NotIn", Values = ["flux"] })),
                Json(webhook.ObjectSelector.MatchExpressions));
            Assert.Equal([.. (built.MatchConditions ?? []).Select(c => c.Name), "not-a-node"], (webhook.MatchConditions ?? []).Select(c => c.Name));

            // Everything else is the builder's.
            webhook.NamespaceSelector = built.NamespaceSelector;
            webhook.ObjectSelector = built.ObjectSelector;
            webhook.MatchConditions = built.MatchConditions;
            Assert.Equal(Json(built), Json(webhook));
        }
    }

    public static TheoryData<string[], string?, string> RefusedValues => new()
    {
        // Misspelt keys, at several depths: the schema's additionalProperties: false names them.
        { ["hostNetwrok=true"], null, "additional properties 'hostNetwrok' not allowed" },
        { ["webhook.namespaceSelectors.matchLabels.team=a"], null, "additional properties 'namespaceSelectors' not allowed" },
        { ["webhook.objectSelector.matchLabel.team=a"], null, "additional properties 'matchLabel' not allowed" },
        { ["securityContext.readOnlyRootFileSystem=false"], null, "additional properties 'readOnlyRootFileSystem' not allowed" },
        { ["metrics.serviceMonitor.relabeling[0].action=drop"], null, "additional properties 'relabeling' not allowed" },
        { ["crds.job.image.tags=v1"], null, "additional properties 'tags' not allowed" },
        { ["crds.kep=false"], null, "additional properties 'kep' not allowed" },
        { ["livenessProbe.periodSecond=5"], null, "additional properties 'periodSecond' not allowed" },
        { ["extraEnv[0].name=A", "extraEnv[0].vaule=b"], null, "additional properties 'vaule' not allowed" },
        // Values of the wrong shape.
        { ["dnsPolicy=ClusterFirstWithHostNetwork"], null, "at '/dnsPolicy'" },
        { ["webhook.objectSelector.matchExpressions[0].key=a", "webhook.objectSelector.matchExpressions[0].operator=Between"], null, "at '/webhook/objectSelector/matchExpressions/0/operator'" },
        { ["webhook.matchConditions[0].name=x"], null, "at '/webhook/matchConditions/0'" },
        { ["crds.job.image.tag=latest"], null, "at '/crds/job/image/tag'" },
        // Values the schema cannot judge, refused by the templates with the reason.
        { ["extraArgs[0]=--workers=8"], null, "extraArgs: --workers is set by the chart" },
        { ["extraArgs[0]=--webhook-port=9000"], null, "extraArgs: --webhook-port is set by the chart" },
        { ["operator.metricsPort=8081"], null, "operator.metricsPort: port 8081 is also operator.healthPort" },
        { ["hostNetwork=true", "webhook.port=10250"], null, "webhook.port: port 10250 is taken on EKS nodes" },
        { ["hostNetwork=true", "operator.metricsPort=443"], null, "operator.metricsPort: port 443 is below 1024" },
        { ["webhook.matchConditions[0].name=mine", "webhook.matchConditions[0].expression=has(object.metadata)"], "1.27.9", "webhook.matchConditions: Kubernetes v1.27.9 does not serve matchConditions" },
        { ["webhook.matchConditions[0].name=aws-auth-only", "webhook.matchConditions[0].expression=has(object.metadata)"], null, "the name aws-auth-only is the chart's own" },
    };

    [SkippableTheory]
    [MemberData(nameof(RefusedValues))]
    public void A_misspelt_or_clashing_value_fails_the_render_naming_it(string[] sets, string? kubeVersion, string message)
    {
        var result = Helm.Template(sets: sets, kubeVersion: kubeVersion);
        Assert.True(result.ExitCode != 0, $"helm template accepted {string.Join(" ", sets)}");
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Every_flag_the_chart_passes_is_refused_in_extraArgs()
    {
        var container = Assert.Single(PodOf(RenderedChart.Parse(Helm.Render())).Containers);
        var flags = container.Args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]).ToList();
        Assert.Contains("--lease-name", flags);
        foreach (var flag in flags)
        {
            var result = Helm.Template(sets: [$"extraArgs[0]={flag}=1"]);
            Assert.True(result.ExitCode != 0 && result.Stderr.Contains($"extraArgs: {flag} is set by the chart", StringComparison.Ordinal),
                $"extraArgs accepted {flag}, which the chart already passes: {result.Stderr}");
        }
    }

    /// <summary>A list element by element: the client's JSON metadata covers its models, not sequences of them.</summary>
    private static string Json(object value) => value is IEnumerable items
        ? "[" + string.Join(",", items.Cast<object>().Select(item => KubernetesJson.Serialize(item))) + "]"
        : KubernetesJson.Serialize(value);
}
