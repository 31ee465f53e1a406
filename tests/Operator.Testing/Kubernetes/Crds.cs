using EksHardening.Operator.Manifests;

namespace EksHardening.Operator.Testing.Kubernetes;

/// <summary>
/// CustomResourceDefinitions from YAML, read through JSON as the API server reads them: the schema's untyped fields
/// (defaults, additionalProperties, extensions) are JSON values, which the client's generated JSON metadata writes
/// (the client's YAML reader makes them dictionaries of objects, which only reflection could write).
/// </summary>
public static class Crds
{
    public static IEnumerable<V1CustomResourceDefinition> Read(string yaml) =>
        YamlToJson.Parse(yaml, "crds.yaml")
            .Where(d => d.Root is JsonObject { } o && o["kind"]?.GetValue<string>() == "CustomResourceDefinition")
            .Select(d => KubernetesJson.Deserialize<V1CustomResourceDefinition>(d.Root!.ToJsonString()));

    public static async Task<V1CustomResourceDefinition> ReadFileAsync(string path) =>
        Read(await File.ReadAllTextAsync(path)).Single();
}
