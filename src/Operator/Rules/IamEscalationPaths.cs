namespace EksHardening.Operator.Rules;

/// <summary>
/// The published IAM privilege-escalation paths behind <c>irsa.no-privilege-escalation</c>, and the search for them in a
/// role's <see cref="IamEffectivePermissions"/>. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
/// Mitigation" parts 1 and 2 (methods numbered as in github.com/RhinoSecurityLabs/AWS-IAM-Privilege-Escalation), and
/// Datadog's pathfinding.cloud catalog (github.com/DataDog/pathfinding-labs; path ids such as <c>iam-005</c>), which also
/// carries Bishop Fox's iam-vulnerable paths. Where two sources ask for different permission sets for one path, the
/// smaller set is used (the path is open sooner).
/// </summary>
/// <remarks>
/// A path is open when every one of its actions is allowed on at least one resource of its target kind (roles, users,
/// groups and customer managed policies of the role's own account, since IAM acts on its own account only; any resource
/// for the compute services). Resource scoping closes a path only when no resource of that kind is left: a statement
/// allowing <c>iam:PutRolePolicy</c> on one named role is a path to that role — whatever it can do, the workload can make
/// it do more; which roles trust whom is not evaluated here. Whether the path leads to the role itself (its own ARN, or
/// one of its attached customer managed policies) is said in the message; <c>iam:PassRole</c> must reach a role other
/// than itself, since passing its own role to new compute gains nothing. <c>sts:AssumeRole</c> is a path only when it
/// reaches every role of the account (a <c>*</c>-like resource): naming the roles to assume is how role chains are meant
/// to be written. Conditions are not weighed: a path granted under conditions is still reported, with them.
/// </remarks>
public static class IamEscalationPaths
{
    private const string Rhino = "Rhino Security Labs";
    private const string Pathfinding = "pathfinding.cloud";

    public static readonly IReadOnlyList<IamEscalationPath> All =
    [
        // Writes to IAM principals and policies.
        Path("iam-001", "Create a new version of a customer managed policy (--set-as-default)", $"{Rhino} #1, {Pathfinding} iam-001", ("iam:CreatePolicyVersion", IamEscalationTarget.CustomerManagedPolicy)),
        Path("rhino-02", "Set an older, broader version of a policy as its default", $"{Rhino} #2", ("iam:SetDefaultPolicyVersion", IamEscalationTarget.CustomerManagedPolicy)),
        Path("iam-002", "Create an access key for another user", $"{Rhino} #4, {Pathfinding} iam-002", ("iam:CreateAccessKey", IamEscalationTarget.User)),
        Path("iam-004", "Create a console password for another user", $"{Rhino} #5, {Pathfinding} iam-004", ("iam:CreateLoginProfile", IamEscalationTarget.User)),
        Path("iam-006", "Change another user's console password", $"{Rhino} #6, {Pathfinding} iam-006", ("iam:UpdateLoginProfile", IamEscalationTarget.User)),
        Path("iam-008", "Attach a managed policy to a user", $"{Rhino} #7, {Pathfinding} iam-008", ("iam:AttachUserPolicy", IamEscalationTarget.User)),
        Path("iam-010", "Attach a managed policy to a group", $"{Rhino} #8, {Pathfinding} iam-010", ("iam:AttachGroupPolicy", IamEscalationTarget.Group)),
        Path("iam-009", "Attach a managed policy to a role", $"{Rhino} #9, {Pathfinding} iam-009", ("iam:AttachRolePolicy", IamEscalationTarget.Role)),
        Path("iam-007", "Write an inline policy of a user", $"{Rhino} #10, {Pathfinding} iam-007", ("iam:PutUserPolicy", IamEscalationTarget.User)),
        Path("iam-011", "Write an inline policy of a group", $"{Rhino} #11, {Pathfinding} iam-011", ("iam:PutGroupPolicy", IamEscalationTarget.Group)),
        Path("iam-005", "Write an inline policy of a role", $"{Rhino} #12, {Pathfinding} iam-005", ("iam:PutRolePolicy", IamEscalationTarget.Role)),
        Path("iam-013", "Add a user to a group", $"{Rhino} #13, {Pathfinding} iam-013", ("iam:AddUserToGroup", IamEscalationTarget.Group)),
        // Rhino #14 pairs it with sts:AssumeRole; a trust policy that names the role's own ARN needs no more in the same account.
        Path("iam-012", "Rewrite a role's trust policy to trust oneself", $"{Rhino} #14, {Pathfinding} iam-012", ("iam:UpdateAssumeRolePolicy", IamEscalationTarget.Role)),

        // Pass a role to new compute, then run code as that role.
        Path("ec2-001", "Pass a role to a new EC2 instance", $"{Rhino} #3, {Pathfinding} ec2-001", PassRole, ("ec2:RunInstances", IamEscalationTarget.AnyResource)),
        Path("ec2-004", "Pass a role to a new EC2 Spot instance", $"{Pathfinding} ec2-004", PassRole, ("ec2:RequestSpotInstances", IamEscalationTarget.AnyResource)),
        Path("lambda-001", "Pass a role to a new Lambda function, then invoke it", $"{Rhino} #15, {Pathfinding} lambda-001", PassRole, ("lambda:CreateFunction", IamEscalationTarget.AnyResource), ("lambda:InvokeFunction", IamEscalationTarget.AnyResource)),
        Path("lambda-006", "Pass a role to a new Lambda function, then let another account invoke it", $"{Rhino} #16, {Pathfinding} lambda-006", PassRole, ("lambda:CreateFunction", IamEscalationTarget.AnyResource), ("lambda:AddPermission", IamEscalationTarget.AnyResource)),
        Path("lambda-002", "Pass a role to a new Lambda function, then trigger it from an event source", $"{Rhino} #17, {Pathfinding} lambda-002", PassRole, ("lambda:CreateFunction", IamEscalationTarget.AnyResource), ("lambda:CreateEventSourceMapping", IamEscalationTarget.AnyResource)),
        Path("glue-001", "Pass a role to a new Glue development endpoint", $"{Rhino} #19, {Pathfinding} glue-001", PassRole, ("glue:CreateDevEndpoint", IamEscalationTarget.AnyResource)),
        Path("glue-003", "Pass a role to a new Glue job, then run it", $"{Pathfinding} glue-003", PassRole, ("glue:CreateJob", IamEscalationTarget.AnyResource), ("glue:StartJobRun", IamEscalationTarget.AnyResource)),
        Path("glue-004", "Pass a role to a new Glue job, then trigger it", $"{Pathfinding} glue-004", PassRole, ("glue:CreateJob", IamEscalationTarget.AnyResource), ("glue:CreateTrigger", IamEscalationTarget.AnyResource)),
        Path("glue-005", "Pass a role to an existing Glue job, then run it", $"{Pathfinding} glue-005", PassRole, ("glue:UpdateJob", IamEscalationTarget.AnyResource), ("glue:StartJobRun", IamEscalationTarget.AnyResource)),
        Path("glue-006", "Pass a role to an existing Glue job, then trigger it", $"{Pathfinding} glue-006", PassRole, ("glue:UpdateJob", IamEscalationTarget.AnyResource), ("glue:CreateTrigger", IamEscalationTarget.AnyResource)),
        Path("glue-007", "Pass a role to a new Glue interactive session, then run statements", $"{Pathfinding} glue-007", PassRole, ("glue:CreateSession", IamEscalationTarget.AnyResource), ("glue:RunStatement", IamEscalationTarget.AnyResource)),
        Path("cloudformation-001", "Pass a role to a new CloudFormation stack", $"{Rhino} #21, {Pathfinding} cloudformation-001", PassRole, ("cloudformation:CreateStack", IamEscalationTarget.AnyResource)),
        Path("cloudformation-003", "Pass a role to a new CloudFormation stack set and deploy instances", $"{Pathfinding} cloudformation-003", PassRole, ("cloudformation:CreateStackSet", IamEscalationTarget.AnyResource), ("cloudformation:CreateStackInstances", IamEscalationTarget.AnyResource)),
        Path("cloudformation-004", "Pass a role to an existing CloudFormation stack set", $"{Pathfinding} cloudformation-004", PassRole, ("cloudformation:UpdateStackSet", IamEscalationTarget.AnyResource)),
        Path("datapipeline-001", "Pass a role to a new Data Pipeline with a command to run", $"{Rhino} #22, {Pathfinding} datapipeline-001", PassRole, ("datapipeline:CreatePipeline", IamEscalationTarget.AnyResource), ("datapipeline:PutPipelineDefinition", IamEscalationTarget.AnyResource)),
        Path("ecs-003", "Pass a role to a new ECS task definition run by a new service", $"{Pathfinding} ecs-001, ecs-003", PassRole, ("ecs:RegisterTaskDefinition", IamEscalationTarget.AnyResource), ("ecs:CreateService", IamEscalationTarget.AnyResource)),
        Path("ecs-008", "Pass a role to an ECS task run with a task-role override", $"{Pathfinding} ecs-002, ecs-004, ecs-008", PassRole, ("ecs:RunTask", IamEscalationTarget.AnyResource)),
        Path("ecs-009", "Pass a role to an ECS task started on a chosen container instance", $"{Pathfinding} ecs-005, ecs-007, ecs-009", PassRole, ("ecs:StartTask", IamEscalationTarget.AnyResource)),
        Path("sagemaker-001", "Pass a role to a new SageMaker notebook instance", $"{Rhino} #27, {Pathfinding} sagemaker-001", PassRole, ("sagemaker:CreateNotebookInstance", IamEscalationTarget.AnyResource)),
        Path("sagemaker-002", "Pass a role to a new SageMaker training job", $"{Pathfinding} sagemaker-002", PassRole, ("sagemaker:CreateTrainingJob", IamEscalationTarget.AnyResource)),
        Path("sagemaker-003", "Pass a role to a new SageMaker processing job", $"{Pathfinding} sagemaker-003", PassRole, ("sagemaker:CreateProcessingJob", IamEscalationTarget.AnyResource)),
        Path("codebuild-001", "Pass a role to a new CodeBuild project, then build", $"{Pathfinding} codebuild-001", PassRole, ("codebuild:CreateProject", IamEscalationTarget.AnyResource), ("codebuild:StartBuild", IamEscalationTarget.AnyResource)),
        Path("codebuild-004", "Pass a role to a new CodeBuild project, then run a batch build", $"{Pathfinding} codebuild-004", PassRole, ("codebuild:CreateProject", IamEscalationTarget.AnyResource), ("codebuild:StartBuildBatch", IamEscalationTarget.AnyResource)),
        Path("apprunner-001", "Pass a role to a new App Runner service", $"{Pathfinding} apprunner-001", PassRole, ("apprunner:CreateService", IamEscalationTarget.AnyResource)),
        Path("bedrock-001", "Pass a role to a new Bedrock AgentCore code interpreter, then run code", $"{Pathfinding} bedrock-001", PassRole, ("bedrock-agentcore:CreateCodeInterpreter", IamEscalationTarget.AnyResource), ("bedrock-agentcore:StartCodeInterpreterSession", IamEscalationTarget.AnyResource), ("bedrock-agentcore:InvokeCodeInterpreter", IamEscalationTarget.AnyResource)),
        Path("rhino-24", "Pass a role to a new CodeStar project", $"{Rhino} #24", PassRole, ("codestar:CreateProject", IamEscalationTarget.AnyResource)),
        Path("rhino-23", "Create a CodeStar project from a template (undocumented API)", $"{Rhino} #23", ("codestar:CreateProjectFromTemplate", IamEscalationTarget.AnyResource)),
        Path("rhino-25", "Create a CodeStar project and make oneself its owner", $"{Rhino} #25", ("codestar:CreateProject", IamEscalationTarget.AnyResource), ("codestar:AssociateTeamMember", IamEscalationTarget.AnyResource)),

        // Run code or log in where an existing role already sits.
        Path("lambda-003", "Replace the code of an existing Lambda function", $"{Rhino} #18, {Pathfinding} lambda-003", ("lambda:UpdateFunctionCode", IamEscalationTarget.AnyResource)),
        Path("rhino-26", "Add a layer to an existing Lambda function", $"{Rhino} #26", ("lambda:UpdateFunctionConfiguration", IamEscalationTarget.AnyResource)),
        Path("glue-002", "Add an SSH key to an existing Glue development endpoint", $"{Rhino} #20, {Pathfinding} glue-002", ("glue:UpdateDevEndpoint", IamEscalationTarget.AnyResource)),
        Path("cloudformation-002", "Update an existing stack that runs with a service role", $"{Pathfinding} cloudformation-002", ("cloudformation:UpdateStack", IamEscalationTarget.AnyResource)),
        Path("cloudformation-005", "Change an existing stack through a change set", $"{Pathfinding} cloudformation-005", ("cloudformation:CreateChangeSet", IamEscalationTarget.AnyResource), ("cloudformation:ExecuteChangeSet", IamEscalationTarget.AnyResource)),
        Path("codebuild-002", "Start a build of an existing project with an overridden buildspec", $"{Pathfinding} codebuild-002", ("codebuild:StartBuild", IamEscalationTarget.AnyResource)),
        Path("codebuild-003", "Start a batch build of an existing project with an overridden buildspec", $"{Pathfinding} codebuild-003", ("codebuild:StartBuildBatch", IamEscalationTarget.AnyResource)),
        Path("ec2-002", "Change an instance's user data and restart it", $"{Pathfinding} ec2-002", ("ec2:ModifyInstanceAttribute", IamEscalationTarget.AnyResource), ("ec2:StopInstances", IamEscalationTarget.AnyResource), ("ec2:StartInstances", IamEscalationTarget.AnyResource)),
        Path("ec2-003", "Push an SSH key to an instance with EC2 Instance Connect", $"{Pathfinding} ec2-003", ("ec2-instance-connect:SendSSHPublicKey", IamEscalationTarget.AnyResource)),
        Path("ec2-005", "Add a launch template version that instances start from", $"{Pathfinding} ec2-005", ("ec2:CreateLaunchTemplateVersion", IamEscalationTarget.AnyResource), ("ec2:ModifyLaunchTemplate", IamEscalationTarget.AnyResource)),
        Path("ecs-006", "Open a shell in a running ECS task", $"{Pathfinding} ecs-006", ("ecs:ExecuteCommand", IamEscalationTarget.AnyResource), ("ecs:DescribeTasks", IamEscalationTarget.AnyResource)),
        Path("sagemaker-004", "Open an existing SageMaker notebook through a presigned URL", $"{Rhino} #28, {Pathfinding} sagemaker-004", ("sagemaker:CreatePresignedNotebookInstanceUrl", IamEscalationTarget.AnyResource)),
        Path("sagemaker-005", "Attach a lifecycle script to an existing SageMaker notebook and restart it", $"{Pathfinding} sagemaker-005", ("sagemaker:CreateNotebookInstanceLifecycleConfig", IamEscalationTarget.AnyResource), ("sagemaker:StopNotebookInstance", IamEscalationTarget.AnyResource), ("sagemaker:UpdateNotebookInstance", IamEscalationTarget.AnyResource), ("sagemaker:StartNotebookInstance", IamEscalationTarget.AnyResource)),
        Path("ssm-001", "Open a Session Manager shell on an instance", $"{Pathfinding} ssm-001", ("ssm:StartSession", IamEscalationTarget.AnyResource)),
        Path("ssm-002", "Run a command on an instance with Systems Manager", $"{Pathfinding} ssm-002", ("ssm:SendCommand", IamEscalationTarget.AnyResource)),
        Path("apprunner-002", "Change the code of an existing App Runner service", $"{Pathfinding} apprunner-002", ("apprunner:UpdateService", IamEscalationTarget.AnyResource)),
        Path("bedrock-002", "Run code in an existing Bedrock AgentCore code interpreter", $"{Pathfinding} bedrock-002", ("bedrock-agentcore:StartCodeInterpreterSession", IamEscalationTarget.AnyResource), ("bedrock-agentcore:InvokeCodeInterpreter", IamEscalationTarget.AnyResource)),

        // Become another role.
        Path("sts-001", "Assume any role of the account whose trust policy trusts the account", $"{Pathfinding} sts-001 (there scoped to one role)", ("sts:AssumeRole", IamEscalationTarget.EveryRole)),
    ];

    private static (string, IamEscalationTarget) PassRole => ("iam:PassRole", IamEscalationTarget.OtherRole);

    /// <summary>The open paths, each with the statements that grant its steps.</summary>
    public static IReadOnlyList<IamEscalationFinding> Find(IamEffectivePermissions permissions)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        var found = new List<IamEscalationFinding>();
        var steps = new Dictionary<(string, IamEscalationTarget), IamEscalationStepResult>();
        foreach (var path in All)
        {
            var results = new List<IamEscalationStepResult>(path.Steps.Count);
            foreach (var step in path.Steps)
            {
                if (!steps.TryGetValue((step.Action, step.Target), out var result))
                {
                    result = Evaluate(permissions, step);
                    steps[(step.Action, step.Target)] = result;
                }

                if (!result.Access.Allowed) break;
                results.Add(result);
            }

            if (results.Count == path.Steps.Count) found.Add(new IamEscalationFinding(path, results));
        }

        return found;
    }

    /// <summary>The README's table of paths; a test keeps the README in step with it.</summary>
    public static string RenderMarkdownTable()
    {
        var table = new StringBuilder();
        table.Append("| path | what the workload could do | permissions (all needed) | source |\n");
        table.Append("|---|---|---|---|\n");
        foreach (var path in All)
        {
            var permissions = string.Join(" + ", path.Steps.Select(s => $"`{s.Action}`" + (s.Target == IamEscalationTarget.AnyResource ? "" : $" ({TargetName(s.Target)})")));
            table.Append($"| `{path.Id}` | {path.Title} | {permissions} | {path.Sources} |\n");
        }

        return table.ToString();
    }

    private static IamEscalationStepResult Evaluate(IamEffectivePermissions permissions, IamEscalationStep step)
    {
        var role = permissions.Role;
        switch (step.Target)
        {
            case IamEscalationTarget.EveryRole:
                // Granted on every role, and a Deny that names some of them leaves the rest: still a wildcard.
                var every = permissions.CheckEvery(step.Action, permissions.RolesOfAccount, subtractDenies: false);
                var reachable = every.Allowed && permissions.CheckSome(step.Action, permissions.RolesOfAccount).Allowed;
                return new(step, reachable ? every : every with { Grants = [] }, $"every role of account {role.Account}");
            case IamEscalationTarget.Role when permissions.Check(step.Action, role.Arn) is { Allowed: true } self:
                return new(step, self, "the role itself", LeadsToItself: true);
            case IamEscalationTarget.CustomerManagedPolicy:
                var own = role.AttachedPolicyArns
                    .Where(arn => arn.Contains($":iam::{role.Account}:policy/", StringComparison.Ordinal))
                    .Select(arn => (Arn: arn, Access: permissions.Check(step.Action, arn)))
                    .FirstOrDefault(p => p.Access.Allowed);
                if (own.Access is not null) return new(step, own.Access, $"its own attached policy {own.Arn}", LeadsToItself: true);
                break;
        }

        var scope = step.Target switch
        {
            IamEscalationTarget.Role => permissions.RolesOfAccount,
            IamEscalationTarget.OtherRole => permissions.RolesOfAccount with { Description = $"other roles of account {role.Account}", Except = [role.Arn] },
            IamEscalationTarget.User => permissions.UsersOfAccount,
            IamEscalationTarget.Group => permissions.GroupsOfAccount,
            IamEscalationTarget.CustomerManagedPolicy => permissions.PoliciesOfAccount,
            _ => permissions.EveryResource,
        };
        var access = permissions.CheckSome(step.Action, scope);
        var resources = access.Grants.Select(g => g.Resources).Distinct().ToList();
        return new(step, access, resources.Count == 0 ? scope.Description : $"{scope.Description} ({string.Join("; ", resources)})");
    }

    private static string TargetName(IamEscalationTarget target) => target switch
    {
        IamEscalationTarget.Role => "a role",
        IamEscalationTarget.OtherRole => "another role",
        IamEscalationTarget.User => "a user",
        IamEscalationTarget.Group => "a group",
        IamEscalationTarget.CustomerManagedPolicy => "a customer managed policy",
        IamEscalationTarget.EveryRole => "every role of the account",
        _ => "any resource",
    };

    private static IamEscalationPath Path(string id, string title, string sources, params (string Action, IamEscalationTarget Target)[] steps) =>
        new(id, title, sources, [.. steps.Select(s => new IamEscalationStep(s.Action, s.Target))]);
}

/// <summary>What an escalation step's action must reach.</summary>
public enum IamEscalationTarget
{
    /// <summary>Any resource (the compute services).</summary>
    AnyResource,
    /// <summary>A role of the role's account, itself included.</summary>
    Role,
    /// <summary>A role of the role's account other than itself (passing its own role to compute gains nothing).</summary>
    OtherRole,
    User,
    Group,
    /// <summary>A customer managed policy of the role's account (AWS managed policies cannot be changed).</summary>
    CustomerManagedPolicy,
    /// <summary>Every role of the account at once (<c>sts:AssumeRole</c> on <c>*</c>).</summary>
    EveryRole,
}

/// <summary>A published escalation path: every step's action is needed.</summary>
public sealed record IamEscalationPath(string Id, string Title, string Sources, IReadOnlyList<IamEscalationStep> Steps);

public sealed record IamEscalationStep(string Action, IamEscalationTarget Target);

/// <summary>How one step is granted: the access, and what it reaches (<c>the role itself</c>, <c>roles of account …</c>).</summary>
public sealed record IamEscalationStepResult(IamEscalationStep Step, IamAccess Access, string Reach, bool LeadsToItself = false);

/// <summary>An open path, with the statements that grant each step.</summary>
public sealed record IamEscalationFinding(IamEscalationPath Path, IReadOnlyList<IamEscalationStepResult> Steps)
{
    /// <summary>Some step is granted only under conditions (still reported).</summary>
    public bool UnderConditions => Steps.Any(s => s.Access.OnlyUnderConditions);

    /// <summary>
    /// For messages: <c>iam-005 "Write an inline policy of a role" (Rhino Security Labs #12, …): iam:PutRolePolicy on the
    /// role itself by inline policy app Statement[0]</c>.
    /// </summary>
    public string Description
    {
        get
        {
            var steps = string.Join("; ", Steps.Select(s => $"{s.Step.Action} on {s.Reach} by {string.Join(", ", s.Access.Grants.Select(g => g.Description))}"));
            var conditions = UnderConditions ? " (granted only under conditions, which are not weighed)" : "";
            return $"{Path.Id} \"{Path.Title}\" ({Path.Sources}): {steps}{conditions}";
        }
    }
}
