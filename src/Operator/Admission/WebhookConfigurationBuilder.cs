namespace EksHardening.Operator.Admission;

/// <summary>
/// The ValidatingWebhookConfiguration the operator stands behind (the Helm chart renders the same), shaped so that
/// the webhook can never lock the cluster out: the operator's own namespace and kube-system are never sent to it,
/// any object can opt out by label, an unreachable webhook admits by default (failurePolicy Ignore), it has no
/// side effects (so dry-run requests reach it), and it answers within timeoutSeconds.
/// </summary>
public static class WebhookConfigurationBuilder
{
    /// <summary>Objects labelled <c>eks-hardening.io/ignore: "true"</c> are not sent to the webhook.</summary>
    public const string OptOutLabel = "eks-hardening.io/ignore";

    public const string WebhookName = "workloads.eks-hardening.io";

    /// <summary>The API server sets this label on every namespace (1.21+); selecting on it needs no labelling of our own.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The Service port the API server calls (the Service maps it to the webhook port).</summary>
    public const int ServicePort = 443;

    public static V1ValidatingWebhookConfiguration Build(WebhookOptions options, byte[]? caBundle = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new V1ValidatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "ValidatingWebhookConfiguration",
            Metadata = new V1ObjectMeta
            {
                Name = options.ConfigurationName,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "eks-hardening", ["app.kubernetes.io/component"] = "webhook" },
            },
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = WebhookName,
                    AdmissionReviewVersions = ["v1"],
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig
                    {
                        Service = new Admissionregistrationv1ServiceReference
                        {
                            Name = options.ServiceName,
                            NamespaceProperty = options.Namespace,
                            Path = AdmissionEndpoint.Path,
                            Port = ServicePort,
                        },
                        CaBundle = caBundle,
                    },
                    FailurePolicy = options.FailurePolicy.ToString(),
                    SideEffects = "None",
                    TimeoutSeconds = options.TimeoutSeconds,
                    MatchPolicy = "Equivalent",
                    NamespaceSelector = new V1LabelSelector
                    {
                        MatchExpressions =
                        [
                            new V1LabelSelectorRequirement
                            {
                                Key = NamespaceNameLabel,
                                OperatorProperty = "NotIn",
                                Values = ExcludedNamespaces(options).ToList(),
                            },
                        ],
                    },
                    ObjectSelector = new V1LabelSelector
                    {
                        MatchExpressions = [new V1LabelSelectorRequirement { Key = OptOutLabel, OperatorProperty = "NotIn", Values = ["true"] }],
                    },
                    Rules = Rules().ToList(),
                },
            ],
        };
    }

    /// <summary>The operator's namespace and kube-system: the webhook must never stand between the cluster and its repair.</summary>
    public static IEnumerable<string> ExcludedNamespaces(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        yield return options.Namespace;
        if (options.Namespace != "kube-system") yield return "kube-system";
    }

    /// <summary>CREATE and UPDATE of every judged kind, one rule per API group, plus pods/ephemeralcontainers.</summary>
    private static IEnumerable<V1RuleWithOperations> Rules()
    {
        foreach (var group in AdmittedKinds.All.GroupBy(k => (k.Group, k.Version)))
        {
            var resources = group.Select(k => k.Resource).ToList();
            if (group.Any(k => k.Kind == "Pod")) resources.Add($"pods/{AdmittedKinds.EphemeralContainers}");
            yield return new V1RuleWithOperations
            {
                ApiGroups = [group.Key.Group],
                ApiVersions = [group.Key.Version],
                Operations = ["CREATE", "UPDATE"],
                Resources = resources,
                Scope = "Namespaced",
            };
        }
    }
}
