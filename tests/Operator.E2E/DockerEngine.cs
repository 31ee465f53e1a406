namespace EksHardening.Operator.E2E;

/// <summary>Whether a Docker engine answers; K3s needs one. REQUIRE_DOCKER=1 turns a missing engine into a failure.</summary>
internal static class DockerEngine
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Skips the calling test, with the reason, when no engine answers.</summary>
    public static void Require()
    {
        if (Unavailable.Value is not { } reason) return;
        Assert.False(Environment.GetEnvironmentVariable("REQUIRE_DOCKER") == "1", $"REQUIRE_DOCKER=1 but {reason}");
        Console.WriteLine($"K3s e2e skipped: {reason}");
        Skip.If(true, reason);
    }

    private static string? Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", ["version", "--format", "{{.Server.Version}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return "the docker client could not be started";
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill();
                return "the Docker engine did not answer within 15 s";
            }

            var version = process.StandardOutput.ReadToEnd().Trim();
            return process.ExitCode == 0 && version.Length > 0
                ? null
                : "no Docker engine is running (docker version: " + process.StandardError.ReadToEnd().Trim().Split('\n')[0] + ")";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "the docker client is not installed";
        }
    }
}
