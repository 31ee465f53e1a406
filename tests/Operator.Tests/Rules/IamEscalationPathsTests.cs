using static EksHardening.Operator.Tests.Rules.IamEffectivePermissionsTests;

namespace EksHardening.Operator.Tests.Rules;

/// <summary>Every published escalation path: open when all its permissions are granted, closed when one is missing, denied or out of reach.</summary>
public sealed class IamEscalationPathsTests
{
    private const string Account = "111122223333";

    public static TheoryData<string> PathIds => [.. IamEscalationPaths.All.Select(p => p.Id)];

    private static IamEscalationPath PathOf(string id) => IamEscalationPaths.All.Single(p => p.Id == id);

    private static string Allow(IEnumerable<string> actions, string resource = "*", string condition = "") =>
        $$"""{ "Effect": "Allow", "Action": [{{string.Join(", ", actions.Select(a => $"\"{a}\""))}}], "Resource": "{{resource}}"{{condition}} }""";

    private static string Deny(string action, string condition = "") =>
        $$"""{ "Effect": "Deny", "Action": "{{action}}", "Resource": "*"{{condition}} }""";

    private static string Policy(params string[] statements) => $$"""{ "Version": "2012-10-17", "Statement": [ {{string.Join(", ", statements)}} ] }""";

    private static IReadOnlyList<IamEscalationFinding> Find(params string[] statements) => IamEscalationPaths.Find(Permissions(Policy(statements)));

    private static bool Opens(string id, params string[] statements) => Find(statements).Any(f => f.Path.Id == id);

    [Theory]
    [MemberData(nameof(PathIds))]
    public void The_path_is_open_when_all_its_permissions_are_granted(string id)
    {
        var path = PathOf(id);
        var found = Assert.Single(Find(Allow(path.Steps.Select(s => s.Action))), f => f.Path.Id == id);

        Assert.Equal(path.Steps.Count, found.Steps.Count);
        Assert.False(found.UnderConditions);
        Assert.StartsWith($"{id} \"{path.Title}\" ({path.Sources}): {path.Steps[0].Action} on ", found.Description, StringComparison.Ordinal);
        Assert.Contains("by policy0 Statement[0]", found.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PathIds))]
    public void The_path_is_closed_when_any_one_permission_is_missing(string id)
    {
        var path = PathOf(id);
        foreach (var missing in path.Steps)
        {
            var others = path.Steps.Where(s => s != missing).Select(s => s.Action).ToList();
            var statements = others.Count == 0 ? [Allow(["s3:GetObject"])] : new[] { Allow(others) };
            Assert.False(Opens(id, statements), $"{id} without {missing.Action}");
        }
    }

    [Theory]
    [MemberData(nameof(PathIds))]
    public void An_unconditional_deny_closes_the_path_and_a_conditional_one_does_not(string id)
    {
        var path = PathOf(id);
        var actions = path.Steps.Select(s => s.Action).ToList();
        var last = actions[^1];
        const string condition = """, "Condition": { "Bool": { "aws:MultiFactorAuthPresent": "false" } }""";

        Assert.False(Opens(id, Allow(actions), Deny(last)));

        var open = Assert.Single(Find(Allow(actions), Deny(last, condition)), f => f.Path.Id == id);
        Assert.Contains(open.Steps.SelectMany(s => s.Access.IgnoredDenies), d => d.Label == "policy0 Statement[1]");
    }

    [Theory]
    [MemberData(nameof(PathIds))]
    public void A_path_granted_only_under_a_condition_is_still_open_and_says_so(string id)
    {
        var path = PathOf(id);
        const string condition = """, "Condition": { "StringEquals": { "aws:RequestedRegion": "eu-west-1" } }""";
        var found = Assert.Single(Find(Allow(path.Steps.Select(s => s.Action), condition: condition)), f => f.Path.Id == id);

        Assert.True(found.UnderConditions);
        Assert.Contains("(if StringEquals aws:RequestedRegion)", found.Description, StringComparison.Ordinal);
        Assert.EndsWith("(granted only under conditions, which are not weighed)", found.Description, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, bool> ResourceScoped => new()
    {
        // IAM acts on its own account only: another account's principals and other services' ARNs reach nothing.
        { "iam-005", "iam:PutRolePolicy", $"arn:aws:iam::{Account}:role/worker", true },
        { "iam-005", "iam:PutRolePolicy", "arn:aws:iam::999999999999:role/*", false },
        { "iam-005", "iam:PutRolePolicy", "arn:aws:s3:::bucket/*", false },
        { "iam-009", "iam:AttachRolePolicy", $"arn:aws:iam::{Account}:role/team/*", true },
        { "iam-012", "iam:UpdateAssumeRolePolicy", $"arn:aws:iam::{Account}:role/admin", true },
        { "iam-002", "iam:CreateAccessKey", $"arn:aws:iam::{Account}:user/ci", true },
        { "iam-002", "iam:CreateAccessKey", $"arn:aws:iam::{Account}:role/*", false },
        { "iam-007", "iam:PutUserPolicy", $"arn:aws:iam::{Account}:user/*", true },
        { "iam-011", "iam:PutGroupPolicy", $"arn:aws:iam::{Account}:group/dev", true },
        { "iam-011", "iam:PutGroupPolicy", $"arn:aws:iam::{Account}:user/dev", false },
        { "iam-013", "iam:AddUserToGroup", $"arn:aws:iam::{Account}:group/*", true },
        { "iam-001", "iam:CreatePolicyVersion", $"arn:aws:iam::{Account}:policy/app-*", true },
        { "iam-001", "iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*", false },   // AWS managed policies cannot be changed
        { "rhino-02", "iam:SetDefaultPolicyVersion", $"arn:aws:iam::{Account}:policy/*", true },
        // sts:AssumeRole is a path only on every role of the account.
        { "sts-001", "sts:AssumeRole", "*", true },
        { "sts-001", "sts:AssumeRole", $"arn:aws:iam::{Account}:role/*", true },
        { "sts-001", "sts:AssumeRole", "arn:aws:iam::*:role/*", true },
        { "sts-001", "sts:AssumeRole", $"arn:aws:iam::{Account}:role/reader", false },
        { "sts-001", "sts:AssumeRole", $"arn:aws:iam::{Account}:role/app-*", false },
        { "sts-001", "sts:AssumeRole", "arn:aws:iam::999999999999:role/*", false },
        // Compute actions: any resource keeps the path open.
        { "lambda-003", "lambda:UpdateFunctionCode", $"arn:aws:lambda:eu-west-1:{Account}:function:one", true },
        { "ssm-002", "ssm:SendCommand", $"arn:aws:ec2:eu-west-1:{Account}:instance/i-1", true },
    };

    [Theory]
    [MemberData(nameof(ResourceScoped))]
    public void Resource_scoping_closes_a_path_only_where_nothing_of_its_kind_is_left(string id, string action, string resource, bool open) =>
        Assert.True(open == Opens(id, Allow([action], resource)), $"{id}: {action} on {resource}");

    [Theory]
    [InlineData("arn:aws:iam::111122223333:role/admin", true)]      // the other roles stay reachable through "*"
    [InlineData("arn:aws:iam::111122223333:role/*", false)]
    [InlineData("*", false)]
    public void A_deny_closes_AssumeRole_on_every_role_only_when_it_covers_them_all(string denied, bool open) =>
        Assert.Equal(open, Opens("sts-001", Allow(["sts:AssumeRole"]), $$"""{ "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "{{denied}}" }"""));

    [Theory]
    [InlineData("*", true)]
    [InlineData("arn:aws:iam::111122223333:role/worker", true)]
    [InlineData("arn:aws:iam::111122223333:role/app", false)]    // passing its own role to new compute gains nothing
    [InlineData("arn:aws:iam::111122223333:role/a*", true)]      // app-batch, admin, … besides itself
    public void PassRole_reaches_other_roles_of_the_account(string resource, bool open) =>
        Assert.Equal(open, Opens("ec2-001", Allow(["iam:PassRole"], resource), Allow(["ec2:RunInstances"])));

    [Fact]
    public void A_path_to_the_role_itself_is_named_so()
    {
        var itself = Assert.Single(Find(Allow(["iam:PutRolePolicy"], Role.Arn)), f => f.Path.Id == "iam-005");
        var other = Assert.Single(Find(Allow(["iam:PutRolePolicy"], $"arn:aws:iam::{Account}:role/worker")), f => f.Path.Id == "iam-005");

        Assert.True(Assert.Single(itself.Steps).LeadsToItself);
        Assert.Contains("iam:PutRolePolicy on the role itself by policy0 Statement[0]", itself.Description, StringComparison.Ordinal);
        Assert.False(Assert.Single(other.Steps).LeadsToItself);
        Assert.Contains($"iam:PutRolePolicy on roles of account {Account} (arn:aws:iam::{Account}:role/worker) by policy0 Statement[0]", other.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_needs_every_step_from_any_of_the_roles_policies()
    {
        var permissions = new IamEffectivePermissions(
            [new IamPolicySource("inline policy pass", Parse(Policy(Allow(["iam:PassRole"], $"arn:aws:iam::{Account}:role/worker")))),
             new IamPolicySource("managed policy Ec2Runner", Parse(Policy(Allow(["ec2:RunInstances"]))))],
            Role);

        var found = Assert.Single(IamEscalationPaths.Find(permissions));
        Assert.Equal("ec2-001", found.Path.Id);
        Assert.Equal(["inline policy pass Statement[0]", "managed policy Ec2Runner Statement[0]"], found.Steps.Select(s => Assert.Single(s.Access.Grants).Label));
    }

    [Fact]
    public void A_least_privilege_role_opens_no_path()
    {
        Assert.Empty(Find(
            Allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::app-data/*"),
            Allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], $"arn:aws:sqs:eu-west-1:{Account}:jobs"),
            Allow(["iam:GetRole", "iam:ListRoles", "lambda:GetFunction", "ec2:Describe*"])));
    }

    [Fact]
    public void Paths_have_unique_ids_sources_and_actions_the_shipped_list_knows()
    {
        Assert.Equal(IamEscalationPaths.All.Count, IamEscalationPaths.All.Select(p => p.Id).Distinct().Count());
        // Rhino Security Labs #23 uses an undocumented CodeStar API that the Service Authorization Reference does not list.
        string[] undocumented = ["codestar:CreateProjectFromTemplate"];
        foreach (var path in IamEscalationPaths.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(path.Sources), path.Id);
            Assert.NotEmpty(path.Steps);
            foreach (var step in path.Steps)
            {
                Assert.True(IamActionCatalog.Default.IndexOf(step.Action) >= 0 || undocumented.Contains(step.Action), $"{path.Id}: {step.Action} is not in IamActions.txt");
            }
        }
    }

    private const string Begin = "<!-- escalation-paths:begin -->";
    private const string End = "<!-- escalation-paths:end -->";

    [Fact]
    public void Readme_escalation_path_table_is_generated_from_the_catalog() =>
        ReadmeBlocks.AssertGenerated(Begin, End, IamEscalationPaths.RenderMarkdownTable(), "Readme_escalation_path_table");
}
