using EksHardening.Operator.Rules.Rbac;

namespace EksHardening.ScaleBenchmark;

/// <summary>
/// The synthetic cluster's access objects, which the rbac duty judges: the ClusterRoles and ClusterRoleBindings an EKS
/// cluster has from the start (upstream's bootstrap policy, EKS's eks:* and the add-ons'; admin, edit and view
/// aggregated), a few added ones (two CI service accounts bound to cluster-admin, a wildcard role, view granted to
/// system:anonymous), kube-system/aws-auth (one role mapped to system:masters besides the allowed break-glass role) and
/// 5 objects per namespace: a Role and its RoleBinding for the app's service account, the team's developers bound to
/// edit, the CI deployer bound to edit (to cluster-admin in one namespace in sixteen), and the on-call group's
/// break-glass binding to cluster-admin (an allowed subject). In one namespace in twenty the app's service account
/// is among the developers, so every workload there can exec into pods.
/// </summary>
internal sealed partial class SyntheticEksCluster
{
    /// <summary>The group the benchmark's policy allows to hold cluster-admin.</summary>
    public const string OnCallGroup = "platform:oncall";
    public const string BreakGlassRoleArn = "arn:aws:iam::111122223333:role/break-glass";
    public const string BreakGlassBinding = "oncall-break-glass";

    private const string RbacGroup = "rbac.authorization.k8s.io";
    private const string AggregateLabel = "rbac.authorization.k8s.io/aggregate-to-";
    private static readonly Dictionary<string, string> Bootstrap = new() { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };

    /// <summary>The kube-system controllers upstream binds each to its own service account (system:controller:NAME).</summary>
    private static readonly string[] Controllers =
    [
        "attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller", "cronjob-controller",
        "daemon-set-controller", "deployment-controller", "disruption-controller", "endpoint-controller",
        "endpointslice-controller", "endpointslicemirroring-controller", "ephemeral-volume-controller", "expand-controller",
        "generic-garbage-collector", "horizontal-pod-autoscaler", "job-controller", "legacy-service-account-token-cleaner",
        "namespace-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector",
        "pv-protection-controller", "pvc-protection-controller", "replicaset-controller", "replication-controller",
        "resourcequota-controller", "root-ca-cert-publisher", "route-controller", "service-account-controller",
        "service-controller", "statefulset-controller", "ttl-after-finished-controller", "ttl-controller",
        "validatingadmissionpolicy-status-controller",
    ];

    /// <summary>Whether namespace <paramref name="n"/>'s app service account is among the developers bound to edit.</summary>
    private static bool AppAccountCanEdit(int n) => n % 20 == 11;

    /// <summary>Whether namespace <paramref name="n"/>'s CI deployer is bound to cluster-admin rather than edit.</summary>
    private static bool DeployerIsAdmin(int n) => n % 16 == 7;

    /// <summary>Whether the operator caches <paramref name="obj"/>: every object but the ConfigMaps other than kube-system/aws-auth.</summary>
    public static bool IsCachedByOperator(object obj) =>
        obj is not V1ConfigMap configMap || configMap.Metadata is { Name: ClusterRbac.AwsAuthName, NamespaceProperty: ClusterRbac.AwsAuthNamespace };

    private IEnumerable<object> ClusterScopedObjects()
    {
        foreach (var obj in ClusterRoles()) yield return obj;
        foreach (var obj in ClusterRoleBindings()) yield return obj;
        foreach (var obj in KubeSystemConfigMaps()) yield return obj;
        foreach (var obj in Infrastructure()) yield return obj;
    }

    /// <summary>Namespace <paramref name="n"/>'s 5 RBAC objects; <paramref name="breakGlassAddedUser"/>: someone added themselves to the break-glass binding.</summary>
    public static IEnumerable<object> NamespaceRbac(int n, bool breakGlassAddedUser)
    {
        var ns = NamespaceName(n);
        yield return new V1Role
        {
            ApiVersion = $"{RbacGroup}/v1",
            Kind = "Role",
            Metadata = RbacMeta("app-config-reader", ns, Uid(18, n), bootstrap: false),
            Rules =
            [
                Rule([""], ["configmaps"], ["get", "list", "watch"]),
                new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], ResourceNames = ["app-credentials"], Verbs = ["get"] },
            ],
        };
        yield return RoleBinding(ns, "app-config-reader", Uid(19, n * 4), "Role", "app-config-reader", [Account(ns, "app")]);
        List<Rbacv1Subject> developers = [Group($"{ns}:developers")];
        if (AppAccountCanEdit(n)) developers.Add(Account(ns, "app"));
        yield return RoleBinding(ns, "team-developers", Uid(19, n * 4 + 1), "ClusterRole", "edit", developers);
        yield return RoleBinding(ns, "ci-deployer", Uid(19, n * 4 + 2), "ClusterRole", DeployerIsAdmin(n) ? "cluster-admin" : "edit", [Account("ci", "deployer")]);
        List<Rbacv1Subject> onCall = [Group(OnCallGroup)];
        if (breakGlassAddedUser) onCall.Add(User("contractor@example.com"));
        yield return RoleBinding(ns, BreakGlassBinding, Uid(19, n * 4 + 3), "ClusterRole", "cluster-admin", onCall);
    }

    private static IEnumerable<V1ClusterRole> ClusterRoles()
    {
        var index = 0;
        V1ClusterRole Role(string name, bool bootstrap, IEnumerable<V1PolicyRule> rules, Dictionary<string, string>? labels = null, string[]? aggregateFrom = null)
        {
            var meta = RbacMeta(name, null, Uid(20, index++), bootstrap);
            if (labels is not null) meta.Labels = new Dictionary<string, string>(meta.Labels ?? new Dictionary<string, string>()).Concat(labels).ToDictionary();
            if (bootstrap) meta.Annotations = new Dictionary<string, string> { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" };
            return new V1ClusterRole
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "ClusterRole",
                Metadata = meta,
                Rules = [.. rules],
                AggregationRule = aggregateFrom is null
                    ? null
                    : new V1AggregationRule { ClusterRoleSelectors = [.. aggregateFrom.Select(a => new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [AggregateLabel + a] = "true" } })] },
            };
        }

        static Dictionary<string, string> AggregateTo(params string[] roles) => roles.ToDictionary(r => AggregateLabel + r, _ => "true");

        string[] readVerbs = ["get", "list", "watch"];
        string[] writeVerbs = ["create", "delete", "deletecollection", "patch", "update"];
        V1PolicyRule[] view =
        [
            Rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], readVerbs),
            Rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], readVerbs),
            Rule([""], ["namespaces"], readVerbs),
            Rule(["discovery.k8s.io"], ["endpointslices"], readVerbs),
            Rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], readVerbs),
            Rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], readVerbs),
            Rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], readVerbs),
            Rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], readVerbs),
            Rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], readVerbs),
        ];
        V1PolicyRule[] edit =
        [
            Rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], readVerbs),
            Rule([""], ["serviceaccounts"], ["impersonate"]),
            Rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], ["create", "delete", "deletecollection", "patch", "update"]),
            Rule([""], ["pods/eviction"], ["create"]),
            Rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], writeVerbs),
            Rule([""], ["serviceaccounts/token"], ["create"]),
            Rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], writeVerbs),
            Rule(["autoscaling"], ["horizontalpodautoscalers"], writeVerbs),
            Rule(["batch"], ["cronjobs", "jobs"], writeVerbs),
            Rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], writeVerbs),
            Rule(["policy"], ["poddisruptionbudgets"], writeVerbs),
        ];
        V1PolicyRule[] admin =
        [
            Rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
            Rule([RbacGroup], ["rolebindings", "roles"], ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]),
        ];
        V1PolicyRule[] metricsReader = [Rule(["metrics.k8s.io"], ["pods", "nodes"], readVerbs)];

        // Aggregated roles show the union the aggregation controller wrote into their rules.
        yield return Role("cluster-admin", true, [Rule(["*"], ["*"], ["*"]), new V1PolicyRule { NonResourceURLs = ["*"], Verbs = ["*"] }]);
        yield return Role("admin", true, [.. admin, .. edit, .. view, .. metricsReader], aggregateFrom: ["admin"]);
        yield return Role("edit", true, [.. edit, .. view, .. metricsReader], AggregateTo("admin"), aggregateFrom: ["edit"]);
        yield return Role("view", true, [.. view, .. metricsReader], AggregateTo("edit"), aggregateFrom: ["view"]);
        yield return Role("system:aggregate-to-admin", true, admin, AggregateTo("admin"));
        yield return Role("system:aggregate-to-edit", true, edit, AggregateTo("edit"));
        yield return Role("system:aggregate-to-view", true, view, AggregateTo("view"));
        yield return Role("system:aggregated-metrics-reader", false, metricsReader, AggregateTo("admin", "edit", "view"));
        yield return Role("system:discovery", true, [new V1PolicyRule { NonResourceURLs = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], Verbs = ["get"] }]);
        yield return Role("system:public-info-viewer", true, [new V1PolicyRule { NonResourceURLs = ["/healthz", "/livez", "/readyz", "/version", "/version/"], Verbs = ["get"] }]);
        yield return Role("system:basic-user", true, [Rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), Rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]);
        yield return Role("system:monitoring", true, [new V1PolicyRule { NonResourceURLs = ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], Verbs = ["get"] }]);
        yield return Role("system:service-account-issuer-discovery", true, [new V1PolicyRule { NonResourceURLs = ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"], Verbs = ["get"] }]);
        yield return Role("system:node", true, [Rule([""], ["pods", "nodes", "services", "endpoints"], readVerbs), Rule([""], ["nodes/status", "pods/status"], ["patch", "update"]), Rule([""], ["events"], ["create", "patch", "update"])]);
        yield return Role("system:node-proxier", true, [Rule([""], ["endpoints", "services", "nodes"], ["list", "watch", "get"]), Rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"])]);
        yield return Role("system:kube-controller-manager", true, [Rule([""], ["secrets", "serviceaccounts"], ["create", "get", "list", "watch"]), Rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"])]);
        yield return Role("system:kube-scheduler", true, [Rule([""], ["pods", "nodes", "namespaces"], readVerbs), Rule([""], ["bindings", "pods/binding"], ["create"]), Rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"])]);
        yield return Role("system:volume-scheduler", true, [Rule([""], ["persistentvolumes", "persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"]), Rule(["storage.k8s.io"], ["storageclasses"], readVerbs)]);
        yield return Role("system:kube-dns", true, [Rule([""], ["endpoints", "services"], ["list", "watch"])]);
        yield return Role("system:auth-delegator", true, [Rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]), Rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]);
        yield return Role("system:node-bootstrapper", true, [Rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]);
        yield return Role("system:kubelet-api-admin", true, [Rule([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])]);
        yield return Role("system:persistent-volume-provisioner", true, [Rule([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]), Rule([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"])]);
        foreach (var controller in Controllers)
        {
            yield return Role("system:controller:" + controller, true, [Rule([""], ["events"], ["create", "patch", "update"]), Rule([""], ["pods", "nodes"], readVerbs)]);
        }

        foreach (var eks in (string[])["eks:addon-manager", "eks:az-poller", "eks:certificate-controller", "eks:cloud-controller-manager", "eks:cluster-event-watcher",
                     "eks:fargate-manager", "eks:k8s-metrics", "eks:network-policy-controller", "eks:node-bootstrapper", "eks:node-manager", "eks:nodewatcher",
                     "eks:pod-identity-mutating-webhook", "eks:service-operations", "eks:tagging-controller"])
        {
            yield return Role(eks, false, [Rule([""], ["nodes", "pods", "events"], readVerbs), Rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"])]);
        }

        yield return Role("aws-node", false, [Rule(["crd.k8s.amazonaws.com"], ["eniconfigs"], readVerbs), Rule([""], ["namespaces", "pods", "nodes"], readVerbs), Rule(["vpcresources.k8s.aws"], ["cninodes"], ["get", "list", "patch"])]);
        yield return Role("ebs-csi-node-role", false, [Rule([""], ["nodes"], ["get", "patch"]), Rule(["storage.k8s.io"], ["volumeattachments"], readVerbs)]);
        yield return Role("ebs-external-provisioner-role", false, [Rule([""], ["persistentvolumes"], ["get", "list", "watch", "create", "patch", "delete"]), Rule([""], ["persistentvolumeclaims"], ["get", "list", "watch", "update"]), Rule(["storage.k8s.io"], ["storageclasses", "csinodes"], readVerbs)]);
        yield return Role("ebs-external-attacher-role", false, [Rule(["storage.k8s.io"], ["volumeattachments", "volumeattachments/status"], ["get", "list", "watch", "update", "patch"])]);
        yield return Role("ebs-external-resizer-role", false, [Rule([""], ["persistentvolumes"], ["get", "list", "watch", "patch"]), Rule([""], ["persistentvolumeclaims/status"], ["patch"])]);
        yield return Role("aws-load-balancer-controller-role", false, [Rule(["elbv2.k8s.aws"], ["targetgroupbindings", "ingressclassparams"], ["create", "delete", "get", "list", "patch", "update", "watch"]), Rule(["networking.k8s.io"], ["ingresses", "ingresses/status"], ["get", "list", "patch", "update", "watch"]), Rule([""], ["services", "services/status", "endpoints", "pods", "nodes", "namespaces"], ["get", "list", "patch", "update", "watch"])]);
        yield return Role("eks-console-dashboard-full-access-clusterrole", false, [Rule([""], ["nodes", "namespaces", "pods", "configmaps", "endpoints", "events", "limitranges", "persistentvolumeclaims", "podtemplates", "replicationcontrollers", "resourcequotas", "secrets", "serviceaccounts", "services"], ["get", "list"]), Rule(["apps"], ["deployments", "daemonsets", "statefulsets", "replicasets"], ["get", "list"]), Rule(["batch"], ["jobs", "cronjobs"], ["get", "list"])]);
        // Added by hand: a deploy tool's role with every verb on everything (rbac.wildcard-role once bound).
        yield return Role("legacy-deploy-tool", false, [Rule(["*"], ["*"], ["*"])]);
    }

    private static IEnumerable<V1ClusterRoleBinding> ClusterRoleBindings()
    {
        var index = 0;
        V1ClusterRoleBinding Binding(string name, bool bootstrap, string role, IEnumerable<Rbacv1Subject> subjects)
        {
            var meta = RbacMeta(name, null, Uid(21, index++), bootstrap);
            if (bootstrap) meta.Annotations = new Dictionary<string, string> { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" };
            return new V1ClusterRoleBinding
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "ClusterRoleBinding",
                Metadata = meta,
                RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = role },
                Subjects = [.. subjects],
            };
        }

        yield return Binding("cluster-admin", true, "cluster-admin", [Group("system:masters")]);
        yield return Binding("system:discovery", true, "system:discovery", [Group("system:authenticated")]);
        yield return Binding("system:basic-user", true, "system:basic-user", [Group("system:authenticated")]);
        yield return Binding("system:public-info-viewer", true, "system:public-info-viewer", [Group("system:authenticated"), Group("system:unauthenticated")]);
        yield return Binding("system:monitoring", true, "system:monitoring", [Group("system:monitoring")]);
        yield return Binding("system:service-account-issuer-discovery", true, "system:service-account-issuer-discovery", [Group("system:serviceaccounts")]);
        yield return Binding("system:node", true, "system:node", []);
        yield return Binding("system:node-proxier", true, "system:node-proxier", [User("system:kube-proxy")]);
        yield return Binding("system:kube-controller-manager", true, "system:kube-controller-manager", [User("system:kube-controller-manager")]);
        yield return Binding("system:kube-scheduler", true, "system:kube-scheduler", [User("system:kube-scheduler")]);
        yield return Binding("system:volume-scheduler", true, "system:volume-scheduler", [User("system:kube-scheduler")]);
        yield return Binding("system:kube-dns", true, "system:kube-dns", [Account("kube-system", "kube-dns")]);
        foreach (var controller in Controllers)
        {
            yield return Binding("system:controller:" + controller, true, "system:controller:" + controller, [Account("kube-system", controller)]);
        }

        yield return Binding("eks:addon-manager", false, "eks:addon-manager", [User("eks:addon-manager")]);
        yield return Binding("eks:az-poller", false, "eks:az-poller", [User("eks:az-poller")]);
        yield return Binding("eks:certificate-controller", false, "eks:certificate-controller", [User("eks:certificate-controller")]);
        yield return Binding("eks:cloud-controller-manager", false, "eks:cloud-controller-manager", [User("eks:cloud-controller-manager"), Account("kube-system", "cloud-controller-manager")]);
        yield return Binding("eks:cluster-event-watcher", false, "eks:cluster-event-watcher", [User("eks:cluster-event-watcher")]);
        yield return Binding("eks:fargate-manager", false, "eks:fargate-manager", [User("eks:fargate-manager")]);
        yield return Binding("eks:k8s-metrics", false, "eks:k8s-metrics", [User("eks:k8s-metrics")]);
        yield return Binding("eks:network-policy-controller", false, "eks:network-policy-controller", [User("eks:network-policy-controller")]);
        yield return Binding("eks:node-bootstrapper", false, "eks:node-bootstrapper", [Group("system:bootstrappers"), Group("system:nodes")]);
        yield return Binding("eks:node-manager", false, "eks:node-manager", [User("eks:node-manager")]);
        yield return Binding("eks:nodewatcher", false, "eks:nodewatcher", [User("eks:nodewatcher")]);
        yield return Binding("eks:pod-identity-mutating-webhook", false, "eks:pod-identity-mutating-webhook", [User("eks:pod-identity-mutating-webhook")]);
        yield return Binding("eks:service-operations", false, "eks:service-operations", [User("eks:service-operations")]);
        yield return Binding("eks:tagging-controller", false, "eks:tagging-controller", [User("eks:tagging-controller")]);
        yield return Binding("aws-node", false, "aws-node", [Account("kube-system", "aws-node")]);
        yield return Binding("ebs-csi-node-binding", false, "ebs-csi-node-role", [Account("kube-system", "ebs-csi-node-sa")]);
        yield return Binding("ebs-csi-provisioner-binding", false, "ebs-external-provisioner-role", [Account("kube-system", "ebs-csi-controller-sa")]);
        yield return Binding("ebs-csi-attacher-binding", false, "ebs-external-attacher-role", [Account("kube-system", "ebs-csi-controller-sa")]);
        yield return Binding("ebs-csi-resizer-binding", false, "ebs-external-resizer-role", [Account("kube-system", "ebs-csi-controller-sa")]);
        yield return Binding("aws-load-balancer-controller-rolebinding", false, "aws-load-balancer-controller-role", [Account("kube-system", "aws-load-balancer-controller")]);
        yield return Binding("metrics-server:system:auth-delegator", false, "system:auth-delegator", [Account("kube-system", "metrics-server")]);
        yield return Binding("eks-console-dashboard-full-access-binding", false, "eks-console-dashboard-full-access-clusterrole", [Group("eks-console-dashboard-full-access-group")]);
        yield return Binding("platform-oncall-admin", false, "cluster-admin", [Group(OnCallGroup)]);
        // The faults: two CI service accounts with cluster-admin, the wildcard role bound, view for anonymous requests.
        yield return Binding("ci-admin", false, "cluster-admin", [Account("ci", "deployer")]);
        yield return Binding("gitlab-runner-admin", false, "cluster-admin", [Account("gitlab", "gitlab-runner")]);
        yield return Binding("legacy-deploy-tool", false, "legacy-deploy-tool", [Account("tools", "legacy-deployer")]);
        yield return Binding("status-page-anonymous", false, "view", [User("system:anonymous")]);
    }

    /// <summary>aws-auth and the other ConfigMaps of kube-system, which the operator must not list.</summary>
    private static IEnumerable<V1ConfigMap> KubeSystemConfigMaps()
    {
        var teams = string.Concat(Enumerable.Range(0, 12).Select(t => $"""
            - rolearn: arn:aws:iam::111122223333:role/team-{t:d2}-developers
              username: team-{t:d2}:{"{{SessionName}}"}
              groups:
              - team-{t:d4}:developers

            """));
        yield return ConfigMap("aws-auth", 0, new Dictionary<string, string>
        {
            ["mapRoles"] = $"""
                - rolearn: arn:aws:iam::111122223333:role/eks-node-group-apps
                  username: system:node:{"{{EC2PrivateDNSName}}"}
                  groups:
                  - system:bootstrappers
                  - system:nodes
                - rolearn: arn:aws:iam::111122223333:role/eks-node-group-system
                  username: system:node:{"{{EC2PrivateDNSName}}"}
                  groups:
                  - system:bootstrappers
                  - system:nodes
                - rolearn: {BreakGlassRoleArn}
                  username: break-glass:{"{{SessionName}}"}
                  groups:
                  - system:masters
                - rolearn: arn:aws:iam::111122223333:role/platform-admin
                  username: platform-admin:{"{{SessionName}}"}
                  groups:
                  - system:masters
                {teams}
                """,
            ["mapUsers"] = """
                - userarn: arn:aws:iam::111122223333:user/auditor
                  username: auditor
                  groups:
                  - eks-console-dashboard-full-access-group

                """,
        });
        yield return ConfigMap("coredns", 1, new Dictionary<string, string>
        {
            ["Corefile"] = """
                .:53 {
                    errors
                    health {
                        lameduck 5s
                      }
                    ready
                    kubernetes cluster.local in-addr.arpa ip6.arpa {
                      pods insecure
                      fallthrough in-addr.arpa ip6.arpa
                    }
                    prometheus :9153
                    forward . /etc/resolv.conf
                    cache 30
                    loop
                    reload
                    loadbalance
                }

                """,
        });
        yield return ConfigMap("kube-proxy-config", 2, new Dictionary<string, string>
        {
            ["config"] = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig\nmode: iptables\nclusterCIDR: \"\"\nmetricsBindAddress: 0.0.0.0:10249\n",
        });
        yield return ConfigMap("amazon-vpc-cni", 3, new Dictionary<string, string>
        {
            ["enable-network-policy-controller"] = "true",
            ["enable-windows-ipam"] = "false",
            ["enable-windows-prefix-delegation"] = "false",
            ["warm-prefix-target"] = "0",
        });
        yield return RootCaConfigMap("kube-system", Uid(22, 4));
    }

    private static V1ConfigMap ConfigMap(string name, int index, Dictionary<string, string> data) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "kube-system",
            Uid = Uid(22, index),
            CreationTimestamp = Created,
            ManagedFields = [Managed("kubectl-client-side-apply", "Update", null, LabelFields)],
        },
        Data = data,
    };

    private static V1RoleBinding RoleBinding(string ns, string name, string uid, string roleKind, string role, List<Rbacv1Subject> subjects) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "RoleBinding",
        Metadata = RbacMeta(name, ns, uid, bootstrap: false),
        RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = roleKind, Name = role },
        Subjects = subjects,
    };

    private static V1ObjectMeta RbacMeta(string name, string? ns, string uid, bool bootstrap) => new()
    {
        Name = name,
        NamespaceProperty = ns,
        Uid = uid,
        CreationTimestamp = Created,
        Labels = bootstrap ? new Dictionary<string, string>(Bootstrap) : null,
        ManagedFields = [Managed(bootstrap ? "kube-apiserver" : "kubectl-client-side-apply", "Update", null, LabelFields)],
    };

    private static V1PolicyRule Rule(string[] apiGroups, string[] resources, string[] verbs) => new() { ApiGroups = apiGroups, Resources = resources, Verbs = verbs };

    private static Rbacv1Subject User(string name) => new() { ApiGroup = RbacGroup, Kind = "User", Name = name };

    private static Rbacv1Subject Group(string name) => new() { ApiGroup = RbacGroup, Kind = "Group", Name = name };

    private static Rbacv1Subject Account(string ns, string name) => new() { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns };
}
