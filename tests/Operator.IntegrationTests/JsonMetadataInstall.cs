using System.Runtime.CompilerServices;
using EksHardening.Operator.Testing.Serialization;

namespace EksHardening.Operator.IntegrationTests;

/// <summary>Runs <see cref="TestJson.Install"/> before any test of this assembly serializes anything.</summary>
internal static class JsonMetadataInstall
{
    [ModuleInitializer]
    internal static void Install() => TestJson.Install();
}
