namespace EksHardening.Operator.Tests.Deployment;

/// <summary>
/// The Helm chart deploy/helm/eks-hardening: it lints, renders with default values and with every optional
/// feature on, renders only valid Kubernetes objects, passes the operator only flags it has, and agrees with the
/// code about names, ports and the webhook configuration.
/// </summary>
[Trait("Category", "Slow")]
public sealed class HelmChartTests
{
    /// <summary>Values turning every optional feature on (relative to the repository root).</summary>
    public const string AllFeaturesValues = "tests/Operator.Tests/Deployment/all-features.values.yaml";

    /// <summary>Values setting every knob away from its default, hostNetwork included (relative to the repository root).</summary>
    public const string EveryKnobValues = "tests/Operator.Tests/Deployment/every-knob.values.yaml";

    /// <summary>Renders whose pods run at Pod Security restricted (every-knob's hostNetwork does not).</summary>
    public static TheoryData<string> Renders => new() { "default", "all-features" };

    /// <summary>Every render the chart's structural tests cover.</summary>
    public static TheoryData<string> AllRenders => new() { "default", "all-features", "every-knob" };

    internal static string[] ValuesFor(string render) => render switch
    {
        "all-features" => [AllFeaturesValues],
        "every-knob" => [EveryKnobValues],
        _ => [],
    };

    [SkippableTheory]
    [MemberData(nameof(AllRenders))]
    public void The_chart_lints_clean(string render)
    {
        var args = new List<string> { "lint", Helm.ChartDirectory, "--strict", "--namespace", Helm.ReleaseNamespace };
        foreach (var file in ValuesFor(render)) args.AddRange(["--values", file]);
        var result = Helm.Run([.. args]);
        Assert.True(result.ExitCode == 0, $"helm lint failed:\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Default_values_render_the_operator_and_no_optional_extras()
    {
        var chart = RenderedChart.Parse(Helm.Render());
        Assert.Equal(
            ["ClusterRole", "ClusterRole", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "NetworkPolicy", "NetworkPolicy",
             "PodDisruptionBudget", "Role", "Role", "RoleBinding", "RoleBinding", "Service", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"],
            chart.Documents.Where(d => RenderedChart.HookOf(d) is null).Select(d => d["kind"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        // The CRD upgrade hook (crds.install): its account, role, binding, NetworkPolicy, the CRD in a ConfigMap, the Job.
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Job", "NetworkPolicy", "ServiceAccount"],
            chart.Hooks.Select(d => d["kind"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Empty(chart.OfKind("ResponsibilityPolicy"));
    }

    [SkippableFact]
    public void Every_optional_feature_renders_its_objects()
    {
        var chart = RenderedChart.Parse(Helm.Render([AllFeaturesValues]));
        foreach (var kind in new[] { "ServiceMonitor", "ResponsibilityPolicy", "Certificate", "Issuer" }) chart.Single(kind);
        chart.Named<V1NetworkPolicy>("NetworkPolicy", Helm.ReleaseName);

        var account = chart.Named<V1ServiceAccount>("ServiceAccount", Helm.ReleaseName);
        Assert.Equal("arn:aws:iam::123456789012:role/eks-hardening-operator", account.Metadata.Annotations["eks.amazonaws.com/role-arn"]);
        Assert.Equal("platform", account.Metadata.Annotations["example.com/owner"]);

        var deployment = chart.Single<V1Deployment>("Deployment");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com/eks-hardening:0.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", container.Image);
        Assert.Contains("--aws-region=eu-west-1", container.Args);
        Assert.Contains("--webhook-cert-dir=/etc/eks-hardening/webhook-tls", container.Args);
        Assert.DoesNotContain(container.Args, a => a.StartsWith("--webhook-secret", StringComparison.Ordinal));
        Assert.Equal("platform", deployment.Spec.Template.Metadata.Labels["team"]);

        // cert-manager's cainjector fills the caBundle from the Certificate that names the webhook Service.
        var configuration = chart.Single<V1ValidatingWebhookConfiguration>("ValidatingWebhookConfiguration");
        var certificate = chart.Single("Certificate");
        Assert.Equal($"{Helm.ReleaseNamespace}/{RenderedChart.NameOf(certificate)}", configuration.Metadata.Annotations["cert-manager.io/inject-ca-from"]);
        var secretVolume = Assert.Single(deployment.Spec.Template.Spec.Volumes, v => v.Secret is not null);
        Assert.Equal(certificate["spec"]!["secretName"]!.GetValue<string>(), secretVolume.Secret.SecretName);

        var monitor = chart.Single("ServiceMonitor");
        var metricsService = chart.OfKind("Service").Select(RenderedChart.Typed<V1Service>).Single(s => s.Spec.Ports.Any(p => p.Name == "metrics"));
        Assert.Equal("metrics", monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
        foreach (var (key, value) in monitor["spec"]!["selector"]!["matchLabels"]!.AsObject()) Assert.Equal(value!.GetValue<string>(), metricsService.Metadata.Labels[key]);
    }

    [SkippableTheory]
    [MemberData(nameof(AllRenders))]
    public void Every_rendered_document_is_a_Kubernetes_object_that_its_typed_model_reads_strictly(string render)
    {
        var chart = RenderedChart.Parse(Helm.Render(ValuesFor(render)));
        Assert.NotEmpty(chart.Documents);
        foreach (var document in chart.Documents)
        {
            var key = RenderedChart.KeyOf(document);
            Assert.False(string.IsNullOrEmpty(document["apiVersion"]?.GetValue<string>()), $"a document has no apiVersion: {document}");
            Assert.False(string.IsNullOrEmpty(document["kind"]?.GetValue<string>()), $"a document has no kind: {document}");
            Assert.False(string.IsNullOrEmpty(RenderedChart.NameOf(document)), $"{key} has no metadata.name");
            Assert.True(RenderedChart.ModelFor(key) is not null || RenderedChart.UntypedKinds.Contains(key), $"{key} is neither a known model nor an expected CRD kind");
        }

        var typed = chart.LoadTypedStrictly();
        Assert.Equal(chart.Documents.Count(d => !RenderedChart.UntypedKinds.Contains(RenderedChart.KeyOf(d))), typed.Count);
        foreach (var item in typed.OfType<IKubernetesObject<V1ObjectMeta>>())
        {
            // Namespaced objects land in the release namespace (the aws-auth Role and RoleBinding in kube-system);
            // cluster-scoped ones carry none.
            var clusterScoped = item is V1ClusterRole or V1ClusterRoleBinding or V1CustomResourceDefinition or V1ValidatingWebhookConfiguration
                or Entities.ResponsibilityPolicy;
            Assert.True(clusterScoped ? item.Metadata.NamespaceProperty is null : item.Metadata.NamespaceProperty == RenderedChart.ExpectedNamespace(item.Kind, item.Metadata.Name),
                $"{item.Kind} {item.Metadata.Name} has namespace '{item.Metadata.NamespaceProperty}'");
        }
    }

    [SkippableFact]
    public void The_chart_ships_the_CRD_byte_for_byte()
    {
        var source = File.ReadAllBytes(RepositoryPaths.Of("config", "crd", "responsibilitypolicies.eks-hardening.io.yaml"));
        var shipped = File.ReadAllBytes(Path.Combine(Helm.ChartPath, "crds", "responsibilitypolicies.eks-hardening.io.yaml"));
        Assert.True(source.AsSpan().SequenceEqual(shipped),
            "deploy/helm/eks-hardening/crds/ differs from config/crd/: cp config/crd/responsibilitypolicies.eks-hardening.io.yaml deploy/helm/eks-hardening/crds/");
        var chart = RenderedChart.Parse(Helm.Render());
        var crd = chart.Single<V1CustomResourceDefinition>("CustomResourceDefinition");
        Assert.Equal("responsibilitypolicies.eks-hardening.io", crd.Metadata.Name);

        // The upgrade hook applies the same bytes (crds/ carried in a ConfigMap).
        var carried = chart.Single<V1ConfigMap>("ConfigMap").Data[$"{crd.Metadata.Name}.yaml"];
        Assert.True(source.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(carried)), "the CRD hook's ConfigMap differs from crds/");
    }

    [Fact]
    public void The_chart_version_and_appVersion_are_the_operator_version()
    {
        var chart = RenderedChart.Parse(File.ReadAllText(Path.Combine(Helm.ChartPath, "Chart.yaml")), "Chart.yaml").Documents.Single();
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal(Operator.Cli.VersionInfo.Version, chart["version"]!.GetValue<string>());
        Assert.Equal(Operator.Cli.VersionInfo.Version, chart["appVersion"]!.GetValue<string>());
    }

    /// <summary>
    /// Chart.yaml's Artifact Hub metadata agrees with the chart: the images it lists are the ones the default values
    /// render (the release's GHCR image at appVersion, the hook's kubectl), the CRD it lists is the one in crds/, and
    /// its example is the chart's default policy.
    /// </summary>
    [SkippableFact]
    public void The_Artifact_Hub_metadata_names_what_the_chart_installs()
    {
        var chartYaml = RenderedChart.Parse(File.ReadAllText(Path.Combine(Helm.ChartPath, "Chart.yaml")), "Chart.yaml").Documents.Single();
        var annotations = chartYaml["annotations"]!.AsObject();
        JsonArray Listed(string key) => (JsonArray)YamlToJson.Parse(annotations[key]!.GetValue<string>(), key).Single().Root!;

        foreach (var url in new[] { chartYaml["home"]!.GetValue<string>(), chartYaml["icon"]!.GetValue<string>(), chartYaml["sources"]![0]!.GetValue<string>() })
        {
            Assert.StartsWith("https://", url, StringComparison.Ordinal);
        }

        Assert.Equal("false", annotations["artifacthub.io/prerelease"]!.GetValue<string>());
        Assert.Null(annotations["artifacthub.io/signKey"]);
        var chart = RenderedChart.Parse(Helm.Render());
        var rendered = chart.OfKind("Deployment").Concat(chart.OfKind("Job"))
            .SelectMany(d => d["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["image"]!.GetValue<string>()))
            .Order(StringComparer.Ordinal);
        Assert.Equal(rendered, Listed("artifacthub.io/images").Select(i => i!["image"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Contains($"ghcr.io/eks-hardening/eks-hardening:{chartYaml["appVersion"]!.GetValue<string>()}", rendered);

        var crd = chart.Single<V1CustomResourceDefinition>("CustomResourceDefinition");
        var listedCrd = Assert.Single(Listed("artifacthub.io/crds"))!;
        Assert.Equal((crd.Spec.Names.Kind, crd.Metadata.Name, crd.Spec.Versions.Single(v => v.Served).Name),
            (listedCrd["kind"]!.GetValue<string>(), listedCrd["name"]!.GetValue<string>(), listedCrd["version"]!.GetValue<string>()));

        var example = Assert.Single(Listed("artifacthub.io/crdsExamples"))!;
        var defaultPolicy = RenderedChart.Parse(Helm.Render(sets: ["defaultPolicy.enabled=true"])).Single("ResponsibilityPolicy");
        Assert.True(JsonNode.DeepEquals(defaultPolicy["spec"], example["spec"]), $"the example is not the default policy: {example["spec"]}");
        Assert.Equal(defaultPolicy["apiVersion"]!.GetValue<string>(), example["apiVersion"]!.GetValue<string>());
    }

    [SkippableTheory]
    [MemberData(nameof(AllRenders))]
    public void The_operator_accepts_every_flag_the_chart_passes_and_the_names_agree(string render)
    {
        var chart = RenderedChart.Parse(Helm.Render(ValuesFor(render)));
        var deployment = chart.Single<V1Deployment>("Deployment");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("run", container.Args[0]);
        // Only the flags: nothing from the environment, so that a flag the chart omits cannot sneak in.
        var options = RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null);

        Assert.True(options.LeaderElection);
        Assert.Equal(Helm.ReleaseNamespace, options.LeaseNamespace);
        Assert.Contains(container.Env, e => e.Name == "POD_NAME" && e.ValueFrom.FieldRef.FieldPath == "metadata.name");
        Assert.Equal(options.HealthPort, Port(container, "health"));
        Assert.Equal(options.MetricsPort, Port(container, "metrics"));
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("health", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("health", container.ReadinessProbe.HttpGet.Port.Value);

        var webhook = options.Webhook;
        Assert.Equal(Helm.ReleaseNamespace, webhook.Namespace);
        Assert.Equal(webhook.Port, Port(container, "webhook"));
        var webhookService = chart.OfKind("Service").Select(RenderedChart.Typed<V1Service>).Single(s => s.Metadata.Name == webhook.ServiceName);
        var https = Assert.Single(webhookService.Spec.Ports);
        Assert.Equal(WebhookConfigurationBuilder.ServicePort, https.Port);
        Assert.Equal("webhook", https.TargetPort.Value);
        Assert.Equal(webhook.ConfigurationName, chart.Single<V1ValidatingWebhookConfiguration>("ValidatingWebhookConfiguration").Metadata.Name);
        var services = chart.OfKind("Service").Select(RenderedChart.Typed<V1Service>).ToList();
        Assert.All(services, s => Assert.Equal(deployment.Spec.Selector.MatchLabels, s.Spec.Selector));
    }

    [SkippableTheory]
    [MemberData(nameof(Renders))]
    public void The_webhook_configuration_is_the_one_WebhookConfigurationBuilder_builds(string render)
    {
        var chart = RenderedChart.Parse(Helm.Render(ValuesFor(render)));
        var container = Assert.Single(chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers);
        var options = RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null);
        var expected = WebhookConfigurationBuilder.Build(options.Webhook);
        var rendered = chart.Single<V1ValidatingWebhookConfiguration>("ValidatingWebhookConfiguration");

        Assert.Equal(expected.Metadata.Name, rendered.Metadata.Name);
        Assert.Equal(Canonical(expected.Webhooks), Canonical(rendered.Webhooks));
        Assert.Equal(3, rendered.Webhooks.Count);
        Assert.All(rendered.Webhooks, w => Assert.Null(w.ClientConfig.CaBundle));
        if (render == "all-features")
        {
            Assert.All(rendered.Webhooks, w => Assert.Equal("Fail", w.FailurePolicy));
            Assert.All(rendered.Webhooks, w => Assert.Equal(10, w.TimeoutSeconds));
        }
    }

    [SkippableTheory]
    [InlineData("1.27.9", false)]
    [InlineData("1.28.0", true)]
    [InlineData("1.30.2", true)]
    public void Match_conditions_are_rendered_for_servers_that_serve_them_and_the_rest_agrees_with_the_builder(string kubeVersion, bool served)
    {
        var chart = RenderedChart.Parse(Helm.Render(kubeVersion: kubeVersion));
        var container = Assert.Single(chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers);
        var options = RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null);
        var rendered = chart.Single<V1ValidatingWebhookConfiguration>("ValidatingWebhookConfiguration");

        Assert.Equal(Canonical(WebhookConfigurationBuilder.Build(options.Webhook, matchConditions: served).Webhooks), Canonical(rendered.Webhooks));
        Assert.Equal(served, rendered.Webhooks.Any(w => w.MatchConditions is { Count: > 0 }));
    }

    [SkippableFact]
    public void Without_the_webhook_there_is_no_webhook_object_port_or_permission()
    {
        var chart = RenderedChart.Parse(Helm.Render(sets: ["webhook.enabled=false"]));
        Assert.Empty(chart.OfKind("ValidatingWebhookConfiguration"));
        Assert.Single(chart.OfKind("Service"));
        var container = Assert.Single(chart.Single<V1Deployment>("Deployment").Spec.Template.Spec.Containers);
        Assert.Contains("--webhook-port=0", container.Args);
        Assert.DoesNotContain(container.Ports, p => p.Name == "webhook");
        Assert.Equal(0, RunFlags.Parse(container.Args.Skip(1).ToList(), _ => null).Webhook.Port);
        Assert.DoesNotContain(chart.OfKind("Role").SelectMany(r => RenderedChart.Typed<V1Role>(r).Rules), r => r.Resources.Contains("secrets"));
        Assert.DoesNotContain(chart.OperatorClusterRole.Rules, r => r.Resources.Contains("validatingwebhookconfigurations"));
    }

    [SkippableTheory]
    [MemberData(nameof(Renders))]
    public void The_pods_run_at_the_restricted_level_spread_and_bounded(string render)
    {
        var chart = RenderedChart.Parse(Helm.Render(ValuesFor(render)));
        var deployment = chart.Single<V1Deployment>("Deployment");
        Assert.Equal(2, deployment.Spec.Replicas);
        var pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(65532, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(pod.AutomountServiceAccountToken);
        // The API token the operator needs is projected explicitly, where the in-cluster configuration reads it.
        var mount = Assert.Single(pod.Containers[0].VolumeMounts, m => m.MountPath == "/var/run/secrets/kubernetes.io/serviceaccount");
        Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == mount.Name).Projected.Sources.Single(s => s.ServiceAccountToken is not null));

        var container = Assert.Single(pod.Containers);
        var security = container.SecurityContext;
        Assert.True(security.RunAsNonRoot);
        Assert.Equal(65532, security.RunAsUser);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Null(security.Capabilities.Add);
        Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
        Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"));
        Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"));

        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], pod.TopologySpreadConstraints.Select(c => c.TopologyKey).Order(StringComparer.Ordinal));
        Assert.All(pod.TopologySpreadConstraints, c => Assert.Equal(deployment.Spec.Selector.MatchLabels, c.LabelSelector.MatchLabels));
        var budget = chart.Single<V1PodDisruptionBudget>("PodDisruptionBudget");
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
    }

    public static TheoryData<string, string> BadValues => new()
    {
        { "webhook.failurePolicy=Sometimes", "at '/webhook/failurePolicy': value must be one of 'Ignore', 'Fail'" },
        { "replicas=3", "additional properties 'replicas' not allowed" },
        { "operator.workers=0", "at '/operator/workers'" },
        { "serviceAccount.roleArn=my-role", "at '/serviceAccount/roleArn'" },
        { "operator.evaluationInterval=often", "at '/operator/evaluationInterval'" },
        { "image.tag=latest", "image.tag: latest is not allowed" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_fails_the_render_with_a_message_naming_it(string set, string message)
    {
        var result = Helm.Template(sets: [set]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_notes_tell_the_next_step()
    {
        var result = Helm.Run("install", Helm.ReleaseName, Helm.ChartDirectory, "--namespace", Helm.ReleaseNamespace, "--dry-run=client");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var notes = result.Stdout[result.Stdout.IndexOf("NOTES:", StringComparison.Ordinal)..];
        Assert.Contains("kubectl get rpol", notes, StringComparison.Ordinal);
        Assert.Contains("rollout status deployment/eks-hardening", notes, StringComparison.Ordinal);
    }

    private static int Port(V1Container container, string name) => Assert.Single(container.Ports, p => p.Name == name).ContainerPort;

    /// <summary>JSON with nulls dropped, so that absent and null compare equal.</summary>
    private static string Canonical(object value)
    {
        // Element by element: the client's JSON metadata covers its models, not lists of them.
        var node = value is IEnumerable items and not string
            ? new JsonArray(items.Cast<object>().Select(item => JsonNode.Parse(KubernetesJson.Serialize(item))).ToArray())
            : JsonNode.Parse(KubernetesJson.Serialize(value));
        return Strip(node)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";

        static JsonNode? Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj.ToList())
                    {
                        if (child is null) obj.Remove(key);
                        else Strip(child);
                    }

                    return obj;
                case JsonArray array:
                    foreach (var child in array) Strip(child);
                    return array;
                default:
                    return node;
            }
        }
    }
}
