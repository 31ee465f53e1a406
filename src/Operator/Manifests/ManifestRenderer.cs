using EksHardening.Operator.Rules;

namespace EksHardening.Operator.Manifests;

/// <summary>What renders a directory given as an input: nothing (its files are read), helm, or kubectl kustomize.</summary>
public enum DirectoryKind
{
    Plain,
    HelmChart,
    Kustomization,
}

/// <summary>How <see cref="ManifestRenderer"/> finds its tools and what it passes to helm.</summary>
public sealed record RenderSettings
{
    /// <summary>Environment variables (the tools' paths, PATH); the process's own by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>helm template's <c>--values</c> files, in order.</summary>
    public IReadOnlyList<string> HelmValues { get; init; } = [];

    /// <summary>helm template's <c>--set</c> assignments, in order.</summary>
    public IReadOnlyList<string> HelmSets { get; init; } = [];

    /// <summary>How long one helm or kubectl run may take before it is stopped and the scan fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>A rendered directory: the manifests, the name errors in them are reported under, the command that rendered them, and where each line came from.</summary>
/// <param name="SourceOf">The source of the object at a 1-based line of <paramref name="Text"/>.</param>
public sealed record RenderedDirectory(string Text, string Name, string Command, Func<int, SourceLocation> SourceOf);

/// <summary>
/// Renders a Helm chart directory with <c>helm template DIR</c> and a Kustomize directory with <c>kubectl kustomize DIR</c>,
/// as the user's own pipeline would, so that a chart is scanned as it would be installed. The tools run without a shell
/// and with a timeout; a missing tool or a failed run is a <see cref="ManifestException"/> naming the directory, never an
/// empty (passing) input.
/// </summary>
public sealed class ManifestRenderer(RenderSettings settings)
{
    public const string HelmVariable = "EKS_HARDENING_HELM";
    public const string KubectlVariable = "EKS_HARDENING_KUBECTL";

    /// <summary>The file names kustomize looks for, in its order (sigs.k8s.io/kustomize/api/konfig.RecognizedKustomizationFileNames).</summary>
    public static readonly IReadOnlyList<string> KustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    private const string HelmSourceComment = "# Source: ";

    public static ManifestRenderer Default { get; } = new(new RenderSettings());

    /// <summary>A directory with a Chart.yaml is a chart; else one with a kustomization file is a Kustomization.</summary>
    public static DirectoryKind KindOf(string directory) =>
        File.Exists(Path.Combine(directory, "Chart.yaml")) ? DirectoryKind.HelmChart
        : KustomizationFileNames.Any(name => File.Exists(Path.Combine(directory, name))) ? DirectoryKind.Kustomization
        : DirectoryKind.Plain;

    /// <exception cref="ManifestException">The tool is missing, fails or times out; the message names the directory.</exception>
    public RenderedDirectory Render(string directory) => KindOf(directory) switch
    {
        DirectoryKind.HelmChart => RenderChart(directory),
        DirectoryKind.Kustomization => RenderKustomization(directory),
        _ => throw new ArgumentException($"{directory} is neither a Helm chart nor a Kustomization", nameof(directory)),
    };

    private RenderedDirectory RenderChart(string directory)
    {
        var helm = FindTool("helm", HelmVariable, directory, "a Helm chart (it has a Chart.yaml)",
            "install helm (https://helm.sh/docs/intro/install/), or render the chart yourself and pipe it in: " +
            $"helm template {directory} | eks-hardening scan -f -");
        List<string> args = ["template", directory];
        foreach (var values in settings.HelmValues) args.AddRange(["--values", values]);
        foreach (var set in settings.HelmSets) args.AddRange(["--set", set]);
        var (text, command) = Run(helm, "helm", args, directory);
        var sources = HelmSources(text, directory);
        return new RenderedDirectory(text, $"{directory} (helm template)", command, line =>
        {
            // The template named by the last '# Source:' comment above the object's line.
            var index = sources.FindLastIndex(s => s.Line < line);
            return index < 0 ? new SourceLocation(directory, 0) : new SourceLocation(sources[index].Template, 0);
        });
    }

    private RenderedDirectory RenderKustomization(string directory)
    {
        var kubectl = FindTool("kubectl", KubectlVariable, directory, "a Kustomization (it has a kustomization file)",
            "install kubectl (https://kubernetes.io/docs/tasks/tools/), or render it yourself and pipe it in: " +
            $"kubectl kustomize {directory} | eks-hardening scan -f -");
        var (text, command) = Run(kubectl, "kubectl", ["kustomize", directory], directory);
        // kustomize's output does not say which file an object came from: the directory is the source.
        var source = new SourceLocation(directory, 0);
        return new RenderedDirectory(text, $"{directory} (kubectl kustomize)", command, _ => source);
    }

    /// <summary>
    /// The template each '# Source: CHART/templates/x.yaml' comment names, as a path under the chart directory
    /// (the comment starts with the chart's name, not its directory), with the comment's 1-based line.
    /// </summary>
    private static List<(int Line, string Template)> HelmSources(string text, string directory)
    {
        var sources = new List<(int, string)>();
        var line = 0;
        foreach (var row in text.AsSpan().EnumerateLines())
        {
            line++;
            if (!row.StartsWith(HelmSourceComment, StringComparison.Ordinal)) continue;
            var source = row[HelmSourceComment.Length..].Trim().ToString();
            var slash = source.IndexOf('/', StringComparison.Ordinal);
            sources.Add((line, slash < 0 ? directory : Path.Join(directory, source[(slash + 1)..])));
        }

        return sources;
    }

    /// <summary>The tool from its variable (which must then name a file) or from PATH.</summary>
    private string FindTool(string name, string variable, string directory, string what, string remedy)
    {
        if (settings.Environment(variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new ManifestException(directory, $"{what}: rendering it needs {name}, but {variable}={configured} does not exist");
        }

        foreach (var dir in (settings.Environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }

        throw new ManifestException(directory, $"{what}: rendering it needs {name}, which is not on PATH (or set {variable}): {remedy}");
    }

    /// <param name="name">What the user calls the tool (helm, kubectl), for messages; <paramref name="tool"/> is its path.</param>
    /// <returns>What the tool printed, and the command line as the user would type it.</returns>
    private (string Output, string Command) Run(string tool, string name, List<string> args, string directory)
    {
        var command = $"{name} {string.Join(' ', args)}";
        ExternalCommandResult? result;
        try
        {
            result = ExternalCommand.Run(tool, args, settings.Timeout);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ManifestException(directory, $"{command} did not start: {e.Message}");
        }

        if (result is null)
        {
            throw new ManifestException(directory, $"{command} did not finish within {settings.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s and was stopped");
        }

        var error = result.Stderr.Trim();
        if (result.ExitCode != 0)
        {
            throw new ManifestException(directory, $"{command} failed (exit {result.ExitCode}): {(error.Length == 0 ? "no message" : error)}");
        }

        if (result.Stdout.Length > ManifestReader.MaxInputBytes)
        {
            throw new ManifestException(directory, $"{command} printed more than {ManifestReader.MaxInputBytes / (1024 * 1024)} MiB");
        }

        return (result.Stdout, command);
    }
}
