using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Manifests;

/// <summary>One Kubernetes object read from the inputs, typed, with where it came from.</summary>
public sealed record ManifestObject(object Object, string ApiVersion, string Kind, JsonObject Json, ParsedDocument Document, int Line)
{
    /// <summary>The file and line it was read from; for a rendered directory, the chart template or the directory.</summary>
    public Rules.SourceLocation Source { get; init; } = new(Document.File, Line);
}

/// <summary>What the inputs held: known objects, and how many of each unknown kind were skipped.</summary>
public sealed class ManifestSet
{
    public List<ManifestObject> Objects { get; } = [];
    public SortedDictionary<string, int> SkippedKinds { get; } = new(StringComparer.Ordinal);
    public int SkippedCount => SkippedKinds.Values.Sum();
}

/// <summary>Why a document cannot be typed: the path of the offending field and what is wrong with it.</summary>
public sealed record DocumentProblem(string Path, string Message);

/// <summary>
/// A check a document of a known kind must pass before it is typed, so that a bad field is named rather than failing
/// to convert (the policy schema, for ResponsibilityPolicies); null when the document passes or the check does not
/// apply to its kind.
/// </summary>
public delegate DocumentProblem? DocumentCheck(string apiVersion, string kind, JsonObject document);

/// <summary>
/// Reads manifest files, directories (recursively, .yaml/.yml/.json; a Helm chart or Kustomize directory as its tool
/// renders it, see <see cref="ManifestRenderer"/>) and stdin into typed objects.
/// Multi-document YAML and <c>kind: List</c> are expanded; kinds the scanner does not evaluate are
/// counted and skipped; anything malformed is a <see cref="ManifestException"/> naming file and line.
/// </summary>
public static class ManifestReader
{
    public const long MaxInputBytes = 64L * 1024 * 1024;
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    private static readonly Dictionary<(string ApiVersion, string Kind), Type> KnownTypes = WithRemovedWorkloadApis(new()
    {
        [("v1", "Pod")] = typeof(V1Pod),
        [("v1", "ReplicationController")] = typeof(V1ReplicationController),
        [("v1", "PodTemplate")] = typeof(V1PodTemplate),
        [("v1", "Namespace")] = typeof(V1Namespace),
        [("v1", "ServiceAccount")] = typeof(V1ServiceAccount),
        [("apps/v1", "Deployment")] = typeof(V1Deployment),
        [("apps/v1", "StatefulSet")] = typeof(V1StatefulSet),
        [("apps/v1", "DaemonSet")] = typeof(V1DaemonSet),
        [("apps/v1", "ReplicaSet")] = typeof(V1ReplicaSet),
        [("batch/v1", "Job")] = typeof(V1Job),
        [("batch/v1", "CronJob")] = typeof(V1CronJob),
        [("networking.k8s.io/v1", "NetworkPolicy")] = typeof(V1NetworkPolicy),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = typeof(V1ClusterRole),
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = typeof(V1ClusterRoleBinding),
        [("rbac.authorization.k8s.io/v1", "Role")] = typeof(V1Role),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = typeof(V1RoleBinding),
        [("v1", "ConfigMap")] = typeof(V1ConfigMap),
        [(ResponsibilityPolicy.ApiVersionName, ResponsibilityPolicy.KindName)] = typeof(ResponsibilityPolicy),
        // encryption and nodes inputs (issue 14)
        [("storage.k8s.io/v1", "StorageClass")] = typeof(V1StorageClass),
        [("v1", "PersistentVolumeClaim")] = typeof(V1PersistentVolumeClaim),
        [("networking.k8s.io/v1", "Ingress")] = typeof(V1Ingress),
        [("v1", "Service")] = typeof(V1Service),
        [("v1", "Node")] = typeof(V1Node),
    });

    /// <summary>
    /// Workloads of API versions Kubernetes no longer serves are read as their successor's type (the pod template has
    /// the same shape) and keep their apiVersion, which the evaluation notes; a removed NetworkPolicy version is not
    /// read, since a policy that cannot be applied isolates nothing.
    /// </summary>
    private static Dictionary<(string ApiVersion, string Kind), Type> WithRemovedWorkloadApis(Dictionary<(string ApiVersion, string Kind), Type> types)
    {
        foreach (var (apiVersion, kind, _) in Rules.RemovedWorkloadApis.All)
        {
            var successor = kind == "CronJob" ? ("batch/v1", kind) : ("apps/v1", kind);
            types[(apiVersion, kind)] = types[successor];
        }

        return types;
    }

    /// <summary>
    /// Expands the <c>-f</c> arguments into files, in a stable order; "-" stands for stdin, and a Helm chart or Kustomize
    /// directory stays a directory (it is rendered, not read).
    /// </summary>
    public static List<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (path == "-") files.Add(path);
            else if (Directory.Exists(path) && ManifestRenderer.KindOf(path) != DirectoryKind.Plain) files.Add(path);
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => ManifestExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path)) files.Add(path);
            else throw new ManifestException(path, "no such file or directory");
        }

        return files;
    }

    /// <param name="renderer">Renders chart and Kustomize directories; <see cref="ManifestRenderer.Default"/> when null.</param>
    public static ManifestSet Read(IEnumerable<string> paths, TextReader? stdin = null, DocumentCheck? check = null, ManifestRenderer? renderer = null)
    {
        var set = new ManifestSet();
        foreach (var input in ExpandPaths(paths))
        {
            if (Directory.Exists(input))
            {
                var rendered = (renderer ?? ManifestRenderer.Default).Render(input);
                var before = set.Objects.Count + set.SkippedCount;
                ReadText(rendered.Text, rendered.Name, set, check, rendered.SourceOf);
                // A chart whose templates all rendered to nothing would pass unseen among other inputs.
                if (set.Objects.Count + set.SkippedCount == before) throw new ManifestException(input, $"{rendered.Command} rendered no Kubernetes objects");
                continue;
            }

            var (name, text) = input == "-" ? ("<stdin>", (stdin ?? Console.In).ReadToEnd()) : (input, ReadFile(input));
            ReadText(text, name, set, check);
        }

        return set;
    }

    /// <param name="sourceOf">Where the object at a line of <paramref name="text"/> came from, when not <paramref name="file"/> itself (a rendered directory).</param>
    public static void ReadText(string text, string file, ManifestSet into, DocumentCheck? check = null, Func<int, Rules.SourceLocation>? sourceOf = null)
    {
        foreach (var document in YamlToJson.Parse(text, file))
        {
            switch (document.Root)
            {
                case null: continue;
                case JsonObject obj: AddObject(obj, document, into, check, sourceOf); break;
                default: throw new ManifestException(file, document.Line, "a manifest document must be a mapping (an object with apiVersion and kind)");
            }
        }
    }

    private static string ReadFile(string file)
    {
        var info = new FileInfo(file);
        if (info.Length > MaxInputBytes) throw new ManifestException(file, $"file is larger than {MaxInputBytes / (1024 * 1024)} MiB");
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(file, "cannot read: " + e.Message);
        }
    }

    private static void AddObject(JsonObject obj, ParsedDocument document, ManifestSet into, DocumentCheck? check, Func<int, Rules.SourceLocation>? sourceOf)
    {
        var line = document.LineOf(obj);
        var apiVersion = StringField(obj, "apiVersion", document);
        var kind = StringField(obj, "kind", document);

        if (kind is "List" && apiVersion is "v1" || kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray)
        {
            if (obj["items"] is not JsonArray items) throw new ManifestException(document.File, line, $"{kind} has no items list");
            foreach (var item in items)
            {
                if (item is not JsonObject itemObject) throw new ManifestException(document.File, document.LineOf(item), $"{kind} items must be objects");
                AddObject(itemObject, document, into, check, sourceOf);
            }

            return;
        }

        if (!KnownTypes.TryGetValue((apiVersion, kind), out var type) || !IsEvaluated(apiVersion, kind, obj))
        {
            var key = $"{apiVersion}/{kind}";
            into.SkippedKinds[key] = into.SkippedKinds.GetValueOrDefault(key) + 1;
            return;
        }

        if (check?.Invoke(apiVersion, kind, obj) is { } problem)
        {
            throw new ManifestException(document.File, document.LineOfPath(problem.Path), $"{kind} {NameOf(obj)}: {problem.Message}");
        }

        object typed;
        try
        {
            typed = obj.Deserialize(OperatorJson.Options.GetTypeInfo(type)) ?? throw new JsonException("empty object");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            var path = e is JsonException { Path: { Length: > 1 } jsonPath } ? jsonPath.TrimStart('$', '.') : null;
            var at = path is null ? line : document.LineOfPath(path);
            var where = path is null ? "" : $" at {path}";
            throw new ManifestException(document.File, at, $"{kind} {NameOf(obj)}: invalid field{where}: {FirstSentence(e.Message)}");
        }

        var manifest = new ManifestObject(typed, apiVersion, kind, obj, document, line);
        into.Objects.Add(sourceOf is null ? manifest : manifest with { Source = sourceOf(line) });
    }

    /// <summary>Of the ConfigMaps only kube-system/aws-auth is evaluated (rbac.system-masters-mapping); the others are skipped.</summary>
    private static bool IsEvaluated(string apiVersion, string kind, JsonObject obj) =>
        !(apiVersion == "v1" && kind == "ConfigMap")
        || (obj["metadata"] is JsonObject metadata
            && metadata["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == Rules.Rbac.ClusterRbac.AwsAuthName
            && metadata["namespace"] is JsonValue ns && ns.TryGetValue<string>(out var nsText) && nsText == Rules.Rbac.ClusterRbac.AwsAuthNamespace);

    private static string StringField(JsonObject obj, string field, ParsedDocument document)
    {
        if (obj[field] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0) return text;
        throw new ManifestException(document.File, document.LineOf(obj), $"object {NameOf(obj)} has no {field}");
    }

    private static string NameOf(JsonObject obj) =>
        obj["metadata"] is JsonObject metadata && metadata["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? $"'{text}'" : "(unnamed)";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOfAny(['\r', '\n']);
        var first = cut < 0 ? message : message[..cut];
        var pathNote = first.IndexOf(" Path: ", StringComparison.Ordinal);
        return (pathNote < 0 ? first : first[..pathNote]).TrimEnd('.', ' ');
    }
}
