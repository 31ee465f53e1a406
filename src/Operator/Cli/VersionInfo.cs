using System.Reflection;

namespace EksHardening.Operator.Cli;

/// <summary>The tool's version, as stamped into the assembly at build time.</summary>
public static class VersionInfo
{
    public static string Version { get; } =
        (typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
