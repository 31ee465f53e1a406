using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.Operator.Admission;

/// <summary>
/// The ValidatingWebhookConfiguration the operator stands behind (the Helm chart renders the same), shaped so that
/// the webhook can never lock the cluster out: the operator's own namespace and kube-system are never sent to it
/// (but for the one ConfigMap kube-system/aws-auth), any object can opt out by label, an unreachable webhook admits by
/// default (failurePolicy Ignore), it has no side effects (so dry-run requests reach it), and it answers within
/// timeoutSeconds. Three webhooks: workloads; the objects of the rbac and encryption duties (bindings,
/// StorageClasses, claims, Ingresses, LoadBalancer Services), without the API server's own writes (it reconciles the
/// built-in RBAC at start and must never wait on us); and kube-system/aws-auth alone.
/// </summary>
public static class WebhookConfigurationBuilder
{
    /// <summary>Objects labelled <c>eks-hardening.io/ignore: "true"</c> are not sent to the webhook.</summary>
    public const string OptOutLabel = "eks-hardening.io/ignore";

    public const string WebhookName = "workloads.eks-hardening.io";

    /// <summary>The webhook of bindings, StorageClasses, claims, Ingresses and Services.</summary>
    public const string ObjectsWebhookName = "objects.eks-hardening.io";

    /// <summary>The webhook of the ConfigMap kube-system/aws-auth.</summary>
    public const string AwsAuthWebhookName = "aws-auth.eks-hardening.io";

    /// <summary>The API server sets this label on every namespace (1.21+); selecting on it needs no labelling of our own.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The Service port the API server calls (the Service maps it to the webhook port).</summary>
    public const int ServicePort = 443;

    /// <summary>
    /// The user the API server's own loopback client writes as (k8s.io/apiserver user.APIServerUser): the RBAC
    /// bootstrap reconciles the built-in roles and bindings with it at every start.
    /// </summary>
    public const string ApiServerUser = "system:apiserver";

    /// <summary>
    /// matchConditions (CEL) narrow what is sent: only LoadBalancer Services, only the ConfigMap named aws-auth, never
    /// the API server's own writes. Beta and on by default from Kubernetes 1.28, GA in 1.30; without them (older
    /// servers: <paramref name="matchConditions"/> false, as the chart renders there) the same objects are sent and the
    /// webhook itself passes over those it does not judge.
    /// </summary>
    public static V1ValidatingWebhookConfiguration Build(WebhookOptions options, byte[]? caBundle = null, bool matchConditions = true)
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
                Webhook(WebhookName, options, caBundle, OutsideExcludedNamespaces(options), Rules(AdmittedKinds.All).ToList(), conditions: null),
                Webhook(ObjectsWebhookName, options, caBundle, OutsideExcludedNamespaces(options), Rules(AdmittedKinds.Objects.Where(k => k.Kind != "ConfigMap")).ToList(),
                    matchConditions
                        ?
                        [
                            new V1MatchCondition { Name = "not-the-api-server", Expression = $"!has(request.userInfo.username) || request.userInfo.username != '{ApiServerUser}'" },
                            new V1MatchCondition
                            {
                                Name = "loadbalancer-services-only",
                                Expression = "request.resource.resource != 'services' || (has(object.spec.type) && object.spec.type == 'LoadBalancer')",
                            },
                        ]
                        : null),
                Webhook(AwsAuthWebhookName, options, caBundle,
                    new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = ClusterRbac.AwsAuthNamespace } },
                    Rules(AdmittedKinds.Objects.Where(k => k.Kind == "ConfigMap")).ToList(),
                    matchConditions
                        ? [new V1MatchCondition { Name = "aws-auth-only", Expression = $"has(object.metadata.name) && object.metadata.name == '{ClusterRbac.AwsAuthName}'" }]
                        : null),
            ],
        };
    }

    private static V1ValidatingWebhook Webhook(string name, WebhookOptions options, byte[]? caBundle, V1LabelSelector namespaceSelector,
        List<V1RuleWithOperations> rules, List<V1MatchCondition>? conditions) => new()
    {
        Name = name,
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
        NamespaceSelector = namespaceSelector,
        ObjectSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = OptOutLabel, OperatorProperty = "NotIn", Values = ["true"] }],
        },
        MatchConditions = conditions,
        Rules = rules,
    };

    /// <summary>Every namespace but the excluded ones; a cluster-scoped object is sent whatever the selector says.</summary>
    private static V1LabelSelector OutsideExcludedNamespaces(WebhookOptions options) => new()
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
    };

    /// <summary>The operator's namespace and kube-system: the webhook must never stand between the cluster and its repair.</summary>
    public static IEnumerable<string> ExcludedNamespaces(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        yield return options.Namespace;
        if (options.Namespace != "kube-system") yield return "kube-system";
    }

    /// <summary>CREATE and UPDATE of the given kinds, one rule per API group and scope, plus pods/ephemeralcontainers.</summary>
    private static IEnumerable<V1RuleWithOperations> Rules(IEnumerable<AdmittedKinds.AdmittedKind> kinds)
    {
        foreach (var group in kinds.GroupBy(k => (k.Group, k.Version, k.ClusterScoped)))
        {
            var resources = group.Select(k => k.Resource).ToList();
            if (group.Any(k => k.Kind == "Pod")) resources.Add($"pods/{AdmittedKinds.EphemeralContainers}");
            yield return new V1RuleWithOperations
            {
                ApiGroups = [group.Key.Group],
                ApiVersions = [group.Key.Version],
                Operations = ["CREATE", "UPDATE"],
                Resources = resources,
                Scope = group.Key.ClusterScoped ? "Cluster" : "Namespaced",
            };
        }
    }
}
