using EksHardening.Operator.Manifests;

namespace EksHardening.Operator.Policies;

/// <summary>The ResponsibilityPolicy CRD (config/crd), embedded in the operator so that it validates against the schema it installs.</summary>
public static class ResponsibilityPolicyCrd
{
    /// <summary>The manifest resource name (LogicalName in EksHardening.Operator.csproj).</summary>
    public const string ResourceName = "EksHardening.Operator.Crd.responsibilitypolicies.eks-hardening.io.yaml";

    private static readonly Lazy<string> Text = new(ReadResource);
    private static readonly Lazy<JsonObject> Cached = new(() => Parse(Text.Value));

    /// <summary>The CRD YAML exactly as shipped in config/crd.</summary>
    public static string Yaml => Text.Value;

    /// <summary>A fresh copy of the whole CustomResourceDefinition as JSON.</summary>
    public static JsonObject Definition() => (JsonObject)Cached.Value.DeepClone();

    /// <summary>The served version's openAPIV3Schema. Shared: callers must not modify it.</summary>
    internal static JsonObject Schema { get; } = (JsonObject)VersionOf(Cached.Value)["schema"]!["openAPIV3Schema"]!;

    internal static JsonObject VersionOf(JsonObject definition) =>
        definition["spec"]!["versions"]!.AsArray().OfType<JsonObject>()
            .Single(v => (string?)v["name"] == ResponsibilityPolicy.Version);

    private static JsonObject Parse(string yaml)
    {
        var documents = YamlToJson.Parse(yaml, ResourceName);
        return documents.Count == 1 && documents[0].Root is JsonObject root
            ? root
            : throw new InvalidOperationException($"{ResourceName} must hold exactly one CustomResourceDefinition");
    }

    private static string ReadResource()
    {
        using var stream = typeof(ResponsibilityPolicyCrd).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
