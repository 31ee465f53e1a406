namespace EksHardening.Operator.Tests.Rules;

public class RbacRulesTests
{
    private const string AllDuties = """
        rbac:
          disallowClusterAdminBindings: true
          disallowWildcardRoles: true
          disallowAnonymousAccess: true
          restrictWorkloadPrivileges: true
          disallowSystemMastersMapping: true
          allowedSubjects:
            - {kind: Group, name: breakglass}
            - {kind: ServiceAccount, name: trusted, namespace: ops}
            - {kind: User, name: "arn:aws:iam::111122223333:role/BreakGlass"}
        match: {excludeNamespaces: [kube-system, excluded]}
        exemptions:
          - {name: legacy-binding, namespaces: [waived], rules: ["rbac.*"], reason: "JIRA-9"}
        """;

    private const string Roles = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: system:public-info-viewer, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules: [{nonResourceURLs: [/healthz, /version], verbs: [get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: view-pods}
        rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: apps-all}
        rules: [{apiGroups: [apps], resources: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: aggregate}
        aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: aggregated-part, labels: {agg: "yes"}}
        rules: [{apiGroups: [""], resources: ["*"], verbs: ["*"]}]
        """;

    private static string Crb(string name, string role, string subjects, string labels = "{}") => "\n" + $"""
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {"{"}name: "{name}", labels: {labels}{"}"}
        roleRef: {"{"}apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "{role}"{"}"}
        subjects: {subjects}
        """;

    private static string Rb(string ns, string name, string roleKind, string role, string subjects) => "\n" + $"""
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {"{"}name: "{name}", namespace: {ns}{"}"}
        roleRef: {"{"}apiGroup: rbac.authorization.k8s.io, kind: {roleKind}, name: "{role}"{"}"}
        subjects: {subjects}
        """;

    private const string Defaults = "{kubernetes.io/bootstrapping: rbac-defaults}";

    /// <summary>Bindings: the rule, the binding's YAML, the kind and name of the resource, the expected result, and what the message names.</summary>
    public static TheoryData<string, string, string, string, FindingResult, string?> BindingCases => new()
    {
        // rbac.cluster-admin-bound
        { "rbac.cluster-admin-bound", Crb("cluster-admin", "cluster-admin", "[{kind: Group, name: \"system:masters\"}]", Defaults), "ClusterRoleBinding", "cluster-admin", FindingResult.Pass, null },
        { "rbac.cluster-admin-bound", Crb("breakglass", "cluster-admin", "[{kind: Group, name: breakglass}]"), "ClusterRoleBinding", "breakglass", FindingResult.Pass, null },
        { "rbac.cluster-admin-bound", Crb("ci", "cluster-admin", "[{kind: ServiceAccount, name: deployer, namespace: ci}]"), "ClusterRoleBinding", "ci", FindingResult.Fail, "grants ClusterRole cluster-admin (every verb on every resource) in every namespace to ServiceAccount ci/deployer" },
        { "rbac.cluster-admin-bound", Crb("cluster-admin", "cluster-admin", "[{kind: Group, name: \"system:masters\"}, {kind: User, name: mallory}]", Defaults), "ClusterRoleBinding", "cluster-admin", FindingResult.Fail, "to User mallory" },
        { "rbac.cluster-admin-bound", Rb("shop", "ns-admin", "ClusterRole", "cluster-admin", "[{kind: User, name: bob}]"), "RoleBinding", "ns-admin", FindingResult.Fail, "in namespace shop to User bob" },
        { "rbac.cluster-admin-bound", Rb("waived", "ns-admin", "ClusterRole", "cluster-admin", "[{kind: User, name: bob}]"), "RoleBinding", "ns-admin", FindingResult.Exempt, null },
        // A ClusterRoleBinding is a cluster duty: judged even though its subject's namespace is excluded.
        { "rbac.cluster-admin-bound", Crb("sys", "cluster-admin", "[{kind: ServiceAccount, name: x, namespace: kube-system}]"), "ClusterRoleBinding", "sys", FindingResult.Fail, "ServiceAccount kube-system/x" },
        // rbac.wildcard-role
        { "rbac.wildcard-role", Crb("viewers", "view-pods", "[{kind: Group, name: devs}]"), "ClusterRoleBinding", "viewers", FindingResult.Pass, null },
        { "rbac.wildcard-role", Crb("ci", "cluster-admin", "[{kind: ServiceAccount, name: deployer, namespace: ci}]"), "ClusterRoleBinding", "ci", FindingResult.Fail, "grants ClusterRole cluster-admin with \"*\" verbs on \"*\" resources (API groups *)" },
        { "rbac.wildcard-role", Rb("shop", "apps", "ClusterRole", "apps-all", "[{kind: User, name: ann}]"), "RoleBinding", "apps", FindingResult.Fail, "(API groups apps) in namespace shop to User ann" },
        { "rbac.wildcard-role", Rb("shop", "agg", "ClusterRole", "aggregate", "[{kind: User, name: ann}]"), "RoleBinding", "agg", FindingResult.Fail, "ClusterRole aggregate with \"*\" verbs" },
        { "rbac.wildcard-role", Crb("ghost", "not-there", "[{kind: User, name: ann}]"), "ClusterRoleBinding", "ghost", FindingResult.Error, "ClusterRole not-there, which ClusterRoleBinding ghost grants, is not known" },
        { "rbac.wildcard-role", Rb("shop", "ghost", "Role", "not-there", "[{kind: User, name: ann}]"), "RoleBinding", "ghost", FindingResult.Error, "Role shop/not-there" },
        { "rbac.wildcard-role", Crb("ops-trusted", "cluster-admin", "[{kind: ServiceAccount, name: trusted, namespace: ops}]"), "ClusterRoleBinding", "ops-trusted", FindingResult.Pass, null },
        // rbac.anonymous-access
        { "rbac.anonymous-access", Crb("system:public-info-viewer", "system:public-info-viewer", "[{kind: Group, name: \"system:authenticated\"}, {kind: Group, name: \"system:unauthenticated\"}]", Defaults), "ClusterRoleBinding", "system:public-info-viewer", FindingResult.Pass, null },
        { "rbac.anonymous-access", Crb("my-health", "system:public-info-viewer", "[{kind: User, name: \"system:anonymous\"}]"), "ClusterRoleBinding", "my-health", FindingResult.Pass, null },
        { "rbac.anonymous-access", Crb("public-pods", "view-pods", "[{kind: Group, name: \"system:unauthenticated\"}]"), "ClusterRoleBinding", "public-pods", FindingResult.Fail, "grants ClusterRole view-pods in every namespace to Group system:unauthenticated" },
        { "rbac.anonymous-access", Rb("shop", "anon", "ClusterRole", "view-pods", "[{kind: User, name: \"system:anonymous\"}]"), "RoleBinding", "anon", FindingResult.Fail, "in namespace shop to User system:anonymous" },
        { "rbac.anonymous-access", Crb("discovery", "system:discovery", "[{kind: Group, name: \"system:unauthenticated\"}]"), "ClusterRoleBinding", "discovery", FindingResult.Error, "ClusterRole system:discovery" },
    };

    [Theory]
    [MemberData(nameof(BindingCases))]
    public void Binding_rules_judge_the_binding(string rule, string binding, string kind, string name, FindingResult expected, string? message)
    {
        var evaluation = TestEvaluation.Evaluate(AllDuties, Roles + binding);
        Assert.Equal(expected, evaluation.ResultOf(kind, name, rule));
        if (message is not null) Assert.Contains(evaluation.FindingsOf(kind, name).Of(rule), f => f.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_RoleBinding_in_a_namespace_the_policy_excludes_is_not_judged()
    {
        var evaluation = TestEvaluation.Evaluate(AllDuties, Roles + Rb("excluded", "ns-admin", "ClusterRole", "cluster-admin", "[{kind: User, name: bob}]"));
        Assert.DoesNotContain(evaluation.Resources, r => r.Resource.Kind == "RoleBinding");
    }

    private static string Workload(string ns, string account, string automount = "") => "\n" + $"""
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {"{"}name: app, namespace: {ns}{"}"}
        spec:
          selector: {"{"}matchLabels: {"{"}app: a{"}"}{"}"}
          template:
            metadata: {"{"}labels: {"{"}app: a{"}"}{"}"}
            spec: {"{"}serviceAccountName: {account}{automount}, containers: [{"{"}name: c, image: app:1{"}"}]{"}"}
        """;

    private static string Role(string ns, string name, string rules) => "\n" + $"""
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {(ns.Length == 0 ? "ClusterRole" : "Role")}
        metadata: {"{"}name: {name}{(ns.Length == 0 ? "" : ", namespace: " + ns)}{"}"}
        rules: {rules}
        """;

    private const string Sa = "[{kind: ServiceAccount, name: app, namespace: shop}]";

    /// <summary>The workload's service account through any binding: the objects, the expected result, what the message names.</summary>
    public static TheoryData<string, FindingResult, string?> WorkloadCases => new()
    {
        // Pass: its own namespace's secrets and pods; pods/* is not a glob; read-only elsewhere.
        { Role("shop", "own", "[{apiGroups: [\"\"], resources: [secrets, pods], verbs: [\"*\"]}]") + Rb("shop", "own", "Role", "own", Sa), FindingResult.Pass, null },
        { Role("", "glob", "[{apiGroups: [\"\"], resources: [\"pods/*\"], verbs: [create]}]") + Crb("glob", "glob", Sa), FindingResult.Pass, null },
        { Role("", "reader", "[{apiGroups: [\"\"], resources: [pods, configmaps], verbs: [get, list]}]") + Crb("reader", "reader", Sa), FindingResult.Pass, null },
        // A RoleBinding never grants cluster-scoped nodes/proxy.
        { Role("", "proxy", "[{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}]") + Rb("shop", "proxy", "ClusterRole", "proxy", Sa), FindingResult.Pass, null },
        // Fail: secrets in every namespace, through the group of the namespace's service accounts.
        { Role("", "secrets", "[{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]") + Crb("secrets", "secrets", "[{kind: Group, name: \"system:serviceaccounts:shop\"}]"),
          FindingResult.Fail, "service account shop/app can list secrets in every namespace through ClusterRoleBinding secrets (ClusterRole secrets) to Group system:serviceaccounts:shop; its token is mounted" },
        { Role("", "secrets", "[{apiGroups: [\"\"], resources: [secrets], verbs: [get]}]") + Rb("billing", "s", "ClusterRole", "secrets", Sa), FindingResult.Fail, "get secrets in namespace billing" },
        { Role("", "deploy", "[{apiGroups: [apps], resources: [deployments], verbs: [patch]}]") + Rb("billing", "d", "ClusterRole", "deploy", Sa), FindingResult.Fail, "patch deployments.apps in namespace billing" },
        { Role("shop", "exec", "[{apiGroups: [\"\"], resources: [pods/exec, pods/attach], verbs: [create]}]") + Rb("shop", "exec", "Role", "exec", Sa), FindingResult.Fail, "create pods/exec, pods/attach in namespace shop" },
        { Role("shop", "exec", "[{apiGroups: [\"\"], resources: [\"*/exec\"], verbs: [create]}]") + Rb("shop", "exec", "Role", "exec", Sa), FindingResult.Fail, "create pods/exec" },
        { Role("", "imp", "[{apiGroups: [\"\"], resources: [users], verbs: [impersonate], resourceNames: [admin]}]") + Crb("imp", "imp", "[{kind: Group, name: \"system:authenticated\"}]"), FindingResult.Fail, "impersonate users (named admin) in every namespace" },
        { Role("", "esc", "[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind]}]") + Crb("esc", "esc", "[{kind: User, name: \"system:serviceaccount:shop:app\"}]"), FindingResult.Fail, "escalate, bind clusterroles.rbac.authorization.k8s.io" },
        { Role("", "proxy", "[{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}]") + Crb("proxy", "proxy", "[{kind: Group, name: \"system:serviceaccounts\"}]"), FindingResult.Fail, "get nodes/proxy in every namespace" },
        // Error: a binding of the account to a role not among the inputs.
        { Rb("shop", "ghost", "Role", "ghost", Sa), FindingResult.Error, "Role shop/ghost, which RoleBinding shop/ghost grants, is not known" },
        // Allowed: the grant's subject is an allowed group.
        { Role("", "secrets", "[{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]") + Crb("bg", "secrets", "[{kind: Group, name: breakglass}, {kind: Group, name: \"system:serviceaccounts:other\"}]"), FindingResult.Pass, null },
    };

    [Theory]
    [MemberData(nameof(WorkloadCases))]
    public void Workload_privileges_are_judged_through_every_binding_of_its_service_account(string rbac, FindingResult expected, string? message)
    {
        var evaluation = TestEvaluation.Evaluate(AllDuties, Roles + rbac + Workload("shop", "app"));
        Assert.Equal(expected, evaluation.ResultOf("Deployment", "app", "rbac.workload-privileges"));
        if (message is not null) Assert.Contains(evaluation.FindingsOf("Deployment", "app").Of("rbac.workload-privileges"), f => f.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Workload_privileges_note_a_disabled_token_and_follow_exemptions_and_allowed_accounts()
    {
        var secrets = Role("", "secrets", "[{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]") + Crb("all", "secrets", "[{kind: Group, name: \"system:serviceaccounts\"}]");
        var noToken = TestEvaluation.Evaluate(AllDuties, Roles + secrets + Workload("shop", "app", ", automountServiceAccountToken: false"));
        Assert.Contains("automountServiceAccountToken is false", Assert.Single(noToken.FindingsOf("Deployment", "app").Of("rbac.workload-privileges")).Message);
        Assert.Equal(FindingResult.Exempt, TestEvaluation.Evaluate(AllDuties, Roles + secrets + Workload("waived", "app")).ResultOf("Deployment", "app", "rbac.workload-privileges"));
        Assert.Equal(FindingResult.Pass, TestEvaluation.Evaluate(AllDuties, Roles + secrets + Workload("ops", "trusted")).ResultOf("Deployment", "app", "rbac.workload-privileges"));
    }

    [Fact]
    public void Without_any_RBAC_object_the_privileges_and_aws_auth_are_unknown_not_passed()
    {
        var evaluation = TestEvaluation.Evaluate(AllDuties, Workload("shop", "app").TrimStart('\n', '-'));
        Assert.Equal(FindingResult.Error, evaluation.ResultOf("Deployment", "app", "rbac.workload-privileges"));
        var awsAuth = Assert.Single(evaluation.FindingsOf("ConfigMap", "aws-auth"));
        Assert.Equal(FindingResult.Error, awsAuth.Result);
        Assert.Contains("not among the inputs", awsAuth.Message);
    }

    private static string AwsAuth(string mapRoles, string mapUsers = "")
    {
        static string Block(string key, string yaml) =>
            yaml.Length == 0 ? "" : $"\n  {key}: |\n" + string.Join("\n", yaml.Split('\n').Select(l => "    " + l));
        return "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:"
               + Block("mapRoles", mapRoles) + Block("mapUsers", mapUsers) + "\n";
    }

    [Theory]
    [InlineData("- {rolearn: 'arn:aws:iam::1:role/node', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes']}", "", FindingResult.Pass, null)]
    [InlineData("- {rolearn: 'arn:aws:iam::111122223333:role/BreakGlass', username: bg, groups: ['system:masters']}", "", FindingResult.Pass, null)]
    [InlineData("- {rolearn: 'arn:aws:iam::1:role/x', username: 'arn:aws:iam::111122223333:role/BreakGlass', groups: ['system:masters']}", "", FindingResult.Pass, null)]
    [InlineData("- rolearn: arn:aws:iam::1:role/Admin\n  username: admin\n  groups:\n    - system:masters", "", FindingResult.Fail, "aws-auth maps IAM role arn:aws:iam::1:role/Admin (username admin) to group system:masters")]
    [InlineData("", "- {userarn: 'arn:aws:iam::1:user/alice', username: alice, groups: ['system:masters']}", FindingResult.Fail, "IAM user arn:aws:iam::1:user/alice")]
    [InlineData("rolearn: not-a-list", "", FindingResult.Error, "data.mapRoles is not a YAML list of entries")]
    [InlineData("- {rolearn: [unclosed", "", FindingResult.Error, "data.mapRoles is not valid YAML")]
    public void Aws_auth_maps_nobody_to_system_masters_but_allowed_subjects(string mapRoles, string mapUsers, FindingResult expected, string? message)
    {
        var evaluation = TestEvaluation.Evaluate(AllDuties, Roles + AwsAuth(mapRoles, mapUsers));
        Assert.Equal(expected, evaluation.ResultOf("ConfigMap", "aws-auth", "rbac.system-masters-mapping"));
        if (message is not null) Assert.Contains(evaluation.FindingsOf("ConfigMap", "aws-auth"), f => f.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_absent_rbac_section_turns_every_duty_off()
    {
        var evaluation = TestEvaluation.Evaluate("podSecurity: {level: baseline}", Roles + Crb("ci", "cluster-admin", Sa) + Workload("shop", "app"));
        Assert.DoesNotContain(evaluation.AllFindings, f => f.Rule.Id.StartsWith("rbac.", StringComparison.Ordinal));
        Assert.DoesNotContain(evaluation.Resources, r => r.Resource.Kind == "ClusterRoleBinding");
    }

    [Fact]
    public void Every_rule_has_a_pass_and_two_failures() =>
        TestEvaluation.AssertEveryRuleHasAPassAndTwoFailures(new RbacRules(),
        [
            .. BindingCases.Select(c => ((string)c[0], (FindingResult)c[4])),
            .. WorkloadCases.Select(c => ("rbac.workload-privileges", (FindingResult)c[1])),
            ("rbac.system-masters-mapping", FindingResult.Pass), ("rbac.system-masters-mapping", FindingResult.Fail), ("rbac.system-masters-mapping", FindingResult.Fail),
        ]);
}
