using System.Text.Json.Serialization;
using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Testing.Serialization;

/// <summary>
/// JSON metadata for the models only the tests write or read as typed objects (CustomResourceDefinitions, the chart's
/// objects), added after the operator's own: a model the product needs but does not list still fails its tests.
/// </summary>
public static class TestJson
{
    /// <summary>
    /// Installs the operator's metadata, then this. Each test assembly calls it from a module initializer of its own
    /// (one runs only for its own assembly), so that a test reaching a type the native build could not serialize
    /// fails too.
    /// </summary>
    public static void Install()
    {
        _ = OperatorJson.Options;
        KubernetesJson.AddJsonOptions(options =>
        {
            if (!options.TypeInfoResolverChain.Contains(TestJsonContext.Default)) options.TypeInfoResolverChain.Add(TestJsonContext.Default);
        });
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1CustomResourceDefinition))]
[JsonSerializable(typeof(V1CustomResourceDefinitionList))]
[JsonSerializable(typeof(V1PodDisruptionBudget))]
[JsonSerializable(typeof(V1MutatingWebhookConfiguration))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
