using System.CommandLine;
using System.Reflection;
using EksHardening.Operator.Aws;
using EksHardening.Operator.Manifests;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Cli;

/// <summary><c>eks-hardening scan</c>: the operator's evaluation over manifest files, for CI and first use.</summary>
public sealed class ScanCommand(TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider clock)
{
    public const string Name = "scan";
    public const int ExitClean = ExitCodes.Success;
    public const int ExitViolations = ExitCodes.Failure;
    public const int ExitUsage = ExitCodes.Usage;

    /// <summary>The example policy shipped in deploy/examples/, embedded so the scan works from any directory.</summary>
    public const string ExamplePolicyResource = "EksHardening.Operator.ExamplePolicy.yaml";

    /// <summary><c>eks-hardening scan ARGS</c>, through the same command line as the executable's.</summary>
    public int Run(IReadOnlyList<string> args) =>
        EksHardeningCommand.Invoke([Name, .. args], new CommandIo(stdin, stdout, stderr, Environment.GetEnvironmentVariable, clock));

    internal static Command Create(CommandIo io, HelpPages help)
    {
        var flags = new ScanFlags();
        var command = new Command(Name, "evaluate manifests offline against ResponsibilityPolicies (see 'scan --help')");
        foreach (var option in flags.Options) command.Add(option);
        command.SetAction(result => new ScanCommand(io.In, io.Out, io.Error, io.Clock).Run(flags, result));
        help.Add(command, new HelpPage(
            $"""
            Usage: {EksHardeningCommand.Name} scan -f PATH [-f PATH ...] [--policy FILE] [--output table|json|sarif] [--fail-on LEVEL]
                                     [--namespace-labels NS=KEY=VALUE,... ...] [--kubernetes-version VERSION]
                                     [--aws [--cluster-name NAME] [--region REGION]]
            """,
            "Evaluates Kubernetes manifests offline against ResponsibilityPolicies, as the operator would.",
            [new HelpSection(null, flags.Options)],
            "Exit codes: 0 nothing fails at or above --fail-on, 1 something does, 2 usage or input error.")
        {
            ArgumentHint = " (inputs are given with -f)",
        });
        return command;
    }

    private int Run(ScanFlags flags, ParseResult result)
    {
        ScanOptions options;
        try
        {
            options = flags.Bind(result);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"{EksHardeningCommand.Name} {Name}: {e.Message}");
            stderr.WriteLine($"Run '{EksHardeningCommand.Name} {Name} --help' for usage.");
            return ExitUsage;
        }

        try
        {
            return Scan(options);
        }
        catch (Exception e) when (e is ManifestException or UsageException)
        {
            stderr.WriteLine($"{EksHardeningCommand.Name} {Name}: {e.Message}");
            return ExitUsage;
        }
    }

    private int Scan(ScanOptions options)
    {
        var inputs = ManifestReader.Read(options.Paths, stdin, PolicyValidator.CheckDocument);
        var policies = inputs.Objects.Where(o => o.Object is ResponsibilityPolicy).ToList();
        var objects = inputs.Objects.Where(o => o.Object is not ResponsibilityPolicy).ToList();
        if (objects.Count == 0 && policies.Count == 0 && inputs.SkippedCount == 0)
        {
            throw new ManifestException(string.Join(", ", options.Paths), 0, "empty input: no Kubernetes objects found");
        }

        if (options.PolicyFile is { } policyFile)
        {
            policies = ManifestReader.Read([policyFile], check: PolicyValidator.CheckDocument).Objects.Where(o => o.Object is ResponsibilityPolicy).ToList();
            if (policies.Count == 0) throw new ManifestException(policyFile, 0, "no ResponsibilityPolicy in the policy file");
        }
        else if (policies.Count == 0)
        {
            policies = ExamplePolicy();
        }

        var sources = objects.ToDictionary(o => o.Object, o => o.Source, ReferenceEqualityComparer.Instance);
        var snapshot = ClusterSnapshot.FromObjects(
            objects.Select(o => o.Object).Concat(NamespacesFromFlags(options, objects)), o => sources.GetValueOrDefault(o));
        // Manifests rarely carry their Namespace objects: a selector that needs their labels must not pass by not looking.
        snapshot.NamespacesMayBeMissing = true;
        snapshot.ApiServerVersion = options.KubernetesVersion;
        var evaluator = new PolicyEvaluator(clock);
        var evaluations = new List<PolicyEvaluation>();
        using var aws = options.Aws ? new AwsClients(new AwsClientOptions { Region = options.Region }, clock) : null;
        var collector = aws is null ? null : new AwsFactCollector(aws.Ecr, aws.Eks, aws.Iam, aws.Kms, aws.GuardDuty, aws.CloudTrail, aws.Ec2, aws.Ssm, clock,
            new AwsFactCollectorOptions { DefaultRegion = aws.Region, DefaultClusterName = options.ClusterName });
        foreach (var policy in policies.Select(p => (ResponsibilityPolicy)p.Object))
        {
            if (policy.Spec.Cluster is { } cluster)
            {
                cluster.Name ??= options.ClusterName;
                cluster.Region ??= options.Region ?? aws?.Region;
            }

            // Without --aws the AWS-backed rules are off (snapshot.Aws stays null), as the README says.
            snapshot.Aws = collector is null || !AwsFactCollector.Needed(policy.Spec)
                ? null
                : Task.Run(() => collector.CollectAsync(policy, snapshot, CancellationToken.None)).GetAwaiter().GetResult();
            evaluations.Add(evaluator.Evaluate(policy, snapshot));
        }

        var report = new ScanReport(VersionInfo.Version, evaluations, inputs.SkippedKinds);
        var writer = ScanReportWriters.For(options.Output) ?? throw new UsageException($"unknown output format '{options.Output}'");
        writer.Write(report, stdout);
        return FailsAtOrAbove(evaluations, options.FailOn) ? ExitViolations : ExitClean;
    }

    /// <summary>
    /// The namespaces --namespace-labels describes, as Namespace objects. A namespace whose object is also among the
    /// inputs is an error: the two could disagree, and neither silently wins.
    /// </summary>
    private static List<V1Namespace> NamespacesFromFlags(ScanOptions options, List<ManifestObject> objects)
    {
        var namespaces = new List<V1Namespace>();
        foreach (var (name, labels) in options.NamespaceLabels)
        {
            if (objects.FirstOrDefault(o => o.Object is V1Namespace ns && ns.Metadata?.Name == name) is { } existing)
            {
                throw new UsageException($"--namespace-labels {name}=...: the inputs hold Namespace {name} ({existing.Source}); give its labels in one place only");
            }

            namespaces.Add(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) } });
        }

        return namespaces;
    }

    /// <summary>Only failed findings gate the build; errors and exemptions are reported but do not.</summary>
    internal static bool FailsAtOrAbove(IEnumerable<PolicyEvaluation> evaluations, Severity? threshold) =>
        threshold is { } min && evaluations.Any(e => e.AllFindings.Any(f => f.Result == FindingResult.Fail && f.Rule.Severity >= min));

    private static List<ManifestObject> ExamplePolicy()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ExamplePolicyResource)
                           ?? throw new InvalidOperationException("the example policy is not embedded");
        using var reader = new StreamReader(stream);
        var set = new ManifestSet();
        ManifestReader.ReadText(reader.ReadToEnd(), "deploy/examples/policy.yaml", set, PolicyValidator.CheckDocument);
        return set.Objects.Where(o => o.Object is ResponsibilityPolicy).ToList();
    }
}
