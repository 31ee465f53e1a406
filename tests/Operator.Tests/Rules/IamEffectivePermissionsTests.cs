namespace EksHardening.Operator.Tests.Rules;

/// <summary>
/// The effective-permissions evaluator, first on the examples of AWS's IAM User Guide (each with the outcome the guide
/// states), then on the cases of issue 12 and their neighbours.
/// </summary>
public sealed class IamEffectivePermissionsTests
{
    private const string Account = "111122223333";
    internal static readonly IamRoleContext Role = new($"arn:aws:iam::{Account}:role/app", "aws", Account);

    internal static IamEffectivePermissions Permissions(params string[] policies) =>
        new(policies.Select((json, i) => new IamPolicySource($"policy{i}", Parse(json))), Role);

    internal static IamPolicyDocument Parse(string json) =>
        IamPolicyDocument.TryParse(json, out var problem) ?? throw new ArgumentException(problem, nameof(json));

    private static string Statements(params string[] statements) => $$"""{ "Version": "2012-10-17", "Statement": [ {{string.Join(", ", statements)}} ] }""";

    // ------------------------------------------------------------------ The IAM User Guide's examples

    // reference_policies_elements_notaction: "allows users to access all of the Amazon S3 actions that can be performed on
    // any S3 resource except for deleting a bucket … does not allow ListAllMyBuckets, because that action requires the "*"
    // resource … does not allow actions in other services, because other service actions are not applicable to the S3 resources".
    private static readonly string NotActionS3 = Statements("""{ "Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*" }""");

    // The same page: "allows users to access every action in every AWS service except for IAM".
    private static readonly string NotActionIam = Statements("""{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }""");

    // The same page, NotAction with Deny: denies non-IAM actions to users not signed in with MFA, and grants nothing.
    private static readonly string DenyWithoutMfa = Statements("""
        { "Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
          "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" } } }
        """);

    // reference_policies_elements_notresource: HRPayroll may use no S3 resource but the Payroll folder; grants nothing itself.
    private static readonly string DenyOutsidePayroll = Statements("""
        { "Effect": "Deny", "Action": "s3:*", "NotResource": [ "arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*" ] }
        """);

    // The same page: "never use Allow, * and NotResource HRBucket together … it even allows the user to add a policy to
    // themselves that allows them to access HRBucket".
    private static readonly string AllButHrBucket = Statements("""{ "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::HRBucket" }""");

    // reference_policies_evaluation-logic_policy-eval-basics: Carlos's identity policy; saving to the …-logs bucket is denied.
    private static readonly string Carlos = Statements(
        """{ "Sid": "AllowS3ListRead", "Effect": "Allow", "Action": [ "s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets" ], "Resource": "arn:aws:s3:::*" }""",
        """{ "Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*", "Resource": [ "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar" ] }""",
        """{ "Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*" }""");

    // reference_policies_elements_resource (and the S3 guide's ARN examples): wildcards in resource ARNs.
    private static readonly string AccountingUsers = Statements($$"""{ "Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::{{Account}}:user/accounting/*" }""");
    private static readonly string Bob = Statements($$"""{ "Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::{{Account}}:user/Bob" }""");
    private static readonly string ExampleBuckets = Statements("""{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example?bucket/*" }""");
    private static readonly string LogGroups = Statements($$"""{ "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:us-east-1:{{Account}}:log-group:*" }""");

    public static TheoryData<string, string, string, string, bool> GuideExamples => new()
    {
        { "NotAction s3: an object action", NotActionS3, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/key", true },
        { "NotAction s3: the excluded action", NotActionS3, "s3:DeleteBucket", "arn:aws:s3:::amzn-s3-demo-bucket", false },
        { "NotAction s3: ListAllMyBuckets needs *", NotActionS3, "s3:ListAllMyBuckets", "*", false },
        { "NotAction s3: other services' resources", NotActionS3, "ec2:TerminateInstances", $"arn:aws:ec2:us-east-1:{Account}:instance/i-1", false },
        { "NotAction iam: any other service", NotActionIam, "ec2:TerminateInstances", $"arn:aws:ec2:us-east-1:{Account}:instance/i-1", true },
        { "NotAction iam: not IAM", NotActionIam, "iam:CreateUser", $"arn:aws:iam::{Account}:user/x", false },
        { "Deny NotAction: grants nothing", DenyWithoutMfa, "s3:GetObject", "arn:aws:s3:::b/k", false },
        { "Deny NotResource: grants nothing", DenyOutsidePayroll, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a", false },
        { "Allow * NotResource: another bucket", AllButHrBucket, "s3:GetObject", "arn:aws:s3:::OtherBucket/a", true },
        { "Allow * NotResource: IAM on itself", AllButHrBucket, "iam:PutRolePolicy", Role.Arn, true },
        { "Allow * NotResource: the bucket", AllButHrBucket, "s3:DeleteBucket", "arn:aws:s3:::HRBucket", false },
        { "Carlos: his own bucket", Carlos, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/file", true },
        { "Carlos: the logs bucket", Carlos, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file", false },
        { "Carlos: list reads", Carlos, "s3:GetBucketLocation", "arn:aws:s3:::amzn-s3-demo-bucket", true },
        { "Carlos: list reads of a log bucket", Carlos, "s3:GetBucketLocation", "arn:aws:s3:::access-logs", false },
        { "Resource: a user under /accounting/", AccountingUsers, "iam:GetUser", $"arn:aws:iam::{Account}:user/accounting/alice", true },
        { "Resource: a user under a deeper path", AccountingUsers, "iam:GetUser", $"arn:aws:iam::{Account}:user/accounting/eu/alice", true },
        { "Resource: a user elsewhere", AccountingUsers, "iam:GetUser", $"arn:aws:iam::{Account}:user/sales/alice", false },
        { "Resource: user names are case sensitive", Bob, "iam:GetUser", $"arn:aws:iam::{Account}:user/bob", false },
        { "Resource: Bob", Bob, "iam:GetUser", $"arn:aws:iam::{Account}:user/Bob", true },
        { "Resource: actions are not case sensitive", Bob, "IAM:getuser", $"arn:aws:iam::{Account}:user/Bob", true },
        { "Resource: ? is one character", ExampleBuckets, "s3:GetObject", "arn:aws:s3:::example1bucket/a", true },
        { "Resource: ? is not two", ExampleBuckets, "s3:GetObject", "arn:aws:s3:::example12bucket/a", false },
        { "Resource: ? is not none", ExampleBuckets, "s3:GetObject", "arn:aws:s3:::examplebucket/a", false },
        { "Resource: a final * crosses colons", LogGroups, "logs:PutLogEvents", $"arn:aws:logs:us-east-1:{Account}:log-group:app:log-stream:s1", true },
        { "Resource: another region", LogGroups, "logs:PutLogEvents", $"arn:aws:logs:eu-west-1:{Account}:log-group:app", false },
    };

    [Theory]
    [MemberData(nameof(GuideExamples))]
    public void The_IAM_user_guides_examples_come_out_as_documented(string example, string policy, string action, string resource, bool allowed) =>
        Assert.True(allowed == Permissions(policy).Check(action, resource).Allowed, example);

    [Fact]
    public void A_deny_with_a_condition_is_not_subtracted_and_is_named()
    {
        var permissions = Permissions(DenyWithoutMfa, Statements("""{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }"""));
        var access = permissions.Check("s3:GetObject", "arn:aws:s3:::b/k");

        Assert.True(access.Allowed);
        Assert.Equal("policy0 Statement[0] (Sid \"DenyAllUsersNotUsingMFA\") (if BoolIfExists aws:MultiFactorAuthPresent)", Assert.Single(access.IgnoredDenies).Description);
    }

    [Fact]
    public void An_unconditional_deny_outside_payroll_leaves_only_payroll()
    {
        var permissions = Permissions(DenyOutsidePayroll, Statements("""{ "Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*" }"""));

        Assert.True(permissions.Check("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.pdf").Allowed);
        var denied = permissions.Check("s3:GetObject", "arn:aws:s3:::HRBucket/Other/x");
        Assert.False(denied.Allowed);
        Assert.Equal("policy0 Statement[0]", denied.DeniedBy?.Label);
        Assert.True(permissions.Check("sqs:SendMessage", $"arn:aws:sqs:us-east-1:{Account}:q").Allowed);   // the Deny names s3 only
    }

    [Fact]
    public void The_guides_dangerous_NotResource_statement_is_admin_equivalent()
    {
        var admin = Permissions(AllButHrBucket).FindAdministratorAccess();

        Assert.NotNull(admin);
        Assert.Equal(IamAdminKind.WritesItsOwnPermissions, admin.Kind);   // not every resource, but its own policies
        Assert.Equal("iam:PutRolePolicy on the role itself", admin.Means);
        Assert.Equal("policy0 Statement[0]", Assert.Single(admin.Grants).Label);
    }

    // ------------------------------------------------------------------ Issue 12: admin-equivalence on the effective permissions

    public static TheoryData<string, string[], IamAdminKind?> AdminCases => new()
    {
        { "AdministratorAccess", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""")], IamAdminKind.AllActions },
        { "*:* on arn:*", [Statements("""{ "Effect": "Allow", "Action": "*:*", "Resource": "arn:*" }""")], IamAdminKind.AllActions },
        { "* on arn:aws:*", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:*" }""")], IamAdminKind.AllActions },
        { "* on arn:aws:*:*:*:*", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:*:*:*:*" }""")], IamAdminKind.AllActions },
        { "* on arn:*:*:*:*:* (partition wildcard)", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:*:*:*:*:*" }""")], IamAdminKind.AllActions },
        { "* on arn:aws-cn:* (another partition)", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws-cn:*" }""")], null },
        { "* on s3 only", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*" }""")], null },
        { "NotAction s3:GetObject on *", [Statements("""{ "Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "NotAction s3:GetObject plus s3:GetObject", [Statements("""{ "Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "*" }"""), Statements("""{ "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" }""")], IamAdminKind.AllActions },
        { "NotAction iam:* plus iam:* in two policies", [Statements("""{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }"""), Statements("""{ "Effect": "Allow", "Action": "iam:*", "Resource": "*" }""")], IamAdminKind.AllActions },
        { "NotAction iam:* alone", [NotActionIam], null },
        { "iam:* alone (IAMFullAccess)", [Statements("""{ "Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount"], "Resource": "*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:* on the account's IAM only", [Statements($$"""{ "Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::{{Account}}:*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:* on another account's IAM", [Statements("""{ "Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::999999999999:*" }""")], null },
        { "iam:* on the account's roles", [Statements($$"""{ "Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::{{Account}}:role/*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:PutRolePolicy on itself", [Statements($$"""{ "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "{{Role.Arn}}" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:Attach* on a role pattern that matches it", [Statements("""{ "Effect": "Allow", "Action": "iam:Attach*", "Resource": "arn:aws:iam::*:role/a?p" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:PutRolePolicy on another role only", [Statements($$"""{ "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::{{Account}}:role/worker" }""")], null },
        { "iam:*Policy* on *", [Statements("""{ "Effect": "Allow", "Action": "iam:*Policy*", "Resource": "*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "iam:Put*Policy on users", [Statements($$"""{ "Effect": "Allow", "Action": "iam:Put*Policy", "Resource": "arn:aws:iam::{{Account}}:user/*" }""")], null },
        { "iam:CreatePolicyVersion with no attached policy", [Statements("""{ "Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*" }""")], null },
        { "NotResource * grants nothing", [Statements("""{ "Effect": "Allow", "Action": "*", "NotResource": "*" }""")], null },
        { "Resource and NotResource adding up to *", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*" }""", """{ "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::*" }""")], IamAdminKind.AllActions },
        { "Resource and NotResource leaving a gap", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::a*" }""", """{ "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "* minus an unconditional Deny on s3", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "s3:*", "Resource": "*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "* minus an unconditional Deny on iam", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "iam:*", "Resource": "*" }""")], null },
        { "* minus a conditional Deny on iam", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": { "Bool": { "aws:ViaAWSService": "false" } } }""")], IamAdminKind.AllActions },
        { "* minus a Deny with NotResource *", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "*", "NotResource": "*" }""")], IamAdminKind.AllActions },
        { "* minus a Deny on iam:PutRolePolicy (AttachRolePolicy is left)", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": "*" }""")], IamAdminKind.WritesItsOwnPermissions },
        { "* minus a Deny on both self-writes", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": ["iam:PutRolePolicy", "iam:AttachRolePolicy"], "Resource": "*" }""")], null },
        { "* minus a Deny on self-writes to itself only", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", $$"""{ "Effect": "Deny", "Action": ["iam:PutRolePolicy", "iam:AttachRolePolicy"], "Resource": "{{Role.Arn}}" }""")], null },
        { "a Deny on a policy variable is not trusted", [Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""", """{ "Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username}/*" }""")], IamAdminKind.AllActions },
        { "least privilege", [Statements("""{ "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::app/*" }""")], null },
    };

    [Theory]
    [MemberData(nameof(AdminCases))]
    public void Admin_equivalence_is_judged_on_all_policies_together(string name, string[] policies, IamAdminKind? expected) =>
        Assert.True(expected == Permissions(policies).FindAdministratorAccess()?.Kind, name);

    [Fact]
    public void The_admin_verdict_names_the_statements_it_needs_and_only_those()
    {
        var admin = Permissions(
            Statements("""{ "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app/*" }""",
                       """{ "Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }"""),
            Statements("""{ "Sid": "Iam", "Effect": "Allow", "Action": "iam:*", "Resource": "*" }""")).FindAdministratorAccess();

        Assert.NotNull(admin);
        Assert.Equal(["policy0 Statement[1] (Sid \"AllButIam\")", "policy1 Statement[0] (Sid \"Iam\")"], admin.Grants.Select(g => g.Label));
        Assert.False(admin.UnderConditions);
    }

    [Fact]
    public void A_conditional_admin_grant_is_admin_and_says_its_condition()
    {
        var admin = Permissions(Statements("""
            { "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "StringEquals": { "aws:RequestedRegion": "eu-west-1" } } }
            """)).FindAdministratorAccess();

        Assert.NotNull(admin);
        Assert.True(admin.UnderConditions);
        Assert.Equal("policy0 Statement[0] (if StringEquals aws:RequestedRegion)", Assert.Single(admin.Grants).Description);
    }

    [Fact]
    public void An_unconditional_grant_is_preferred_over_a_conditional_one()
    {
        var admin = Permissions(
            Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": { "IpAddress": { "aws:SourceIp": "10.0.0.0/8" } } }"""),
            Statements("""{ "Effect": "Allow", "Action": "*", "Resource": "*" }""")).FindAdministratorAccess();

        Assert.NotNull(admin);
        Assert.False(admin.UnderConditions);
        Assert.Equal("policy1 Statement[0]", Assert.Single(admin.Grants).Label);
    }

    [Fact]
    public void A_conditional_deny_that_would_have_removed_admin_is_named()
    {
        var admin = Permissions(Statements(
            """{ "Effect": "Allow", "Action": "*", "Resource": "*" }""",
            """{ "Sid": "OnlyFromVpc", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": { "StringNotEquals": { "aws:SourceVpc": "vpc-1" } } }""")).FindAdministratorAccess();

        Assert.NotNull(admin);
        Assert.Equal("policy0 Statement[1] (Sid \"OnlyFromVpc\")", Assert.Single(admin.IgnoredDenies).Label);
    }

    [Fact]
    public void A_new_version_of_its_own_customer_managed_policy_is_a_write_to_its_own_permissions()
    {
        var policy = $"arn:aws:iam::{Account}:policy/app-policy";
        var statement = Statements($$"""{ "Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::{{Account}}:policy/app-*" }""");
        var attached = new IamEffectivePermissions([new IamPolicySource("app-policy", Parse(statement))], Role with { AttachedPolicyArns = [policy, "arn:aws:iam::aws:policy/ReadOnlyAccess"] });
        var unattached = new IamEffectivePermissions([new IamPolicySource("app-policy", Parse(statement))], Role with { AttachedPolicyArns = [$"arn:aws:iam::{Account}:policy/other"] });

        Assert.Equal($"iam:CreatePolicyVersion on its own attached policy {policy}", attached.FindAdministratorAccess()?.Means);
        Assert.Null(unattached.FindAdministratorAccess());
    }

    [Fact]
    public void Actions_the_list_does_not_know_still_count_when_named()
    {
        // "*" minus a Deny on the one action the list does not know: not every action any more.
        var permissions = Permissions(Statements(
            """{ "Effect": "Allow", "Action": "*", "Resource": "*" }""",
            """{ "Effect": "Deny", "Action": "newservice:DoEverything", "Resource": "*" }"""));
        Assert.Equal(IamAdminKind.WritesItsOwnPermissions, permissions.FindAdministratorAccess()?.Kind);
        Assert.False(permissions.Check("newservice:DoEverything", "arn:aws:newservice:us-east-1:1:thing/x").Allowed);

        // Named in an Allow, it is granted like any other.
        Assert.True(Permissions(Statements("""{ "Effect": "Allow", "Action": "newservice:DoEverything", "Resource": "*" }"""))
            .Check("NewService:doeverything", "arn:aws:newservice:us-east-1:1:thing/x").Allowed);
    }

    [Fact]
    public void Service_and_partial_wildcards_expand_against_the_shipped_list()
    {
        var permissions = Permissions(Statements("""{ "Effect": "Allow", "Action": ["iam:Put*", "*:Describe*"], "Resource": "*" }"""));

        Assert.True(permissions.Check("iam:PutRolePolicy", Role.Arn).Allowed);
        Assert.True(permissions.Check("ec2:DescribeInstances", "*").Allowed);
        Assert.False(permissions.Check("iam:AttachRolePolicy", Role.Arn).Allowed);
        Assert.True(permissions.CheckEvery("iam:PutUserPolicy", permissions.UsersOfAccount).Allowed);
    }

    // ------------------------------------------------------------------ Reachability questions

    [Theory]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*" }""", true)]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/worker" }""", true)]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::999999999999:role/*" }""", false)]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:s3:::bucket/*" }""", false)]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/*" }""", false)]
    [InlineData("""{ "Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/admin" }""", true)]
    public void Some_role_of_the_account_is_reachable_or_not(string statement, bool reachable) =>
        Assert.Equal(reachable, Permissions(Statements(statement)).CheckSome("iam:PassRole", Permissions(Statements(statement)).RolesOfAccount).Allowed);

    [Fact]
    public void A_deny_that_covers_the_whole_scope_closes_it_and_one_that_does_not_leaves_it_open()
    {
        var allow = """{ "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/*" }""";
        var all = Permissions(Statements(allow, """{ "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::111122223333:role/*" }"""));
        var some = Permissions(Statements(allow, """{ "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::111122223333:role/admin-*" }"""));

        Assert.False(all.CheckSome("iam:PassRole", all.RolesOfAccount).Allowed);
        Assert.True(some.CheckSome("iam:PassRole", some.RolesOfAccount).Allowed);
        Assert.False(some.CheckEvery("iam:PassRole", some.RolesOfAccount).Allowed);
    }

    [Fact]
    public void A_statement_without_resources_is_a_problem_and_an_allow_reads_as_everything()
    {
        var permissions = Permissions(Statements("""{ "Effect": "Allow", "Action": "iam:PassRole" }""", """{ "Effect": "Deny", "Action": "*" }"""));

        Assert.Equal(2, permissions.Problems.Count);
        Assert.Contains("neither Resource nor NotResource", permissions.Problems[0], StringComparison.Ordinal);
        Assert.True(permissions.Check("iam:PassRole", $"arn:aws:iam::{Account}:role/x").Allowed);   // the Deny is not trusted
    }
}
