namespace EksHardening.Operator.Tests.Cli;

/// <summary>How <c>run</c> ends: 0 when stopped on request, 1 when a part of the operator failed.</summary>
public class RunExitCodeTests
{
    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the informer's list was refused");
        }
    }

    /// <summary>A well-behaved service: waits until the host stops it.</summary>
    private sealed class WaitingService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }

    /// <summary>Asks the host to stop once it has started, as SIGTERM does.</summary>
    private sealed class StopOnStart(IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static (IHost Host, FakeLogCollector Log) Host(Action<IServiceCollection> services)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        services(builder.Services);
        var host = builder.Build();
        return (host, host.Services.GetFakeLogCollector());
    }

    [Fact]
    public async Task A_failing_background_service_ends_run_with_exit_1_naming_it()
    {
        var (host, log) = Host(s =>
        {
            s.AddHostedService<WaitingService>();
            s.AddHostedService<FailingService>();
        });
        using (host)
        {
            Assert.Equal(ExitCodes.Failure, await RunCommand.RunUntilStoppedAsync(host));
        }

        Assert.Contains(log.GetSnapshot(), l => l.Message.Contains("FailingService failed", StringComparison.Ordinal)
                                        && l.Message.Contains("InvalidOperationException: the informer's list was refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stop_on_request_ends_run_with_exit_0()
    {
        var (host, log) = Host(s =>
        {
            s.AddHostedService<WaitingService>();
            s.AddHostedService<StopOnStart>();
        });
        using (host)
        {
            Assert.Equal(ExitCodes.Success, await RunCommand.RunUntilStoppedAsync(host));
        }

        Assert.DoesNotContain(log.GetSnapshot(), l => l.Message.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_that_cannot_start_ends_run_with_exit_1()
    {
        var (host, log) = Host(s => s.AddHostedService(_ => new ThrowingStart()));
        using (host)
        {
            Assert.Equal(ExitCodes.Failure, await RunCommand.RunUntilStoppedAsync(host));
        }

        Assert.Contains(log.GetSnapshot(), l => l.Message.Contains("the operator failed", StringComparison.Ordinal) && l.Message.Contains("address already in use", StringComparison.Ordinal));
    }

    private sealed class ThrowingStart : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => throw new IOException("address already in use");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
