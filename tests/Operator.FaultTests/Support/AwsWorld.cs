using StubCluster = EksHardening.AwsStub.Eks.EksCluster;
using StubFinding = EksHardening.AwsStub.Ecr.EcrFinding;
using StubImage = EksHardening.AwsStub.Ecr.EcrImage;
using StubKey = EksHardening.AwsStub.Kms.KmsKey;
using StubRepository = EksHardening.AwsStub.Ecr.EcrRepository;
using StubRole = EksHardening.AwsStub.Iam.IamRole;
using StubScan = EksHardening.AwsStub.Ecr.EcrImageScan;

namespace EksHardening.Operator.FaultTests.Support;

/// <summary>
/// A cluster in the emulator and its AWS side in the stub, where every AWS-backed rule passes: four pods in
/// <c>shop</c> run scanned, clean ECR images under a scoped IRSA role, and the EKS cluster is encrypted with a
/// rotating key and logs what the policy asks. The operator runs as a real process with IRSA credentials: a token
/// file that STS accepts for its role. Faults injected into the stub must show as <c>error</c>, never as pass.
/// </summary>
internal sealed class AwsWorld : IAsyncDisposable
{
    public const string PolicyName = "aws";
    public const int Pods = 4;
    private const string OperatorSubject = "system:serviceaccount:eks-hardening-system:eks-hardening";
    private readonly string _directory = Directory.CreateTempSubdirectory("eks-hardening-aws-").FullName;
    private readonly List<OperatorProcess> _operators = [];

    private AwsWorld(AwsEndpointStub aws, OperatorTestbed bed)
    {
        Aws = aws;
        Bed = bed;
        TokenFile = Path.Combine(_directory, "token");
    }

    public AwsEndpointStub Aws { get; }
    public OperatorTestbed Bed { get; }
    public string TokenFile { get; }
    public string OperatorRoleArn => $"arn:aws:iam::{Aws.AccountId}:role/eks-hardening";
    private string Registry => $"{Aws.AccountId}.dkr.ecr.{Aws.Region}.amazonaws.com";

    public static async Task<AwsWorld> StartAsync(string evaluationInterval = "10m")
    {
        var world = new AwsWorld(await AwsEndpointStub.StartNewAsync(), await OperatorTestbed.StartAsync());
        world.SeedAws();
        world.IssueToken();
        await world.SeedClusterAsync(evaluationInterval);
        return world;
    }

    private void SeedAws()
    {
        var issuer = $"https://oidc.eks.{Aws.Region}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        var key = Aws.Kms.AddKey(new StubKey { RotationEnabled = true });
        Aws.Eks.AddCluster(new StubCluster
        {
            Name = "prod", SecretsKeyArn = key.Arn, EnabledLogTypes = ["api", "audit"], EndpointPublicAccess = true,
            PublicAccessCidrs = ["192.0.2.0/24"], OidcIssuer = issuer,
        });
        for (var i = 0; i < Pods; i++)
        {
            Aws.Ecr.AddRepository(new StubRepository { Name = $"shop/app-{i}", ScanOnPush = true });
            Aws.Ecr.AddImage(new StubImage { Repository = $"shop/app-{i}", Digest = Digest(i), Tags = ["1.0"], Scan = StubScan.Completed(DateTimeOffset.UtcNow.AddHours(-1), [new StubFinding($"CVE-2024-{i:0000}", "LOW")]) });
        }

        var provider = $"arn:aws:iam::{Aws.AccountId}:oidc-provider/{issuer["https://".Length..]}";
        var host = issuer["https://".Length..];
        var trust = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Federated"] = provider },
                ["Action"] = "sts:AssumeRoleWithWebIdentity",
                ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { [host + ":sub"] = "system:serviceaccount:shop:app", [host + ":aud"] = "sts.amazonaws.com" } },
            }),
        }.ToJsonString();
        Aws.Iam.AddRole(new StubRole
        {
            Name = "app", TrustPolicy = trust,
            InlinePolicies = new Dictionary<string, string> { ["read"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::shop/*"}]}""" },
        });
        Aws.Iam.AddRole(new StubRole { Name = "eks-hardening" });
    }

    /// <summary>Writes a fresh web identity token to the token file and lets STS accept that token, and only that one.</summary>
    public string IssueToken()
    {
        var token = Aws.Sts.CreateWebIdentityToken(OperatorSubject, expires: DateTimeOffset.UtcNow.AddHours(2));
        Aws.Sts.RevokeWebIdentities(OperatorRoleArn);
        Aws.Sts.AllowWebIdentity(new WebIdentityGrant { RoleArn = OperatorRoleArn, Token = token });
        File.WriteAllText(TokenFile, token);
        return token;
    }

    private async Task SeedClusterAsync(string evaluationInterval)
    {
        Bed.Emulator.Seed(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["env"] = "prod" } } });
        Bed.Emulator.Seed(new V1ServiceAccount
        {
            Metadata = new V1ObjectMeta
            {
                Name = "app", NamespaceProperty = "shop",
                Annotations = new Dictionary<string, string> { [ClusterSnapshot.RoleArnAnnotation] = $"arn:aws:iam::{Aws.AccountId}:role/app" },
            },
        });
        for (var i = 0; i < Pods; i++)
        {
            Bed.Emulator.Seed(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"app-{i}", NamespaceProperty = "shop" },
                Spec = new V1PodSpec { ServiceAccountName = "app", Containers = [new V1Container { Name = "app", Image = $"{Registry}/shop/app-{i}@{Digest(i)}" }] },
            });
        }

        await Bed.CreatePolicyAsync($$$"""
            apiVersion: eks-hardening.io/v1alpha1
            kind: ResponsibilityPolicy
            metadata:
              name: {{{PolicyName}}}
            spec:
              evaluationInterval: {{{evaluationInterval}}}
              match:
                namespaceSelector: {matchLabels: {env: prod}}
              imageScanning: {requireScanOnPush: true, maxScanAge: 168h, vulnerabilityThresholds: {critical: 0, high: 0}}
              irsa: {requireScopedTrustPolicy: true, disallowWildcardActions: true, deniedManagedPolicies: [AdministratorAccess]}
              cluster: {name: prod, region: {{{Aws.Region}}}, requireSecretsEncryption: true, requireKeyRotation: true, requiredLogTypes: [api, audit], disallowOpenPublicCidrs: true}
            """);
    }

    private static string Digest(int i) => "sha256:" + (i + 0xabc).ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The operator as a pod runs it: IRSA from the token file, every AWS endpoint at the stub.</summary>
    public OperatorProcess StartOperator(IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = Aws.BaseUrl,
            ["AWS_REGION"] = Aws.Region,
            ["AWS_ROLE_ARN"] = OperatorRoleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = TokenFile,
            ["AWS_ROLE_SESSION_NAME"] = "eks-hardening",
        };
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string?>()) environment[name] = value;
        var process = OperatorProcess.Start(
            ["run", "--kubeconfig", Bed.KubeconfigPath, "--leader-elect", "false", "--health-port", "0", "--metrics-port", "0", "--webhook-port", "0"],
            environment);
        _operators.Add(process);
        return process;
    }

    /// <summary>What the AWS side says now, learned afresh with the stub's own test keys.</summary>
    public async Task<AwsFacts> FactsAsync()
    {
        var env = Aws.EnvironmentVariables();
        using var clients = new AwsClients(new AwsClientOptions { Region = Aws.Region, Environment = k => env.GetValueOrDefault(k) },
            credentials: new StaticAwsCredentialsSource(new AwsCredentials(Aws.Credentials.AccessKeyId, Aws.Credentials.SecretAccessKey)));
        var collector = new AwsFactCollector(clients.Ecr, clients.Eks, clients.Iam, clients.Kms, clients.GuardDuty, clients.CloudTrail, clients.Ec2, clients.Ssm, TimeProvider.System, new AwsFactCollectorOptions { DefaultRegion = Aws.Region });
        return await collector.CollectAsync(Bed.Policy(PolicyName)!, ClusterSnapshot.FromObjects(Bed.CurrentObjects()), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _operators) await process.DisposeAsync();
        await Bed.DisposeAsync();
        await Aws.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
