using System.CommandLine;
using System.Reflection;
using EksHardening.Operator.Aws;
using EksHardening.Operator.Manifests;
using EksHardening.Operator.Policies;
using EksHardening.Operator.Reporting;
using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Cli;

/// <summary><c>eks-hardening scan</c>: the operator's evaluation over manifest files, for CI and first use.</summary>
public sealed class ScanCommand(CommandIo io)
{
    public const string Name = "scan";
    public const int ExitClean = ExitCodes.Success;
    public const int ExitViolations = ExitCodes.Failure;
    public const int ExitUsage = ExitCodes.Usage;

    /// <summary>The example policy shipped in deploy/examples/, embedded so the scan works from any directory.</summary>
    public const string ExamplePolicyResource = "EksHardening.Operator.ExamplePolicy.yaml";

    /// <summary>Inputs over this many objects get a line of progress on stderr.</summary>
    public const int ProgressThreshold = 1_000;

    /// <summary>A scan with the process's environment variables and no terminal.</summary>
    public ScanCommand(TextReader stdin, TextWriter stdout, TextWriter stderr, TimeProvider clock)
        : this(new CommandIo(stdin, stdout, stderr, Environment.GetEnvironmentVariable, clock))
    {
    }

    /// <summary><c>eks-hardening scan ARGS</c>, through the same command line as the executable's.</summary>
    public int Run(IReadOnlyList<string> args) => EksHardeningCommand.Invoke([Name, .. args], io);

    internal static Command Create(CommandIo io, HelpPages help)
    {
        var flags = new ScanFlags();
        var command = new Command(Name, "evaluate manifests offline against ResponsibilityPolicies (see 'scan --help')");
        foreach (var option in flags.Options) command.Add(option);
        command.SetAction(result => new ScanCommand(io).Run(flags, result));
        help.Add(command, new HelpPage(
            $"""
            Usage: {EksHardeningCommand.Name} scan -f PATH [-f PATH ...] [--values FILE ...] [--set KEY=VALUE ...] [--policy FILE]
                                     [--output table|json|sarif|junit] [--output-file PATH] [--fail-on LEVEL]
                                     [--only-failed] [--min-severity LEVEL] [--color auto|always|never]
                                     [--namespace-labels NS=KEY=VALUE,... ...] [--kubernetes-version VERSION]
                                     [--aws [--cluster-name NAME] [--region REGION]]
            """,
            "Evaluates Kubernetes manifests offline against ResponsibilityPolicies, as the operator would.",
            [new HelpSection(null, flags.Options)],
            "Exit codes: 0 nothing fails at or above --fail-on, 1 something does, 2 usage or input error.")
        {
            ArgumentHint = " (inputs are given with -f)",
            Examples =
            [
                new("scan a directory of manifests against the policies among them (else the example policy); exit 1 on a high or critical fail",
                    $"{EksHardeningCommand.Name} scan -f k8s/"),
                new("scan a Helm chart as it would be installed with the production values (needs helm)",
                    $"{EksHardeningCommand.Name} scan -f charts/shop --values charts/shop/values-prod.yaml --policy policy.yaml"),
                new("scan a Kustomize overlay as kubectl kustomize renders it (needs kubectl)",
                    $"{EksHardeningCommand.Name} scan -f overlays/prod --policy policy.yaml"),
                new("CI: a JUnit report for the pipeline's test view, listing only failures",
                    $"{EksHardeningCommand.Name} scan -f k8s/ --output junit --output-file scan.xml --only-failed"),
                new("what a live cluster's RBAC grants, critical findings only, never failing the job",
                    $"kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml | {EksHardeningCommand.Name} scan -f - --min-severity critical --fail-on none"),
            ],
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
            io.Error.WriteLine($"{EksHardeningCommand.Name} {Name}: {e.Message}");
            io.Error.WriteLine($"Run '{EksHardeningCommand.Name} {Name} --help' for usage.");
            return ExitUsage;
        }

        try
        {
            return Scan(options);
        }
        catch (Exception e) when (e is ManifestException or UsageException)
        {
            io.Error.WriteLine($"{EksHardeningCommand.Name} {Name}: {e.Message}");
            return ExitUsage;
        }
    }

    private int Scan(ScanOptions options)
    {
        var renderer = new ManifestRenderer(new RenderSettings
        {
            Environment = io.Environment,
            HelmValues = options.HelmValues,
            HelmSets = options.HelmSets,
        });
        var inputs = ManifestReader.Read(options.Paths, io.In, PolicyValidator.CheckDocument, renderer);
        var policies = inputs.Objects.Where(o => o.Object is ResponsibilityPolicy).ToList();
        var objects = inputs.Objects.Where(o => o.Object is not ResponsibilityPolicy).ToList();
        if (objects.Count == 0 && policies.Count == 0 && inputs.SkippedCount == 0)
        {
            throw new ManifestException(string.Join(", ", options.Paths), "empty input: no Kubernetes objects found");
        }

        if (options.PolicyFile is { } policyFile)
        {
            policies = ManifestReader.Read([policyFile], check: PolicyValidator.CheckDocument).Objects.Where(o => o.Object is ResponsibilityPolicy).ToList();
            if (policies.Count == 0) throw new ManifestException(policyFile, "no ResponsibilityPolicy in the policy file");
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
        var evaluator = new PolicyEvaluator(io.Clock);
        var evaluations = new List<PolicyEvaluation>();
        var times = new List<TimeSpan>();
        var startedAt = io.Clock.GetUtcNow();
        var progress = new ScanProgress(io.Error, io.ErrorIsTerminal, inputs.Objects.Count + inputs.SkippedCount, policies.Count);
        using var aws = options.Aws ? new AwsClients(new AwsClientOptions { Region = options.Region }, io.Clock) : null;
        var collector = aws is null ? null : new AwsFactCollector(aws.Ecr, aws.Eks, aws.Iam, aws.Kms, aws.GuardDuty, aws.CloudTrail, aws.Ec2, aws.Ssm, io.Clock,
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
            progress.Evaluating(policy.Metadata?.Name ?? "");
            var started = io.Clock.GetTimestamp();
            evaluations.Add(evaluator.Evaluate(policy, snapshot));
            times.Add(io.Clock.GetElapsedTime(started));
        }

        progress.Done();
        var report = new ScanReport(VersionInfo.Version, evaluations, inputs.SkippedKinds)
        {
            Filter = options.Filter,
            StartedAt = startedAt,
            EvaluationTimes = times,
        };
        WriteReport(report, options);
        return FailsAtOrAbove(evaluations, options.FailOn) ? ExitViolations : ExitClean;
    }

    /// <summary>To stdout, or to --output-file (whole or not at all) with the summary line on stderr.</summary>
    private void WriteReport(ScanReport report, ScanOptions options)
    {
        // A file is no terminal: only --color always colours it.
        var colour = options.OutputFile is null ? Colour(options) : options.Colour == ColourMode.Always;
        var writer = ScanReportWriters.For(options.Output, colour) ?? throw new UsageException($"unknown output format '{options.Output}'");
        if (options.OutputFile is not { } path)
        {
            writer.Write(report, io.Out);
            return;
        }

        ReportFile.Write(path, text => writer.Write(report, text));
        io.Error.WriteLine($"{TableReportWriter.SummaryLine(report)}; {options.Output} report written to {path}");
    }

    /// <summary>--color always or never; auto colours a terminal unless NO_COLOR is set to anything (https://no-color.org).</summary>
    private bool Colour(ScanOptions options) => options.Colour switch
    {
        ColourMode.Always => true,
        ColourMode.Never => false,
        _ => io.OutputIsTerminal && string.IsNullOrEmpty(io.Environment("NO_COLOR")),
    };

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
