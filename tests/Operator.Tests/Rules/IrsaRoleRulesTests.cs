namespace EksHardening.Operator.Tests.Rules;

/// <summary><c>irsa.no-admin-policies</c> and <c>irsa.no-privilege-escalation</c> on a workload whose role's documents are given as AWS facts.</summary>
public sealed class IrsaRoleRulesTests
{
    private const string Account = "111122223333";
    private const string RoleArn = $"arn:aws:iam::{Account}:role/app";
    private const string Admin = "irsa.no-admin-policies";
    private const string Escalation = "irsa.no-privilege-escalation";
    private const string Policy = "irsa: {disallowWildcardActions: true, deniedManagedPolicies: [AdministratorAccess], disallowPrivilegeEscalation: true}";

    private const string Workload = $$$"""
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: app, namespace: shop, annotations: {eks.amazonaws.com/role-arn: "{{{RoleArn}}}"}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          serviceAccountName: app
          containers: [{name: c, image: app:1}]
        """;

    private static string Doc(params string[] statements) => $$"""{ "Version": "2012-10-17", "Statement": [ {{string.Join(", ", statements)}} ] }""";

    private static AwsFacts Facts(IEnumerable<(string Name, string Document)> inline, IEnumerable<(string Arn, string Document)>? attached = null)
    {
        var role = new RoleFacts
        {
            RoleArn = RoleArn,
            Role = new IamRole("app", "AROAEXAMPLE", RoleArn, "/", "{}", null, null),
            InlinePolicies = [.. inline.Select(p => new IamRolePolicy("app", p.Name, p.Document))],
            AttachedPolicies = [.. (attached ?? []).Select(a => (new IamAttachedPolicy(a.Arn[(a.Arn.LastIndexOf('/') + 1)..], a.Arn), (string?)a.Document))],
        };
        return new AwsFacts { Roles = new Dictionary<string, RoleFacts> { [RoleArn] = role } };
    }

    private static IReadOnlyList<Finding> Findings(AwsFacts facts, string rule, string policy = Policy) =>
        TestEvaluation.Evaluate(policy, Workload, facts).FindingsOf("Pod", "web").Of(rule);

    public static TheoryData<string, string[], FindingResult, FindingResult, string?> Cases => new()
    {
        { "NotAction s3:GetObject on *", [Doc("""{ "Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*" }""")], FindingResult.Fail, FindingResult.Fail,
          "it may change its own permissions (iam:PutRolePolicy on the role itself) and so grant itself every action (admin-equivalent), granted by inline policy p0 Statement[0]" },
        { "NotAction iam:* plus iam:* in two policies", [Doc("""{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }"""), Doc("""{ "Effect": "Allow", "Action": "iam:*", "Resource": "*" }""")], FindingResult.Fail, FindingResult.Fail,
          "its policies together allow every action on every resource (administrator access), granted by inline policy p0 Statement[0], inline policy p1 Statement[0]" },
        { "* on arn:aws:*:*:*:*", [Doc("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:*:*:*:*" }""")], FindingResult.Fail, FindingResult.Fail,
          "every action on every resource (administrator access)" },
        { "NotResource * grants nothing", [Doc("""{ "Effect": "Allow", "Action": "*", "NotResource": "*" }""")], FindingResult.Pass, FindingResult.Pass, null },
        { "admin under a condition", [Doc("""{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "StringEquals": { "aws:RequestedRegion": "eu-west-1" } } }""")], FindingResult.Fail, FindingResult.Fail,
          "granted by inline policy p0 Statement[0] (if StringEquals aws:RequestedRegion); granted only under conditions, which are not weighed" },
        { "admin minus a conditional deny", [Doc("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": { "Bool": { "aws:SecureTransport": "false" } } }""")], FindingResult.Fail, FindingResult.Fail,
          "; not subtracted, because a Deny with a condition may not apply: inline policy p0 Statement[1] (if Bool aws:SecureTransport)" },
        { "PassRole with RunInstances", [Doc("""{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/worker" }""", """{ "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*" }""")], FindingResult.Pass, FindingResult.Fail,
          "privilege-escalation path ec2-001 \"Pass a role to a new EC2 instance\" (Rhino Security Labs #3, pathfinding.cloud ec2-001): iam:PassRole on other roles of account 111122223333 (arn:aws:iam::111122223333:role/worker) by inline policy p0 Statement[0]; ec2:RunInstances on every resource (*) by inline policy p0 Statement[1]" },
        { "PutRolePolicy on another role", [Doc("""{ "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::111122223333:role/worker" }""")], FindingResult.Pass, FindingResult.Fail,
          "iam-005 \"Write an inline policy of a role\"" },
        { "sts:AssumeRole on *", [Doc("""{ "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*" }""")], FindingResult.Pass, FindingResult.Fail,
          "sts:AssumeRole on every role of account 111122223333" },
        { "sts:AssumeRole on one named role", [Doc("""{ "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/reader" }""")], FindingResult.Pass, FindingResult.Pass, null },
        { "least privilege", [Doc("""{ "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shop/*" }""")], FindingResult.Pass, FindingResult.Pass, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Roles_are_judged_on_all_their_policies_together(string name, string[] documents, FindingResult admin, FindingResult escalation, string? message)
    {
        var facts = Facts(documents.Select((d, i) => ($"p{i}", d)));

        Assert.True(admin == Result(Findings(facts, Admin)), $"{name}: {Admin}: {Describe(Findings(facts, Admin))}");
        Assert.True(escalation == Result(Findings(facts, Escalation)), $"{name}: {Escalation}: {Describe(Findings(facts, Escalation))}");
        if (message is not null)
        {
            var failures = Findings(facts, admin == FindingResult.Fail ? Admin : Escalation).Where(f => f.Result == FindingResult.Fail).ToList();
            Assert.True(failures.Any(f => f.Message.Contains(message, StringComparison.Ordinal)), $"{name}: no message contains «{message}»: {Describe(failures)}");
            Assert.All(failures, f => Assert.StartsWith("IAM role app of ServiceAccount shop/app", f.Message, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_admin_equivalent_role_fails_the_escalation_rule_once()
    {
        var failure = Assert.Single(Findings(Facts([("admin", Doc("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }"""))]), Escalation));
        Assert.Equal(FindingResult.Fail, failure.Result);
        Assert.EndsWith("granted by inline policy admin Statement[0], so every escalation path is open", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_denied_managed_policy_is_reported_once_not_again_as_admin()
    {
        var facts = Facts([], [("arn:aws:iam::aws:policy/AdministratorAccess", Doc("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }"""))]);
        var failure = Assert.Single(Findings(facts, Admin));

        Assert.Equal("IAM role app of ServiceAccount shop/app has the denied managed policy AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess)", failure.Message);
    }

    [Fact]
    public void A_customer_managed_policy_with_admin_content_is_reported_on_its_content()
    {
        var facts = Facts([], [($"arn:aws:iam::{Account}:policy/AdministratorAccess", Doc("""{ "Effect": "Allow", "Action": "*:*", "Resource": "arn:*" }"""))]);
        var failure = Assert.Single(Findings(facts, Admin));

        Assert.Contains("every action on every resource (administrator access), granted by managed policy AdministratorAccess Statement[0]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_version_of_its_own_attached_policy_is_admin_equivalent()
    {
        var own = $"arn:aws:iam::{Account}:policy/app-policy";
        var facts = Facts([], [(own, Doc($$"""{ "Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "{{own}}" }"""))]);

        Assert.Contains($"(iam:CreatePolicyVersion on its own attached policy {own})", Assert.Single(Findings(facts, Admin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_document_is_an_error_for_every_permission_rule_never_a_pass()
    {
        var facts = Facts([("broken", "{ not json"), ("fine", Doc("""{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }"""))]);

        foreach (var rule in new[] { Admin, Escalation, "irsa.no-wildcard-actions" })
        {
            var finding = Assert.Single(Findings(facts, rule));
            Assert.Equal(FindingResult.Error, finding.Result);
            Assert.StartsWith("IAM role app of ServiceAccount shop/app: inline policy broken cannot be read: the policy document is not valid JSON", finding.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_escalation_rule_is_off_without_its_switch()
    {
        var facts = Facts([("pass", Doc("""{ "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*" }"""))]);

        Assert.Empty(Findings(facts, Escalation, "irsa: {deniedManagedPolicies: [AdministratorAccess]}"));
        Assert.Equal(FindingResult.Fail, Result(Findings(facts, Escalation, "irsa: {disallowPrivilegeEscalation: true}")));
    }

    private const string Issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    private const string Provider = $"arn:aws:iam::{Account}:oidc-provider/{Issuer}";
    private const string TrustedSubject = "system:serviceaccount:shop:app";

    private static string Trust(string condition, string provider = Provider, string action = "sts:AssumeRoleWithWebIdentity") =>
        Doc($$"""{ "Effect": "Allow", "Principal": { "Federated": "{{provider}}" }, "Action": "{{action}}", "Condition": {{condition}} }""");

    /// <summary>The role's trust policy and the cluster's OIDC issuer as AWS told them; <c>null</c> trust: the role could not be read.</summary>
    private static AwsFacts TrustFacts(string? trust, string? issuer = "https://" + Issuer)
    {
        var role = trust is null
            ? new RoleFacts { RoleArn = RoleArn, Error = new FactError("iam", "GetRole", "AccessDenied", "not allowed") }
            : new RoleFacts { RoleArn = RoleArn, Role = new IamRole("app", "AROAEXAMPLE", RoleArn, "/", trust, null, null) };
        var cluster = new EksCluster("prod", $"arn:aws:eks:eu-west-1:{Account}:cluster/prod", "1.33", "ACTIVE", [], [], false, true, [], issuer);
        return new AwsFacts
        {
            Roles = new Dictionary<string, RoleFacts> { [RoleArn] = role },
            Cluster = new ClusterFacts { Name = "prod", Region = "eu-west-1", Cluster = cluster },
        };
    }

    private const string Scoped = $$"""{ "StringEquals": { "{{Issuer}}:sub": "{{TrustedSubject}}", "{{Issuer}}:aud": "sts.amazonaws.com" } }""";

    public static TheoryData<string, string?, FindingResult, string?> TrustCases => new()
    {
        { "sub and aud pinned with StringEquals", Trust(Scoped), FindingResult.Pass, null },
        { "no sub condition admits every service account", Trust($$"""{ "StringEquals": { "{{Issuer}}:aud": "sts.amazonaws.com" } }"""), FindingResult.Fail,
          "every service account in the cluster can assume the role" },
        { "a sub wildcard admits a whole namespace", Trust($$"""{ "StringLike": { "{{Issuer}}:sub": "system:serviceaccount:shop:*", "{{Issuer}}:aud": "sts.amazonaws.com" } }"""), FindingResult.Fail, null },
        { "another cluster's provider", Trust(Scoped.Replace("EXAMPLED539", "OTHERCLUSTR", StringComparison.Ordinal),
            Provider.Replace("EXAMPLED539", "OTHERCLUSTR", StringComparison.Ordinal)), FindingResult.Fail, "not this cluster's" },
        { "a trust policy that is not JSON", "{ not json", FindingResult.Error, "trust policy cannot be read" },
        { "a role that could not be read", null, FindingResult.Error, "could not be read: iam GetRole: AccessDenied" },
    };

    [Theory]
    [MemberData(nameof(TrustCases))]
    public void The_trust_policy_must_admit_only_this_service_account(string name, string? trust, FindingResult expected, string? says)
    {
        var finding = Assert.Single(Findings(TrustFacts(trust), "irsa.trust-policy-scoped", "irsa: {requireScopedTrustPolicy: true}"));

        Assert.True(expected == finding.Result, $"{name}: expected {expected}, got {finding.Result}: {finding.Message}");
        if (says is not null) Assert.Contains(says, finding.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, FindingResult, string?> WildcardCases => new()
    {
        { "named actions", """{ "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*" }""", FindingResult.Pass, null },
        { "a service-wide wildcard", """{ "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::shop/*" }""", FindingResult.Fail, "s3:*" },
        { "every action", """{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", FindingResult.Fail, "inline policy p0" },
        { "NotAction", """{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }""", FindingResult.Fail, "iam:*" },
        { "a wildcard under Deny only restricts", """{ "Effect": "Deny", "Action": "s3:*", "Resource": "*" }""", FindingResult.Pass, null },
    };

    [Theory]
    [MemberData(nameof(WildcardCases))]
    public void Wildcard_actions_are_named_with_their_policy(string name, string statement, FindingResult expected, string? says)
    {
        var findings = Findings(Facts([("p0", Doc(statement))]), "irsa.no-wildcard-actions", "irsa: {disallowWildcardActions: true}");

        Assert.True(expected == Result(findings), $"{name}: {Describe(findings)}");
        if (says is not null) Assert.Contains(findings, f => f.Message.Contains(says, StringComparison.Ordinal));
    }

    [Fact]
    public void A_role_that_could_not_be_read_is_an_error_for_every_enabled_rule()
    {
        const string all = "irsa: {requireScopedTrustPolicy: true, disallowWildcardActions: true, deniedManagedPolicies: [AdministratorAccess], disallowPrivilegeEscalation: true}";
        var evaluation = TestEvaluation.Evaluate(all, Workload, TrustFacts(trust: null));

        foreach (var rule in new IrsaRoleRules().Rules)
        {
            Assert.Equal(FindingResult.Error, Assert.Single(evaluation.FindingsOf("Pod", "web").Of(rule.Id)).Result);
        }
    }

    private static FindingResult Result(IReadOnlyList<Finding> findings) =>
        findings.Any(f => f.Result == FindingResult.Fail) ? FindingResult.Fail
        : findings.Any(f => f.Result == FindingResult.Error) ? FindingResult.Error
        : Assert.Single(findings).Result;

    private static string Describe(IEnumerable<Finding> findings) => string.Join(" | ", findings.Select(f => $"{f.Result}: {f.Message}"));
}
