using EksHardening.Operator.Serialization;

namespace EksHardening.Operator.Tests;

/// <summary>
/// The operator's JSON metadata replaces the client's reflection fallback before any test serializes anything, so a
/// test that reaches a type the native build could not serialize fails here too.
/// </summary>
internal static class JsonMetadataInstall
{
    [ModuleInitializer]
    internal static void Install() => OperatorJson.Initialize();
}
