using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
using StubKey = EksHardening.AwsStub.Kms.KmsKey;
using StubManagedPolicy = EksHardening.AwsStub.Iam.IamManagedPolicy;
using StubRole = EksHardening.AwsStub.Iam.IamRole;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>IAM role analysis and EKS cluster rules against the AWS stub; the IRSA credential path; scan --aws.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class AwsIdentityAndClusterTests : IAsyncLifetime
{
    private AwsEndpointStub _aws = null!;
    private AwsClients _clients = null!;
    private string _issuer = "";

    private const string PolicySpec = """
        irsa: {requireScopedTrustPolicy: true, disallowWildcardActions: true, deniedManagedPolicies: [AdministratorAccess]}
        cluster: {name: prod, region: eu-west-1, requireSecretsEncryption: true, requireKeyRotation: true,
                  requiredLogTypes: [api, audit, authenticator], disallowPublicEndpoint: true, disallowOpenPublicCidrs: true}
        """;

    public async Task InitializeAsync()
    {
        _aws = await AwsEndpointStub.StartNewAsync();
        var env = _aws.EnvironmentVariables();
        _clients = new AwsClients(new AwsClientOptions { Region = _aws.Region, Environment = k => env.GetValueOrDefault(k) },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(_aws.Credentials.AccessKeyId, _aws.Credentials.SecretAccessKey, null, null)));
        var key = _aws.Kms.AddKey(new StubKey { RotationEnabled = false });
        _issuer = $"https://oidc.eks.{_aws.Region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        _aws.Eks.AddCluster(new StubCluster
        {
            Name = "prod", SecretsKeyArn = key.Arn, EnabledLogTypes = ["api", "audit"],
            EndpointPublicAccess = true, PublicAccessCidrs = ["0.0.0.0/0"], OidcIssuer = _issuer,
        });
        var provider = $"arn:aws:iam::{_aws.AccountId}:oidc-provider/{_issuer["https://".Length..]}";
        _aws.Iam.AddManagedPolicy(StubManagedPolicy.Create("AdministratorAccess", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", awsManaged: true));
        _aws.Iam.AddRole(new StubRole { Name = "scoped", TrustPolicy = Trust(provider, "system:serviceaccount:shop:api"),
            InlinePolicies = new Dictionary<string, string> { ["read"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::shop/*"}]}""" } });
        _aws.Iam.AddRole(new StubRole { Name = "loose", TrustPolicy = Trust(provider, "system:serviceaccount:*", "StringLike"),
            InlinePolicies = new Dictionary<string, string> { ["all-s3"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""" },
            AttachedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"] });
        // Admin only when its inline and customer managed policies are read together (issue 12).
        var iamOnly = _aws.Iam.AddManagedPolicy(StubManagedPolicy.Create("iam-only", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"""));
        _aws.Iam.AddRole(new StubRole { Name = "split", TrustPolicy = Trust(provider, "system:serviceaccount:shop:ops"),
            InlinePolicies = new Dictionary<string, string> { ["all-but-iam"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}""" },
            AttachedPolicyArns = [iamOnly.Arn!] });
        // No admin, but PassRole with a compute-creating action.
        _aws.Iam.AddRole(new StubRole { Name = "launcher", TrustPolicy = Trust(provider, "system:serviceaccount:shop:jobs"),
            InlinePolicies = new Dictionary<string, string> { ["launch"] = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::{{_aws.AccountId}}:role/worker"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}""" } });
    }

    public async Task DisposeAsync()
    {
        _clients.Dispose();
        await _aws.DisposeAsync();
    }

    private static string Trust(string provider, string sub, string op = "StringEquals")
    {
        var issuer = provider[(provider.IndexOf('/') + 1)..];
        var statement = new System.Text.Json.Nodes.JsonObject
        {
            ["Effect"] = "Allow",
            ["Principal"] = new System.Text.Json.Nodes.JsonObject { ["Federated"] = provider },
            ["Action"] = "sts:AssumeRoleWithWebIdentity",
            ["Condition"] = new System.Text.Json.Nodes.JsonObject
            {
                [op] = new System.Text.Json.Nodes.JsonObject { [issuer + ":sub"] = sub, [issuer + ":aud"] = "sts.amazonaws.com" },
            },
        };
        return new System.Text.Json.Nodes.JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new System.Text.Json.Nodes.JsonArray(statement) }.ToJsonString();
    }

    private List<object> Objects() =>
    [
        Account("api", $"arn:aws:iam::{_aws.AccountId}:role/scoped"),
        Account("batch", $"arn:aws:iam::{_aws.AccountId}:role/loose"),
        Account("plain", null),
        Account("ops", $"arn:aws:iam::{_aws.AccountId}:role/split"),
        Account("jobs", $"arn:aws:iam::{_aws.AccountId}:role/launcher"),
        Pod("api"), Pod("batch"), Pod("plain"), Pod("ops"), Pod("jobs"),
    ];

    private static V1ServiceAccount Account(string name, string? role) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop", Annotations = role is null ? null : new Dictionary<string, string> { [ClusterSnapshot.RoleArnAnnotation] = role } },
    };

    private static V1Pod Pod(string account) => new()
    {
        ApiVersion = "v1", Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = account, NamespaceProperty = "shop" },
        Spec = new V1PodSpec { ServiceAccountName = account, Containers = [new V1Container { Name = "app", Image = "app:1" }] },
    };

    private async Task<PolicyEvaluation> EvaluateAsync(string spec)
    {
        var policy = new ResponsibilityPolicy { Metadata = new V1ObjectMeta { Name = "aws" }, Spec = k8s.KubernetesYaml.Deserialize<ResponsibilityPolicySpec>(spec) };
        var snapshot = ClusterSnapshot.FromObjects(Objects());
        snapshot.Aws = await new AwsFactCollector(_clients.Ecr, _clients.Eks, _clients.Iam, _clients.Kms, _clients.GuardDuty, _clients.CloudTrail, _clients.Ec2, _clients.Ssm, TimeProvider.System).CollectAsync(policy, snapshot, CancellationToken.None);
        return new PolicyEvaluator(TimeProvider.System).Evaluate(policy, snapshot);
    }

    private static FindingResult? Result(PolicyEvaluation evaluation, string pod, string rule) =>
        evaluation.Resources.Single(r => r.Resource.Name == pod).Findings.Where(f => f.Rule.Id == rule).Select(f => (FindingResult?)f.Result)
            .OrderByDescending(r => r == FindingResult.Fail).FirstOrDefault();

    [Fact]
    public async Task Roles_are_judged_from_their_IAM_documents_and_the_cluster_from_EKS_and_KMS()
    {
        var evaluation = await EvaluateAsync(PolicySpec);
        Assert.Equal(FindingResult.Pass, Result(evaluation, "api", "irsa.trust-policy-scoped"));
        Assert.Equal(FindingResult.Pass, Result(evaluation, "api", "irsa.no-wildcard-actions"));
        Assert.Equal(FindingResult.Pass, Result(evaluation, "api", "irsa.no-admin-policies"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "batch", "irsa.trust-policy-scoped"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "batch", "irsa.no-wildcard-actions"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "batch", "irsa.no-admin-policies"));
        Assert.Null(Result(evaluation, "plain", "irsa.trust-policy-scoped"));   // no role: not applicable

        var cluster = evaluation.ClusterFindings.ToDictionary(f => f.Rule.Id, f => f.Result);
        Assert.Equal(FindingResult.Pass, cluster["cluster.secrets-encryption"]);
        Assert.Equal(FindingResult.Fail, cluster["cluster.kms-key-rotation"]);
        Assert.Equal(FindingResult.Fail, cluster["cluster.control-plane-logging"]);
        Assert.Equal(FindingResult.Fail, cluster["cluster.endpoint-public-access"]);
        Assert.Equal(FindingResult.Fail, cluster["cluster.endpoint-open-cidrs"]);
        Assert.Contains("authenticator", evaluation.ClusterFindings.Single(f => f.Rule.Id == "cluster.control-plane-logging").Message);
        Assert.Empty(evaluation.AwsErrors!);
    }

    [Fact]
    public async Task Admin_and_escalation_are_judged_on_all_of_a_roles_policies_read_from_IAM()
    {
        var evaluation = await EvaluateAsync("irsa: {deniedManagedPolicies: [AdministratorAccess], disallowPrivilegeEscalation: true}");

        Assert.Equal(FindingResult.Pass, Result(evaluation, "api", "irsa.no-admin-policies"));
        Assert.Equal(FindingResult.Pass, Result(evaluation, "api", "irsa.no-privilege-escalation"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "ops", "irsa.no-admin-policies"));
        Assert.Contains("every action on every resource (administrator access), granted by inline policy all-but-iam Statement[0], managed policy iam-only Statement[0]",
            Message(evaluation, "ops", "irsa.no-admin-policies"), StringComparison.Ordinal);
        Assert.Equal(FindingResult.Pass, Result(evaluation, "jobs", "irsa.no-admin-policies"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "jobs", "irsa.no-privilege-escalation"));
        Assert.Contains("privilege-escalation path ec2-001", Message(evaluation, "jobs", "irsa.no-privilege-escalation"), StringComparison.Ordinal);
        Assert.Empty(evaluation.AwsErrors!);
    }

    private static string Message(PolicyEvaluation evaluation, string pod, string rule) =>
        evaluation.Resources.Single(r => r.Resource.Name == pod).Findings.First(f => f.Rule.Id == rule && f.Result == FindingResult.Fail).Message;

    [Fact]
    public async Task AccessDenied_on_IAM_gives_errors_and_AwsReachable_False_while_the_rest_is_evaluated()
    {
        _aws.Faults.DenyAccess("iam");
        var evaluation = await EvaluateAsync(PolicySpec + "\npodSecurity: {level: restricted}");
        Assert.Equal(FindingResult.Error, Result(evaluation, "api", "irsa.trust-policy-scoped"));
        Assert.Equal(FindingResult.Error, Result(evaluation, "batch", "irsa.no-admin-policies"));
        Assert.Equal(FindingResult.Fail, Result(evaluation, "api", "pss.runAsNonRoot"));
        Assert.Equal(FindingResult.Fail, evaluation.ClusterFindings.Single(f => f.Rule.Id == "cluster.kms-key-rotation").Result);

        var policy = new ResponsibilityPolicy { Metadata = new V1ObjectMeta { Name = "aws", Generation = 1 } };
        var status = ComplianceStatus.FromEvaluation(policy, evaluation, null, DateTimeOffset.UtcNow, 50);
        var reachable = status.Conditions!.Single(c => c.Type == ComplianceStatus.AwsReachable);
        Assert.Equal(("False", "AwsErrors"), (reachable.Status, reachable.Reason));
        Assert.StartsWith("iam: AccessDenied", reachable.Message);
        Assert.Contains(status.ClusterFindings!, f => f.Rule == "cluster.kms-key-rotation");
    }

    [Fact]
    public async Task A_pod_with_AWS_ROLE_ARN_and_a_token_file_gets_credentials_from_STS_and_signs_with_them()
    {
        var roleArn = $"arn:aws:iam::{_aws.AccountId}:role/scoped";
        _aws.Sts.AllowWebIdentity(roleArn, "system:serviceaccount:eks-hardening-system:eks-hardening");
        var token = Path.GetTempFileName();
        await File.WriteAllTextAsync(token, _aws.Sts.CreateWebIdentityToken("system:serviceaccount:eks-hardening-system:eks-hardening"));
        using var environment = new ProcessEnvironment(new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = roleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = token,
            ["AWS_ROLE_SESSION_NAME"] = "eks-hardening",
            ["AWS_ENDPOINT_URL"] = _aws.BaseUrl,
            ["AWS_REGION"] = _aws.Region,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null,
        });
        try
        {
            using var clients = new AwsClients();   // the default chain, exactly as in a pod
            var cluster = await clients.Eks.DescribeClusterAsync(_aws.Region, "prod");
            Assert.Equal("prod", cluster.Name);
            Assert.Equal(1, _aws.CountRequests("sts", "AssumeRoleWithWebIdentity"));
            var signed = _aws.Requests.Last(r => r.Service == "eks");
            Assert.StartsWith("ASIA", signed.AccessKeyId);
        }
        finally
        {
            File.Delete(token);
        }
    }

    [Fact]
    public async Task Scan_with_aws_works_against_any_faithful_endpoint_set_by_AWS_ENDPOINT_URL()
    {
        using var json = await ScanWithAws.RunAsync(_aws, $"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {"{"}name: aws{"}"}
            spec:
              cluster: {"{"}name: prod, requireKeyRotation: true, disallowOpenPublicCidrs: true{"}"}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {"{"}name: p{"}"}
            spec: {"{"}containers: [{"{"}name: c, image: "app:1"{"}"}]{"}"}
            """);
        var findings = json.RootElement.GetProperty("policies")[0].GetProperty("clusterFindings").EnumerateArray()
            .ToDictionary(f => f.GetProperty("rule").GetString()!, f => f.GetProperty("result").GetString());
        Assert.Equal("fail", findings["cluster.kms-key-rotation"]);
        Assert.Equal("fail", findings["cluster.endpoint-open-cidrs"]);
        Assert.True(_aws.CountRequests("eks", "DescribeCluster") >= 1);
    }

    [Fact]
    public async Task The_operator_writes_cluster_findings_and_AwsReachable_and_notices_when_a_service_starts_failing()
    {
        var env = _aws.EnvironmentVariables().ToDictionary(p => p.Key, p => (string?)p.Value);
        env["AWS_PROFILE"] = null;
        using var environment = new ProcessEnvironment(env);
        await using var bed = await OperatorTestbed.StartAsync();
        await bed.CreatePolicyAsync($"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata: {"{"}name: cluster{"}"}
            spec:
              evaluationInterval: 1s
              cluster: {"{"}name: prod, region: {_aws.Region}, requireSecretsEncryption: true, requireKeyRotation: true, disallowOpenPublicCidrs: true{"}"}
            """);
        await bed.StartOperatorAsync();

        await Eventually.True(() => bed.Policy("cluster")?.Status?.ClusterFindings?.Count == 3, "cluster findings in status");
        var status = bed.Policy("cluster")!.Status;
        Assert.Equal(FindingResult.Pass, status.ClusterFindings!.Single(f => f.Rule == "cluster.secrets-encryption").Result);
        Assert.Equal(FindingResult.Fail, status.ClusterFindings!.Single(f => f.Rule == "cluster.kms-key-rotation").Result);
        Assert.Equal("True", status.Conditions!.Single(c => c.Type == ComplianceStatus.AwsReachable).Status);

        _aws.Faults.DenyAccess("kms");
        await Eventually.True(() => bed.Policy("cluster")?.Status?.Conditions?.Any(c => c.Type == ComplianceStatus.AwsReachable && c.Status == "False") == true,
            "AwsReachable turns False", TimeSpan.FromSeconds(60));
        status = bed.Policy("cluster")!.Status;
        Assert.StartsWith("kms: AccessDenied", status.Conditions!.Single(c => c.Type == ComplianceStatus.AwsReachable).Message);
        Assert.Equal(FindingResult.Error, status.ClusterFindings!.Single(f => f.Rule == "cluster.kms-key-rotation").Result);
        Assert.Equal(FindingResult.Pass, status.ClusterFindings!.Single(f => f.Rule == "cluster.secrets-encryption").Result);
    }
}
