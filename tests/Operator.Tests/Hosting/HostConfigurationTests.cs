namespace EksHardening.Operator.Tests.Hosting;

/// <summary>The operator's settings come from its flags: the host reads no file it would have to watch.</summary>
public class HostConfigurationTests
{
    [Fact]
    public async Task No_configuration_file_is_watched_for_changes()
    {
        var options = RunFlags.Parse(["--leader-elect=false", "--aws=false", "--webhook-port=0", "--health-port=0", "--metrics-port=0"], _ => null);
        await using var app = OperatorHost.Build(options, clientConfiguration: new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();
        // A reloading appsettings source watches the working directory and all below it for the process's life.
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched"));
        Assert.NotEmpty(files);
    }
}
