namespace EksHardening.Operator.IntegrationTests;

/// <summary>Runs <c>eks-hardening scan --aws -o json</c> as its own process over a manifest text, with the AWS stub's environment.</summary>
internal static class ScanWithAws
{
    /// <returns>The JSON report; the scan must exit 1 (violations found).</returns>
    public static async Task<JsonDocument> RunAsync(AwsEndpointStub aws, string manifestText)
    {
        var manifests = Path.Combine(Path.GetTempPath(), $"scan-aws-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(manifests, manifestText);
        try
        {
            var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "eks-hardening.dll"),
                "scan", "-f", manifests, "--aws", "--region", aws.Region, "-o", "json"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (name, value) in aws.EnvironmentVariables()) start.Environment[name] = value;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {stderr}");
            return JsonDocument.Parse(await stdout);
        }
        finally
        {
            File.Delete(manifests);
        }
    }
}
