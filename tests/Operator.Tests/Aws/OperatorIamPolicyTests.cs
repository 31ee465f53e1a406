using System.Reflection;

namespace EksHardening.Operator.Tests.Aws;

/// <summary>
/// The IAM policy the README gives for the operator's own role (<c>deploy/iam/operator-policy.json</c>) allows every
/// AWS operation the clients can call and nothing more, and passes the project's own IAM rules.
/// </summary>
public sealed class OperatorIamPolicyTests
{
    private static readonly string PolicyPath = RepositoryPaths.Of("deploy", "iam", "operator-policy.json");

    /// <summary>Not called by our clients but needed by one of their calls: ECR answers DescribeImageScanFindings for
    /// enhanced (Inspector) scans only when the caller may also list Inspector findings.</summary>
    private static readonly string[] ImpliedActions = ["inspector2:ListFindings"];

    /// <summary>Client methods named for the fact they return rather than for their operation.</summary>
    private static readonly Dictionary<string, string> RenamedMethods = new(StringComparer.Ordinal)
    {
        ["cloudtrail:GetTrailIsLogging"] = "cloudtrail:GetTrailStatus",
    };

    [Fact]
    public void The_policy_allows_exactly_the_operations_the_clients_call()
    {
        var expected = ClientOperations().Concat(ImpliedActions).Order(StringComparer.Ordinal).ToList();
        var allowed = AllowedActions().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, allowed);
    }

    [Fact]
    public void The_client_interfaces_cover_all_six_services()
    {
        var prefixes = ClientOperations().Select(a => a.Split(':')[0]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["cloudtrail", "ec2", "ecr", "eks", "guardduty", "iam", "kms", "ssm"], prefixes);
    }

    [Fact]
    public void Every_renamed_method_exists_on_its_client()
    {
        Assert.All(RenamedMethods.Keys, method => Assert.Contains(method, ClientMethods()));
    }

    [Fact]
    public void The_policy_passes_the_projects_own_iam_rules()
    {
        var document = IamPolicyDocument.TryParse(File.ReadAllText(PolicyPath), out var problem);
        Assert.True(document is not null, problem);
        Assert.Empty(IamPolicyAnalysis.FindWildcardActions(document));
        Assert.DoesNotContain(AllowedActions(), a => a.Contains('*', StringComparison.Ordinal));

        // Read together as the operator's own role: not admin-equivalent, and no escalation path (irsa.no-privilege-escalation).
        var role = new IamRoleContext("arn:aws:iam::123456789012:role/eks-hardening", "aws", "123456789012");
        var permissions = new IamEffectivePermissions([new IamPolicySource("operator-policy.json", document)], role);
        Assert.Empty(permissions.Problems);
        Assert.Null(permissions.FindAdministratorAccess());
        Assert.Empty(IamEscalationPaths.Find(permissions));
        Assert.True(permissions.Check("iam:GetRole", "arn:aws:iam::123456789012:role/app").Allowed);   // what it is for
    }

    [Fact]
    public void Every_statement_allows_and_none_denies_or_uses_not_action()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PolicyPath));
        foreach (var statement in document.RootElement.GetProperty("Statement").EnumerateArray())
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            Assert.False(statement.TryGetProperty("NotAction", out _));
            Assert.True(statement.TryGetProperty("Sid", out _), "each statement names its purpose in Sid");
        }
    }

    /// <summary>Each asynchronous method of the client interfaces is one AWS operation of the interface's service.</summary>
    private static IEnumerable<string> ClientOperations() =>
        ClientMethods().Select(m => RenamedMethods.GetValueOrDefault(m, m)).Distinct(StringComparer.Ordinal);

    /// <summary><c>service:Method</c> for each asynchronous method of the client interfaces, without the <c>Async</c> suffix.</summary>
    private static IEnumerable<string> ClientMethods() =>
        new[]
        {
            (typeof(IEc2Client), "ec2"), (typeof(IEcrClient), "ecr"), (typeof(IEksClient), "eks"), (typeof(IIamClient), "iam"), (typeof(IKmsClient), "kms"),
            (typeof(ISsmClient), "ssm"), (typeof(IGuardDutyClient), "guardduty"), (typeof(ICloudTrailClient), "cloudtrail"),
        }
            .SelectMany(client => client.Item1.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
                .Select(m => client.Item2 + ":" + m.Name[..^"Async".Length]))
            .Distinct(StringComparer.Ordinal);

    private static List<string> AllowedActions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PolicyPath));
        var actions = new List<string>();
        foreach (var statement in document.RootElement.GetProperty("Statement").EnumerateArray())
        {
            var action = statement.GetProperty("Action");
            if (action.ValueKind == JsonValueKind.String) actions.Add(action.GetString()!);
            else actions.AddRange(action.EnumerateArray().Select(a => a.GetString()!));
        }

        return actions;
    }
}
