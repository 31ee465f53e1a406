using static EksHardening.Operator.Tests.Admission.AdmissionReviews;

namespace EksHardening.Operator.Tests.Admission;

/// <summary>
/// Admission of the objects of the rbac and encryption duties: bindings, kube-system/aws-auth, StorageClasses, claims,
/// Ingresses and LoadBalancer Services, judged by the rule families against the cached roles and classes.
/// </summary>
public class ObjectAdmissionTests
{
    /// <summary>Excludes kube-system and selects env=prod namespaces: aws-auth and cluster-scoped objects are judged anyway.</summary>
    private const string Enforce = """
        mode: Enforce
        match: {namespaceSelector: {matchLabels: {env: prod}}, excludeNamespaces: [kube-system]}
        rbac:
          disallowClusterAdminBindings: true
          disallowWildcardRoles: true
          disallowAnonymousAccess: true
          disallowSystemMastersMapping: true
          allowedSubjects:
          - {kind: Group, name: breakglass}
          - {kind: User, name: "arn:aws:iam::111122223333:role/admin"}
        encryption: {requireEncryptedVolumes: true, requireTlsIngress: true, allowedPlainPorts: [8443]}
        """;

    private static string Mode(string mode) => Enforce.Replace("mode: Enforce", $"mode: {mode}", StringComparison.Ordinal);

    /// <summary>Namespaces shop (prod) and dev; roles plain, wildcard, aggregated and of discovery; EBS classes encrypted or not (gp2 the default), and EFS.</summary>
    private static ClusterSnapshot Cluster(bool withRbac = true, bool withClasses = true) => ClusterSnapshot.FromObjects(TestEvaluation.Objects(Namespaces + (withRbac ? """

        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: cluster-admin}
        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: pod-reader}
        rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: everything}
        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: platform}
        aggregationRule: {clusterRoleSelectors: [{matchLabels: {platform/aggregate: "true"}}]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: platform-all, labels: {platform/aggregate: "true"}}
        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:discovery", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules: [{nonResourceURLs: [/api, /api/*, /apis, /apis/*, /version], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: deployer, namespace: shop}
        rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, update]}]
        """ : "") + (withClasses ? """

        ---
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: gp2, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
        provisioner: kubernetes.io/aws-ebs
        parameters: {type: gp2}
        ---
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: gp3-encrypted}
        provisioner: ebs.csi.aws.com
        parameters: {type: gp3, encrypted: "true"}
        ---
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: efs}
        provisioner: efs.csi.aws.com
        """ : "")));

    private static AdmissionDecision Judge(string objectYaml, string policy = Enforce, string operation = "CREATE", string? oldObjectYaml = null,
        ClusterSnapshot? cluster = null) =>
        Decide(ObjectReview(objectYaml, operation, oldObjectYaml), cluster: cluster ?? Cluster(), policySpecs: policy);

    private static string Binding(string kind, string role, string subject, string ns = "shop", string roleKind = "ClusterRole", string name = "ci-admin", string labels = "{}") =>
        kind == "ClusterRoleBinding"
            ? $$"""
              apiVersion: rbac.authorization.k8s.io/v1
              kind: ClusterRoleBinding
              metadata: {name: "{{name}}", labels: {{labels}}}
              roleRef: {apiGroup: rbac.authorization.k8s.io, kind: {{roleKind}}, name: "{{role}}"}
              subjects: [{{subject}}]
              """
            : $$"""
              apiVersion: rbac.authorization.k8s.io/v1
              kind: RoleBinding
              metadata: {name: "{{name}}", namespace: {{ns}}, labels: {{labels}}}
              roleRef: {apiGroup: rbac.authorization.k8s.io, kind: {{roleKind}}, name: "{{role}}"}
              subjects: [{{subject}}]
              """;

    private static string AwsAuth(string mapRoles, string name = "aws-auth") => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{name}}, namespace: kube-system}
        data:
          mapRoles: |
        {{string.Join('\n', mapRoles.Split('\n').Select(l => "    " + l))}}
        """;

    private const string NodeRole = """
        - rolearn: arn:aws:iam::111122223333:role/nodes
          username: system:node:{{EC2PrivateDNSName}}
          groups: [system:bootstrappers, system:nodes]
        """;

    private const string CiMaster = """
        - rolearn: arn:aws:iam::111122223333:role/ci
          username: ci
          groups: [system:masters]
        """;

    private static string StorageClass(string provisioner, string parameters, string name = "fast") => $$"""
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: {{name}}}
        provisioner: {{provisioner}}
        parameters: {{parameters}}
        """;

    private static string Claim(string? storageClass, string ns = "shop") => $$"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: {{ns}}}
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests: {storage: 10Gi}
          {{(storageClass is null ? "" : $"storageClassName: \"{storageClass}\"")}}
        """;

    private static string Ingress(string tls, string ns = "shop") => $$$"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: {{{ns}}}}
        spec:
          ingressClassName: nginx
          {{{tls}}}
          defaultBackend:
            service:
              name: web
              port: {number: 80}
        """;

    private static string Service(string type, int port, string annotations = "{}") => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, annotations: {{{annotations}}}}
        spec:
          type: {{{type}}}
          selector: {app: web}
          ports:
          - {name: p, port: {{{port}}}, targetPort: {{{port}}} }
        """;

    /// <summary>Each admitted kind: allowed, denied, and not decidable (a warning that says why, never a deny).</summary>
    public static TheoryData<string, string, string> Cases() => new()
    {
        // ClusterRoleBindings: cluster duties, judged whatever match says.
        { "cluster-admin to a group not allowed", Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}"), "deny rbac.cluster-admin-bound" },
        { "cluster-admin to the break-glass group", Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: breakglass}"), "allow" },
        { "a wildcard role to a user", Binding("ClusterRoleBinding", "everything", "{kind: User, name: bob}"), "deny rbac.wildcard-role" },
        { "an aggregated role holding a wildcard", Binding("ClusterRoleBinding", "platform", "{kind: User, name: bob}"), "deny rbac.wildcard-role" },
        { "a narrow role to a user", Binding("ClusterRoleBinding", "pod-reader", "{kind: User, name: bob}"), "allow" },
        { "a role not in the cache", Binding("ClusterRoleBinding", "ghost", "{kind: User, name: bob}"), "warn rbac.wildcard-role: could not be decided: whether ClusterRoleBinding ci-admin grants" },
        { "anything to system:anonymous", Binding("ClusterRoleBinding", "pod-reader", "{kind: User, name: \"system:anonymous\"}"), "deny rbac.anonymous-access" },
        { "discovery to system:unauthenticated", Binding("ClusterRoleBinding", "system:discovery", "{kind: Group, name: \"system:unauthenticated\"}", name: "anon-discovery"), "allow" },
        { "the built-in cluster-admin binding unchanged", Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: \"system:masters\"}", name: "cluster-admin", labels: "{kubernetes.io/bootstrapping: rbac-defaults}"), "allow" },
        { "the built-in cluster-admin binding with a group added", Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: \"system:masters\"}, {kind: Group, name: ci}", name: "cluster-admin", labels: "{kubernetes.io/bootstrapping: rbac-defaults}"), "deny rbac.cluster-admin-bound" },
        // RoleBindings follow match.
        { "a RoleBinding of cluster-admin in a matched namespace", Binding("RoleBinding", "cluster-admin", "{kind: ServiceAccount, name: ci, namespace: shop}"), "deny rbac.cluster-admin-bound" },
        { "a RoleBinding of cluster-admin outside match", Binding("RoleBinding", "cluster-admin", "{kind: ServiceAccount, name: ci, namespace: dev}", ns: "dev"), "allow" },
        { "a RoleBinding of a cached Role", Binding("RoleBinding", "deployer", "{kind: ServiceAccount, name: ci}", roleKind: "Role"), "allow" },
        { "a RoleBinding of a Role not in the cache", Binding("RoleBinding", "ghost", "{kind: ServiceAccount, name: ci}", roleKind: "Role"), "warn rbac.wildcard-role: could not be decided: whether RoleBinding shop/ci-admin grants" },
        // aws-auth: a cluster duty, judged although match excludes kube-system; other ConfigMaps are not judged.
        { "aws-auth mapping a role to system:masters", AwsAuth(NodeRole + "\n" + CiMaster), "deny rbac.system-masters-mapping" },
        { "aws-auth mapping only nodes", AwsAuth(NodeRole), "allow" },
        { "aws-auth mapping an allowed role to system:masters", AwsAuth(CiMaster.Replace("role/ci", "role/admin", StringComparison.Ordinal)), "allow" },
        { "aws-auth that is not YAML", AwsAuth("- rolearn: [unclosed"), "warn rbac.system-masters-mapping: could not be decided" },
        { "another ConfigMap of kube-system", AwsAuth(CiMaster, name: "coredns"), "skip only the ConfigMap kube-system/aws-auth is checked" },
        // StorageClasses: cluster-scoped.
        { "an EBS class without encrypted", StorageClass("ebs.csi.aws.com", "{type: gp3}"), "deny encryption.volumes" },
        { "an EBS class with encrypted \"True\"", StorageClass("ebs.csi.aws.com", "{type: gp3, Encrypted: \"True\"}"), "deny encryption.volumes" },
        { "an encrypted EBS class", StorageClass("ebs.csi.aws.com", "{type: gp3, encrypted: \"true\"}"), "allow" },
        { "an EFS class", StorageClass("efs.csi.aws.com", "{}"), "allow" },
        // Claims: the class from the cache, the default class when none is named.
        { "a claim of an unencrypted class", Claim("gp2"), "deny encryption.volumes" },
        { "a claim of the default class", Claim(null), "deny encryption.volumes" },
        { "a claim of an encrypted class", Claim("gp3-encrypted"), "allow" },
        { "a claim of an EFS class", Claim("efs"), "allow" },
        { "a claim bound statically", Claim(""), "allow" },
        { "a claim of a class not in the cache", Claim("ghost"), "warn encryption.volumes: could not be decided: PersistentVolumeClaim shop/data: its StorageClass ghost" },
        { "a claim outside match", Claim("gp2", ns: "dev"), "allow" },
        // Ingresses and LoadBalancer Services.
        { "an Ingress without TLS", Ingress(""), "deny encryption.ingress-tls" },
        { "an Ingress with TLS", Ingress("tls: [{hosts: [shop.example.com], secretName: shop-tls}]"), "allow" },
        { "an Ingress without TLS outside match", Ingress("", ns: "dev"), "allow" },
        { "a LoadBalancer Service on plain port 80", Service("LoadBalancer", 80), "deny encryption.ingress-tls" },
        { "a LoadBalancer Service on an allowed plain port", Service("LoadBalancer", 8443), "allow" },
        { "a LoadBalancer Service with an NLB certificate", Service("LoadBalancer", 443, "{service.beta.kubernetes.io/aws-load-balancer-ssl-cert: \"arn:aws:acm:eu-west-1:111122223333:certificate/abc\"}"), "allow" },
        { "a ClusterIP Service", Service("ClusterIP", 80), "allow" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Enforce_judges_each_admitted_kind(string situation, string objectYaml, string expected)
    {
        var decision = Judge(objectYaml);
        var (verdict, detail) = (expected.Split(' ', 2)[0], expected.Split(' ', 2).ElementAtOrDefault(1) ?? "");
        switch (verdict)
        {
            case "deny":
                Assert.False(decision.Allowed, situation);
                Assert.Equal(403, decision.Code);
                Assert.Equal(["prod"], decision.DeniedBy);
                Assert.Contains($"violates ResponsibilityPolicy prod (Enforce): {detail}", decision.Message, StringComparison.Ordinal);
                Assert.Contains(detail, decision.FailedRules);
                break;
            case "allow":
                Assert.True(decision.Allowed, $"{situation}: {decision.Message}");
                Assert.Empty(decision.Warnings);
                Assert.Null(decision.SkipReason);
                break;
            case "warn":
                Assert.True(decision.Allowed, $"{situation}: {decision.Message}");
                Assert.Contains(decision.Warnings, w => w.StartsWith("[prod] " + detail, StringComparison.Ordinal));
                break;
            case "skip":
                Assert.True(decision.Allowed, situation);
                Assert.Equal(detail, decision.SkipReason);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(expected));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Warn_allows_what_enforce_denies_with_a_warning_of_the_rule(string situation, string objectYaml, string expected)
    {
        var decision = Judge(objectYaml, Mode("Warn"));
        Assert.True(decision.Allowed, situation);
        Assert.Empty(decision.DeniedBy);
        if (expected.StartsWith("deny ", StringComparison.Ordinal))
        {
            Assert.Contains(decision.Warnings, w => w.StartsWith($"[prod] {expected[5..]}: ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Audit_is_silent(string situation, string objectYaml, string expected)
    {
        _ = expected;
        var decision = Judge(objectYaml, Mode("Audit"));
        Assert.True(decision.Allowed, situation);
        Assert.Empty(decision.Warnings);
        Assert.Equal("no Warn or Enforce policy", decision.SkipReason);
    }

    [Fact]
    public void A_new_cluster_admin_binding_to_a_group_not_allowed_is_denied_with_the_rule_id_and_warned_under_warn()
    {
        var binding = Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci-admins}");
        var denied = Judge(binding);
        // cluster-admin grants "*" on "*": the wildcard rule fails with it, as in the reconciler's report.
        Assert.Equal("ClusterRoleBinding ci-admin violates ResponsibilityPolicy prod (Enforce): rbac.cluster-admin-bound at subjects[0]; rbac.wildcard-role at subjects[0]",
            denied.Message);
        Assert.Equal(["rbac.cluster-admin-bound", "rbac.wildcard-role"], denied.FailedRules);

        var warned = Judge(binding, Mode("Warn"));
        Assert.True(warned.Allowed);
        Assert.Equal("[prod] rbac.cluster-admin-bound: ClusterRoleBinding ci-admin grants ClusterRole cluster-admin (every verb on every resource) in every namespace to Group ci-admins",
            warned.Warnings[0]);
        Assert.StartsWith("[prod] rbac.wildcard-role: ClusterRoleBinding ci-admin grants ClusterRole cluster-admin with \"*\" verbs", warned.Warnings[1], StringComparison.Ordinal);
        Assert.Equal(2, warned.Warnings.Count);
    }

    [Theory]
    [InlineData("rules: [rbac.cluster-admin-bound, rbac.wildcard-role]", true)]
    [InlineData("rules: [rbac.cluster-admin-bound]", false)]
    [InlineData("rules: [\"rbac.*\"]", true)]
    [InlineData("rules: [rbac.wildcard-role]", false)]
    [InlineData("namespaces: [shop], rules: [\"*\"]", true)]
    [InlineData("namespaces: [dev], rules: [\"*\"]", false)]
    public void Exemptions_cover_objects_by_rule_and_namespace(string exemption, bool exempt)
    {
        var policy = Enforce + $$"""

            exemptions: [{name: ci, {{exemption}}, reason: migration}]
            """;
        var decision = Judge(Binding("RoleBinding", "cluster-admin", "{kind: ServiceAccount, name: ci}"), policy);
        Assert.Equal(exempt, decision.Allowed);
        if (exempt) Assert.Empty(decision.Warnings);
    }

    [Fact]
    public void A_cluster_scoped_object_is_not_exempted_by_a_namespace()
    {
        var policy = Enforce + """

            exemptions: [{name: shop, namespaces: [shop], rules: ["*"], reason: migration}]
            """;
        Assert.False(Judge(Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}"), policy).Allowed);
    }

    [Fact]
    public void Without_cached_roles_a_cluster_admin_binding_is_still_denied_and_a_wildcard_only_warned()
    {
        var cluster = Cluster(withRbac: false);
        Assert.False(Judge(Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}"), cluster: cluster).Allowed);

        var unknown = Judge(Binding("ClusterRoleBinding", "everything", "{kind: User, name: bob}"), cluster: cluster);
        Assert.True(unknown.Allowed);
        var warning = Assert.Single(unknown.Warnings);
        Assert.StartsWith("[prod] rbac.wildcard-role: could not be decided: ", warning, StringComparison.Ordinal);
        Assert.Contains("ClusterRole everything", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_cached_classes_a_claim_is_warned_and_a_class_still_judged_on_its_own()
    {
        var cluster = Cluster(withClasses: false);
        var claim = Judge(Claim("gp2"), cluster: cluster);
        Assert.True(claim.Allowed);
        Assert.StartsWith("[prod] encryption.volumes: could not be decided: ", Assert.Single(claim.Warnings), StringComparison.Ordinal);
        Assert.StartsWith("[prod] encryption.volumes: could not be decided: ", Assert.Single(Judge(Claim(null), cluster: cluster).Warnings), StringComparison.Ordinal);
        Assert.False(Judge(StorageClass("ebs.csi.aws.com", "{type: gp3}"), cluster: cluster).Allowed);
    }

    [Fact]
    public void An_admitted_default_class_is_named_so_in_the_message()
    {
        var storageClass = StorageClass("ebs.csi.aws.com", "{type: gp3}", name: "fast").Replace("metadata: {name: fast}",
            "metadata: {name: fast, creationTimestamp: \"2026-11-28T11:00:00Z\", annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}}", StringComparison.Ordinal);
        var warned = Judge(storageClass, Mode("Warn"));
        Assert.Contains(warned.Warnings, w => w.Contains("StorageClass fast (the default StorageClass) creates unencrypted EBS volumes", StringComparison.Ordinal));
    }

    [Fact]
    public void An_update_is_denied_only_for_failures_it_brings()
    {
        // A node group's role added to an aws-auth that already maps ci to system:masters: admitted, with a warning.
        var nodes = Judge(AwsAuth(CiMaster + "\n" + NodeRole), operation: "UPDATE", oldObjectYaml: AwsAuth(CiMaster));
        Assert.True(nodes.Allowed);
        Assert.StartsWith("[prod] rbac.system-masters-mapping: already so before this update: aws-auth maps IAM role arn:aws:iam::111122223333:role/ci",
            Assert.Single(nodes.Warnings), StringComparison.Ordinal);
        Assert.Equal(["rbac.system-masters-mapping"], nodes.FailedRules);

        // A second role mapped to system:masters is a new failure.
        var second = Judge(AwsAuth(CiMaster + "\n" + CiMaster.Replace("role/ci", "role/deploy", StringComparison.Ordinal)), operation: "UPDATE", oldObjectYaml: AwsAuth(CiMaster));
        Assert.False(second.Allowed);
        Assert.Contains("rbac.system-masters-mapping at data.mapRoles[1]", second.Message, StringComparison.Ordinal);

        // Removing one of two groups bound to cluster-admin is admitted; adding one is not.
        var both = Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}, {kind: Group, name: ops}");
        var one = Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}");
        Assert.True(Judge(one, operation: "UPDATE", oldObjectYaml: both).Allowed);
        Assert.False(Judge(both, operation: "UPDATE", oldObjectYaml: one).Allowed);
    }

    [Fact]
    public void Updates_that_leave_the_judged_fields_alone_are_not_judged()
    {
        // The service controller adds its finalizer to a LoadBalancer Service that serves plain HTTP.
        var plain = Service("LoadBalancer", 80);
        var finalized = plain.Replace("metadata: {name: web,", "metadata: {finalizers: [service.kubernetes.io/load-balancer-cleanup], name: web,", StringComparison.Ordinal);
        Assert.Equal("judged fields unchanged", Judge(finalized, operation: "UPDATE", oldObjectYaml: plain).SkipReason);

        // The PV controller sets the default class on a claim that had none: the class it already got.
        Assert.Equal("storage class unchanged", Judge(Claim("gp2"), operation: "UPDATE", oldObjectYaml: Claim(null)).SkipReason);
        // Another class is judged.
        Assert.False(Judge(Claim("gp2"), operation: "UPDATE", oldObjectYaml: Claim("gp3-encrypted")).Allowed);
    }

    [Fact]
    public void A_status_update_and_a_delete_are_not_judged()
    {
        var service = Service("LoadBalancer", 80);
        Assert.Equal("subresource is not checked", Decide(ObjectReview(service, "UPDATE", service, subResource: "status"), cluster: Cluster(), policySpecs: Enforce).SkipReason);
        Assert.Equal("operation is not checked", Decide(ObjectReview(service, "DELETE"), cluster: Cluster(), policySpecs: Enforce).SkipReason);
    }

    [Fact]
    public void Every_policy_in_force_judges_and_the_message_names_each_that_denies()
    {
        var decision = Decide(ObjectReview(Binding("ClusterRoleBinding", "cluster-admin", "{kind: Group, name: ci}")), cluster: Cluster(),
            policySpecs: [Enforce, Mode("Warn"), "mode: Enforce\npodSecurity: {level: baseline}"]);
        Assert.False(decision.Allowed);
        Assert.Equal(["p0"], decision.DeniedBy);
        Assert.Equal(["[p1] rbac.cluster-admin-bound: ", "[p1] rbac.wildcard-role: "], decision.Warnings.Select(w => w[..(w.IndexOf(':', StringComparison.Ordinal) + 2)]));
    }

    [Fact]
    public void The_object_rules_decided_at_admission_are_those_of_the_admitted_kinds()
    {
        var ids = AdmissionRules.All.Select(r => r.Id).ToList();
        foreach (var id in new[] { "rbac.cluster-admin-bound", "rbac.wildcard-role", "rbac.anonymous-access", "rbac.system-masters-mapping", "encryption.volumes", "encryption.ingress-tls" })
        {
            Assert.Contains(id, ids);
        }

        Assert.DoesNotContain("rbac.workload-privileges", ids);
        Assert.DoesNotContain(ids, id => id.StartsWith("node.", StringComparison.Ordinal));
        Assert.All(AdmittedKinds.Objects, k => Assert.NotEmpty(AdmissionRules.ObjectRulesOf(k.Kind)));
    }
}
